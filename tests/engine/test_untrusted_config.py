"""Untrusted configs (issue 7, DESIGN §6): no include, no environment, size and depth caps,
64-bit integers, one-line HOCON errors, duplicate plugin blocks kept apart."""

from __future__ import annotations

import contextlib
import json
import resource
import time

import pytest

from app.engine import ConfigError, Limits, build_plan, parse_config
from tests.engine.conftest import COLLECTED, run

HOCON = "Invalid HOCON format in request body: "


def refused(text: str, fmt: str = "hocon", limits: Limits | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(text, fmt, limits)
    return info.value.message


@pytest.mark.parametrize(
    ("text", "form", "where"),
    [
        ('env { include "/etc/os-release" }', 'include "..."', "line 1, column 7"),
        ('include "/etc/os-release"\nenv {}', 'include "..."', "line 1, column 1"),
        ('env {\n  include file("/etc/passwd") }', "include file(...)", "line 2, column 3"),
        (
            'env { a = 1 }\ninclude url("http://127.0.0.1:9/")',
            "include url(...)",
            "line 2, column 1",
        ),
        ('env { include classpath("x.conf") }', "include classpath(...)", "line 1, column 7"),
        (
            'env { INCLUDE required(file("/etc/hosts")) }',
            "include required(...)",
            "line 1, column 7",
        ),
        ('env { a = [include "/etc/hosts"] }', 'include "..."', "line 1, column 12"),
    ],
)
def test_include_of_any_kind_is_refused(text: str, form: str, where: str) -> None:
    assert refused(text) == (
        f"{HOCON}{form} at {where} is not allowed: a job config cannot include files, URLs "
        "or classpath resources."
    )


def test_include_in_comments_and_as_plain_words_is_fine() -> None:
    text = '# include "x"\n  // include file("y")\nenv { mode = include, what = "include me" }'
    assert parse_config(text, "hocon") == {"env": {"mode": "include", "what": "include me"}}


def test_environment_variables_are_never_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEATUNNEL_BASIC_AUTH_PASSWORD", "planted-s3cret")
    monkeypatch.setenv("HOME", "/root-planted")
    text = "env { a = ${?SEATUNNEL_BASIC_AUTH_PASSWORD}, b = x${?HOME}, c = 1 }"
    assert parse_config(text, "hocon") == {"env": {"b": "x", "c": 1}}
    assert refused("env {\n  a = ${SEATUNNEL_BASIC_AUTH_PASSWORD} }") == (
        f"{HOCON}cannot resolve ${{SEATUNNEL_BASIC_AUTH_PASSWORD}} at line 2, column 7: a "
        "substitution may only name a path of the same document (environment variables are "
        "not read)."
    )
    assert "planted" not in refused("env { a = ${HOME} }")
    # self-references fall back to the environment in pyhocon; not here
    assert parse_config("HOME = ${?HOME}\nenv {}", "hocon") == {"env": {}}


def test_substitutions_within_the_document_still_work() -> None:
    text = 'n = 3\nbase { row.num = ${n} }\nenv { "job.name" = "j"${n} }\nsrc = ${base} { x = 1 }'
    assert parse_config(text, "hocon") == {
        "n": 3,
        "base": {"row": {"num": 3}},
        "env": {"job.name": "j3"},
        "src": {"row": {"num": 3}, "x": 1},
    }


def test_substitution_bomb_is_refused_quickly_with_little_memory() -> None:
    lines = ['l0 = "' + "x" * 16 + '"'] + [
        f"l{i} = ${{l{i - 1}}}${{l{i - 1}}}" for i in range(1, 23)
    ]
    text = "\n".join(lines) + "\nenv {}"
    assert len(text) < 600
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    assert refused(text) == (
        f"{HOCON}the resolved document is larger than 1048576 bytes (limits.config-max-bytes)."
    )
    elapsed = time.perf_counter() - started
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kib < 64 * 1024  # the full document would be 64 MiB of text
    assert elapsed < 10  # generous: a noisy machine; the unguarded resolver takes far longer
    small = Limits(config_max_bytes=4096)
    text = 'a = "' + "y" * 1000 + '"\nb = [${a}, ${a}, ${a}, ${a}, ${a}]\nenv {}'
    assert "larger than 4096 bytes" in refused(text, limits=small)


def test_hocon_text_over_the_cap_is_refused_before_parsing() -> None:
    text = "env { a = " + '"' + "x" * 5000 + '" }'
    assert refused(text, limits=Limits(config_max_bytes=4096)) == (
        f"{HOCON}the document is larger than 4096 bytes (limits.config-max-bytes)."
    )


def test_nesting_is_capped_for_hocon_and_json() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    assert refused(f"a = {deep}") == (
        f"{HOCON}nested too deeply at line 1: at most 64 levels (limits.config-max-depth)."
    )
    expected = (
        "The config is nested too deeply: at most 64 levels of objects and arrays "
        "(limits.config-max-depth)."
    )
    assert refused(f'{{"a": {deep}}}', "json") == expected
    assert refused('{"a": ' + "[" * 70 + "]" * 70 + "}", "json") == expected
    assert parse_config('{"a": ' + "[" * 60 + "]" * 60 + "}")["a"]
    # substitutions can nest deeper than the text does
    chain = "\n".join(["l0 = [1]"] + [f"l{i} = [${{l{i - 1}}}]" for i in range(1, 80)])
    assert "nested too deeply" in refused(chain + "\nenv {}")
    with pytest.raises(ConfigError, match="nested too deeply"):
        build_plan({"env": {"x": json.loads("[" * 80 + "]" * 80)}, "source": [], "sink": []})


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        (
            '{"env": {}, "x": 9223372036854775808}',
            "json",
            "Invalid JSON format in request body. A number is out of range: integers must fit "
            "in 64 bits (-9223372036854775808..9223372036854775807); NaN and Infinity are not "
            "numbers.",
        ),
        (
            '{"env": {"x": ' + "7" * 5000 + "}}",
            "json",
            "Invalid JSON format in request body. A number is out of range: integers must fit "
            "in 64 bits (-9223372036854775808..9223372036854775807); NaN and Infinity are not "
            "numbers.",
        ),
        (
            "env { x = 9223372036854775808 }",
            "hocon",
            "The config value at 'env.x' is an integer beyond 64 bits "
            "(-9223372036854775808..9223372036854775807).",
        ),
        (
            "env { x = [1, -9223372036854775809] }",
            "hocon",
            "The config value at 'env.x[1]' is an integer beyond 64 bits "
            "(-9223372036854775808..9223372036854775807).",
        ),
        (
            "env { x = " + "9" * 5000 + " }",
            "hocon",
            "The config value at 'env.x' is out of range for a number.",
        ),
    ],
)
def test_integers_beyond_64_bits_are_refused(text: str, fmt: str, expected: str) -> None:
    assert refused(text, fmt) == expected


