"""Every error leaves the hub as an `ErrorBody`; nothing else (no traceback, no echo of input)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from kiosk.domain import ErrorBody, FieldError

log = logging.getLogger(__name__)

_LOCATIONS = {"body", "query", "path", "header", "cookie"}
# Starlette's own reason phrases, turned into the one-sentence style of the API.
_SENTENCES = {
    400: "Bad request.",
    401: "Authentication required.",
    403: "Forbidden.",
    404: "Not found.",
    405: "Method not allowed.",
    413: "Request body too large.",
    409: "Conflict.",
    415: "Unsupported media type.",
    422: "Some fields are not valid.",
    429: "Too many requests.",
    500: "Internal server error.",
    503: "Service unavailable.",
}


class ApiError(Exception):
    """An expected failure with a status, one sentence, and optionally the fields at fault."""

    def __init__(
        self,
        status_code: int,
        detail: str,
        errors: Sequence[FieldError] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail
        self.errors = list(errors)
        self.headers = dict(headers or {})


def field_error(status_code: int, field: str, message: str) -> ApiError:
    return ApiError(status_code, f"{field}: {message}", [FieldError(field=field, message=message)])


def not_found(what: str, ident: int) -> ApiError:
    return ApiError(404, f"{what} {ident} does not exist.")


def field_name(loc: Sequence[int | str]) -> str:
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or "body"


def _message(error: Mapping[str, Any]) -> str:
    if error.get("type") == "json_invalid":
        return "The request body is not valid JSON."
    message = str(error.get("msg", "Invalid value."))
    return message.removeprefix("Value error, ")


def validation_body(errors: Sequence[Mapping[str, Any]]) -> ErrorBody:
    fields: list[FieldError] = []
    for error in errors:
        loc = error.get("loc", ())
        # A JSON decode error's location is a character offset, not a field.
        name = "body" if error.get("type") == "json_invalid" else field_name(loc)
        fields.append(FieldError(field=name, message=_message(error)))
    if not fields:
        return ErrorBody(detail="The request is not valid.")
    detail = "; ".join(f"{f.field}: {f.message}" for f in fields[:5])
    if len(fields) > 5:
        detail += f"; and {len(fields) - 5} more"
    return ErrorBody(detail=detail, errors=fields)


def _json(
    status_code: int, body: ErrorBody, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(body.model_dump(mode="json"), status_code=status_code, headers=headers)


async def _on_validation(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return _json(422, validation_body(exc.errors()))


async def _on_api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return _json(exc.status_code, ErrorBody(detail=exc.detail, errors=exc.errors), exc.headers)


async def _on_http(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else ""
    if not detail or detail == _phrase(exc.status_code):
        detail = _SENTENCES.get(exc.status_code, "Request failed.")
    elif not detail.endswith("."):
        detail += "."
    return _json(exc.status_code, ErrorBody(detail=detail), exc.headers)


def _phrase(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return ""


async def _on_crash(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _json(500, ErrorBody(detail=_SENTENCES[500]))


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_exception_handler(Exception, _on_crash)


# For the OpenAPI document: which statuses answer with ErrorBody.
def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {
        code: {"model": ErrorBody, "description": _SENTENCES.get(code, "Error.")} for code in codes
    }
