"""Make the OpenAPI document honest about the errors every operation can answer.

drf-spectacular documents the success responses; the API can also answer 400
(bad input, naming the field), 401 (no or bad token), 403 (not allowed), 404 (not
found, or out of the user's sight), 409 (workflow refusal or conflict) and 429
(throttled). This hook adds those to each operation where they can happen, so
clients and schemathesis know every status they may see.
"""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "additionalProperties": True,
}
VALIDATION_ERROR = {
    "type": "object",
    "description": "Each field in error (or non_field_errors) with its messages.",
    "additionalProperties": True,
}
SERVER_ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "request_id": {"type": "string"}},
    "required": ["detail", "request_id"],
}
TOO_LARGE = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "max_bytes": {"type": "integer"}},
    "required": ["detail", "max_bytes"],
}
WRITES = {"post", "put", "patch", "delete"}


def _response(description: str, component: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
    }


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("ValidationError", VALIDATION_ERROR)
    schemas.setdefault("ServerError", SERVER_ERROR)
    schemas.setdefault("TooLarge", TOO_LARGE)
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            extra = {
                "400": _response("Bad input: the fields in error and why.", "ValidationError"),
                "401": _response("Not signed in, or the token is wrong.", "Error"),
                "403": _response("Signed in but not allowed to do this.", "Error"),
                "404": _response("Not found, or not visible to this user.", "Error"),
            }
            if method in WRITES:
                extra["409"] = _response("Refused by the workflow, or changed by someone else.", "Error")
                extra["413"] = _response("The request body is larger than the server accepts.", "TooLarge")
                extra["429"] = _response("Too many requests; retry later.", "Error")
            if path.endswith("/auth/token/"):
                extra = {k: v for k, v in extra.items() if k in ("400", "401", "413", "429")}
            extra["500"] = _response("A fault on the server; quote the request id.", "ServerError")
            for code, response in extra.items():
                responses.setdefault(code, response)
    return result
