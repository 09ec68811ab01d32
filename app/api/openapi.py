"""The OpenAPI 3 document, built from the app's own routes: every Flask rule, with the operation
its view's docstring carries in YAML after a `---` line, and the marshmallow schemas it names.

Routes mounted twice (under the context path and under the v1 prefix) get the same operation
under both paths; path parameters are added from the rule when the docstring does not list them.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec.yaml_utils import load_operations_from_docstring
from flask import Flask
from marshmallow import Schema

from app.schemas import console, jobs, responses
from app.schemas.fields import JavaBoolean, JavaInt, JavaLong

METHODS = ("get", "post", "put", "patch", "delete")
FAIL = {"$ref": "#/components/schemas/Fail"}

_ERRORS = {
    "BadRequest": (400, "The request is invalid; `message` says why."),
    "Unauthorized": (401, "Basic auth is on and the credentials are missing or wrong."),
    "NotFound": (404, "No such job, file or route."),
    "Conflict": (409, "The request conflicts with the job's state."),
    "PayloadTooLarge": (
        413,
        "The body is larger than http.max-request-size-mb (an upload: than "
        "http.upload-max-file-size-mb or http.upload-max-request-size-mb).",
    ),
    "ServerError": (500, "A bug of ours; the message carries a request id to find it in the log."),
    "Unavailable": (503, "Not ready: the database does not answer, or the node is shutting down."),
}
_ERROR_BY_STATUS = {status: name for name, (status, _) in _ERRORS.items()}

# Flask variable names shown under a clearer name in the document
_RENAMED = {"raw": "jobId", "job_state": "state"}

_PATH_PARAMETERS = {
    "jobId": "The job id (a 64-bit integer).",
    "state": "A final job status (case-insensitive); any other value gives an empty list.",
    "name": "A log file name (`<name>.log`), or a job id to list that job's logs.",
    "route": "A console route (`overview`, `jobs`, `jobs/<id>`, `workers`).",
    "filename": "A file of the console or of the docs page.",
}

_STATIC_OPERATION = {
    "get": {
        "tags": ["console"],
        "summary": "A static file of the console or the docs page",
        "responses": {
            "200": {"description": "The file.", "content": {"*/*": {"schema": {}}}},
            "404": {"$ref": "#/components/responses/NotFound"},
        },
    }
}

_SCHEMA_MODULES = (jobs, console, responses)


def _schema_name(schema: type[Schema] | Schema) -> str:
    cls = schema if isinstance(schema, type) else type(schema)
    return re.sub(r"Schema$", "", cls.__name__)


def _register_schemas(spec: APISpec) -> None:
    for module in _SCHEMA_MODULES:
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Schema)
                and value is not Schema
                and value.__module__ == module.__name__
                and _schema_name(value) not in spec.components.schemas
            ):
                spec.components.schema(_schema_name(value), schema=value)


def _components(spec: APISpec) -> None:
    spec.components.schema("Fail", schema=responses.FailSchema)
    for name, (_status, description) in _ERRORS.items():
        spec.components.response(
            name,
            {"description": description, "content": {"application/json": {"schema": FAIL}}},
        )
    spec.components.security_scheme("basicAuth", {"type": "http", "scheme": "basic"})


def _operations(view: Any) -> dict:
    if getattr(view, "__name__", "") == "send_static_file" or view.__qualname__.endswith(
        "send_static_file"
    ):
        return copy.deepcopy(_STATIC_OPERATION)
    return load_operations_from_docstring(view.__doc__ or "")


def _with_path_parameters(operation: dict, variables: list[str]) -> dict:
    listed = {p.get("name") for p in operation.get("parameters") or [] if isinstance(p, dict)}
    if operation.get("parameters") is None:
        operation["parameters"] = []  # `parameters:` written with nothing under it
    for name in variables:
        if name not in listed:
            operation["parameters"].insert(
                0,
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    "description": _PATH_PARAMETERS.get(name, name),
                    "schema": {"type": "string"},
                },
            )
    return operation


def _with_common_errors(operation: dict, method: str, has_variables: bool) -> dict:
    errors = operation.setdefault("responses", {})
    for status, response in list(errors.items()):
        # an error written inline in a docstring is still the one envelope: point at it
        name = _ERROR_BY_STATUS.get(int(status))
        if int(status) >= 400 and name and "$ref" not in response:
            errors[status] = {"$ref": f"#/components/responses/{name}"}
    if has_variables:
        # a value the route cannot match (a newline, say) finds no route at all
        errors.setdefault(404, {"$ref": "#/components/responses/NotFound"})
    errors.setdefault(401, {"$ref": "#/components/responses/Unauthorized"})
    errors.setdefault(500, {"$ref": "#/components/responses/ServerError"})
    if method in ("post", "put", "patch"):
        errors.setdefault(413, {"$ref": "#/components/responses/PayloadTooLarge"})
    return operation


def openapi_path(rule: str) -> str:
    """The document's path of a Flask rule: `{name}` for each variable, `#` encoded."""
    # a rule for the encoded fragment (`/%23/...`) is matched on the decoded path
    return re.sub(
        r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: "{" + _RENAMED.get(m.group(1), m.group(1)) + "}", rule
    ).replace("#", "%23")


def _variables(rule: str) -> list[str]:
    return [_RENAMED.get(v, v) for v in re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule)]


def build_spec(app: Flask, version: str) -> dict:
    """The OpenAPI 3.0 document of every route `app` serves."""
    spec = APISpec(
        title="seatunnel-rest",
        version=version,
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin(schema_name_resolver=_schema_name)],
        info={
            "description": (
                "Apache SeaTunnel's REST API v2 (also under the v1 prefix `/hazelcast/rest/maps`), "
                "plus this server's own endpoints (tag `console`). Errors answer "
                '`{"status": "fail", "message": ...}`.'
            )
        },
        security=[{"basicAuth": []}],
    )
    ma = next(p for p in spec.plugins if isinstance(p, MarshmallowPlugin))
    ma.map_to_openapi_type(JavaLong, "integer", "int64")
    ma.map_to_openapi_type(JavaInt, "integer", "int32")
    ma.map_to_openapi_type(JavaBoolean, "boolean", None)
    _components(spec)
    _register_schemas(spec)
    paths: dict[str, dict[str, dict]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions.get(rule.endpoint)
        if view is None:
            continue
        operations = _operations(view)
        methods = {m.lower() for m in rule.methods or ()} & set(METHODS)
        if "put" in methods and "post" in operations and "put" not in operations:
            operations = {**operations, "put": operations["post"]}  # v1 paths take PUT too
        path = openapi_path(rule.rule)
        for method, operation in operations.items():
            if method not in methods:
                continue
            operation = copy.deepcopy(operation)
            operation.setdefault("operationId", f"{rule.endpoint}.{method}.{path}")
            variables = _variables(rule.rule)
            _with_path_parameters(operation, variables)
            paths.setdefault(path, {})[method] = _with_common_errors(
                operation, method, bool(variables)
            )
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()