def test_64_bit_edges_pass() -> None:
    text = '{"env": {"a": 9223372036854775807, "b": -9223372036854775808}}'
    assert parse_config(text)["env"] == {"a": 2**63 - 1, "b": -(2**63)}


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("env {\n  a = 1\n  b = }}\n", "line 3, column 8"),
        ("env { a = [1, 2 }", "line 1, column 17"),
        ("source {\n  FakeSource {\n    row.num = 1\n", "line 4, column 1"),
    ],
)
def test_hocon_syntax_errors_are_one_short_line(text: str, position: str) -> None:
    message = refused(text)
    assert message == f"{HOCON}syntax error at {position}."


def test_duplicate_plugin_blocks_are_kept_in_order() -> None:
    text = """
    env { job.mode = BATCH }
    source {
      FakeSource { plugin_output = a, row.num = 3, schema { fields { id = int } } }
      FakeSource { plugin_output = b, row.num = 7, schema { fields { id = int } } }
    }
    sink {
      Collect { plugin_input = [a] }
      Collect { plugin_input = [b] }
    }
    """
    config = parse_config(text, "hocon")
    assert [(p["plugin_name"], p["row"]["num"]) for p in config["source"]] == [
        ("FakeSource", 3),
        ("FakeSource", 7),
    ]
    assert [p["plugin_input"] for p in config["sink"]] == [["a"], ["b"]]
    run(config)
    rows = {}
    for batch in COLLECTED:
        rows[batch.table] = rows.get(batch.table, 0) + batch.num_rows
    assert rows == {"a": 3, "b": 7}


def test_duplicate_plugin_blocks_in_a_braced_root_and_quoted() -> None:
    text = '{ source { FakeSource { x = 1 }\n "FakeSource" = { x = 2 }\n Other: { x = 3 } } }'
    assert parse_config(text, "hocon")["source"] == [
        {"plugin_name": "FakeSource", "x": 1},
        {"plugin_name": "FakeSource", "x": 2},
        {"plugin_name": "Other", "x": 3},
    ]


def test_too_many_substitutions() -> None:
    text = "a = 1\n" + "\n".join(f"b{i} = ${{a}}" for i in range(11))
    assert refused(text, limits=Limits(config_max_substitutions=10)) == (
        f"{HOCON}more than 10 substitutions (limits.config-max-substitutions)."
    )


def test_fuzzed_hocon_raises_only_config_errors() -> None:
    import random

    pieces = ["{", "}", "[", "]", "=", ":", ",", "\n", '"x"', '"""y"""', "a", "b.c", "${a}"]
    pieces += ["${?b}", "1", "-2", "3.5", "true", "null", "include", "#c\n", "//d\n", "+=", " "]
    pieces += ["source", "FakeSource", "\\", "$", '"', "9" * 30, "url(", "file("]
    rng = random.Random(7)
    for _ in range(100):  # pyhocon builds its grammar per parse: ~20 ms each
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        with contextlib.suppress(ConfigError):
            parse_config(text, "hocon")
