"""A sqlglot dialect for SeaTunnel's Sql transform: JSqlParser's quoting, Zeta's type names, raw function calls.

Functions keep the name the user wrote (as sqlglot Anonymous calls) so the Zeta function table, not
sqlglot's normalisation, decides their semantics and result types.
"""

from __future__ import annotations

from sqlglot import parser, tokens
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import TokenType

RAW_FUNCTIONS = [
    "ASCII",
    "BIT_LENGTH",
    "CHAR_LENGTH",
    "LENGTH",
    "OCTET_LENGTH",
    "CHAR",
    "CHR",
    "CONCAT",
    "CONCAT_WS",
    "HEXTORAW",
    "RAWTOHEX",
    "INSERT",
    "LOWER",
    "LCASE",
    "UPPER",
    "UCASE",
    "LEFT",
    "RIGHT",
    "LOCATE",
    "INSTR",
    "LPAD",
    "RPAD",
    "LTRIM",
    "RTRIM",
    "REGEXP_REPLACE",
    "REGEXP_LIKE",
    "REGEXP_SUBSTR",
    "REPEAT",
    "REPLACE",
    "SOUNDEX",
    "SPACE",
    "SUBSTR",
    "TO_CHAR",
    "TRANSLATE",
    "ABS",
    "ACOS",
    "ASIN",
    "ATAN",
    "COS",
    "COSH",
    "COT",
    "SIN",
    "SINH",
    "TAN",
    "TANH",
    "ATAN2",
    "BITAND",
    "BITOR",
    "BITXOR",
    "CEIL",
    "CEILING",
    "EXP",
    "FLOOR",
    "LN",
    "LOG",
    "LOG10",
    "MOD",
    "PI",
    "POWER",
    "RADIANS",
    "RAND",
    "RANDOM",
    "ROUND",
    "SIGN",
    "SQRT",
    "TRUNC",
    "TRUNCATE",
    "NOW",
    "CURRENT_TIMESTAMP",
    "DATE_TRUNC",
    "DATEADD",
    "TIMESTAMPADD",
    "DATEDIFF",
    "DAYNAME",
    "DAY_OF_MONTH",
    "DAY_OF_WEEK",
    "DAY_OF_YEAR",
    "HOUR",
    "MINUTE",
    "MONTH",
    "MONTHNAME",
    "QUARTER",
    "SECOND",
    "WEEK",
    "YEAR",
    "FORMATDATETIME",
    "FROM_UNIXTIME",
    "IS_DATE",
    "PARSEDATETIME",
    "TO_DATE",
    "COALESCE",
    "IFNULL",
    "NULLIF",
    "SPLIT",
    "ARRAY",
    "ARRAY_MAX",
    "ARRAY_MIN",
    "UUID",
    "DES_ENCRYPT",
    "DES_DECRYPT",
]


class SeaTunnelSql(Dialect):
    """Double quotes and backticks quote identifiers; `||` concatenates; BYTES/LONG/BYTE are types."""

    class Tokenizer(tokens.Tokenizer):
        IDENTIFIERS = ['"', "`"]
        KEYWORDS = {
            **tokens.Tokenizer.KEYWORDS,
            "BYTES": TokenType.VARBINARY,
            "LONG": TokenType.BIGINT,
            "BYTE": TokenType.TINYINT,
        }

    class Parser(parser.Parser):
        FUNCTIONS = {k: v for k, v in parser.Parser.FUNCTIONS.items() if k not in RAW_FUNCTIONS}
