"""Errors raised by the Back Market connector.

Every failure is classified once, at the HTTP boundary: `classify_response` for answers,
`classify_transport_error` for requests that got no answer. Callers only ever see:

BackMarketError             any other failure (unexpected status, unreadable body, page loop)
 ├── TokenRejected           401: token unknown, revoked or expired
 ├── Forbidden               403: not a merchant account, or blocked by the CDN firewall
 ├── NotFound                404: unknown or archived order / orderline
 ├── UpdateRejected          400 / 422: Back Market refused an update; `message` is theirs
 ├── RateLimited             429 (retryable)
 └── TransientError          5xx, timeouts, connection errors (retryable)
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

__all__ = [
    "BackMarketError",
    "Forbidden",
    "NotFound",
    "RateLimited",
    "TokenRejected",
    "TransientError",
    "UpdateRejected",
    "classify_response",
    "classify_transport_error",
]

BODY_LIMIT = 2000
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


class BackMarketError(Exception):
    """A request to Back Market failed; carries what support needs, never the token."""

    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        cf_ray: str | None = None,
        request_id: str | None = None,
        body: str = "",
        method: str = "",
        url: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.cf_ray = cf_ray
        self.request_id = request_id
        self.body = body[:BODY_LIMIT]
        self.method = method
        self.url = url

    def __str__(self) -> str:
        where = " ".join(part for part in (self.method, self.url) if part)
        details = [
            f"HTTP {self.status}" if self.status is not None else "",
            where,
            f"cf-ray {self.cf_ray}" if self.cf_ray else "",
            f"request id {self.request_id}" if self.request_id else "",
        ]
        context = ", ".join(part for part in details if part)
        return f"{self.message} ({context})" if context else self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, message={self.message!r}, "
            f"cf_ray={self.cf_ray!r}, request_id={self.request_id!r})"
        )


class TokenRejected(BackMarketError):
    """401: the token is unknown, revoked or expired; the seller must paste a new one."""


class Forbidden(BackMarketError):
    """403: not a merchant account, or refused by the CDN firewall (see `cf_ray`)."""


class NotFound(BackMarketError):
    """404: unknown order or orderline (very old orders are archived)."""


class UpdateRejected(BackMarketError):
    """400 / 422: Back Market refused an update (bad transition, tracking, IMEI...)."""


class RateLimited(BackMarketError):
    """429: over the account's request rate; Back Market blocks for about 10 seconds."""

    retryable = True


class TransientError(BackMarketError):
    """5xx, timeout or connection failure: worth retrying later."""

    retryable = True


_BY_STATUS: dict[int, type[BackMarketError]] = {
    400: UpdateRejected,
    401: TokenRejected,
    403: Forbidden,
    404: NotFound,
    422: UpdateRejected,
    429: RateLimited,
}


def classify_response(response: httpx.Response) -> BackMarketError | None:
    """Return the error a (read) response stands for, or None for a 2xx. Never raises."""
    if response.is_success:
        return None
    status = response.status_code
    error_class = _BY_STATUS.get(status, TransientError if status >= 500 else BackMarketError)
    request = _request_of(response)
    token = _token_of(request)
    text = _redact(response.text, token)
    data = _json_or_none(text)
    message, code = _message_and_code(data) if data is not None else (_text_message(text), None)
    request_id = _field(data, "requestId", "request_id") or response.headers.get("x-request-id")
    return error_class(
        message or f"{status} {response.reason_phrase}".strip(),
        status=status,
        code=code,
        cf_ray=response.headers.get("cf-ray"),
        request_id=request_id,
        body=text,
        method=request.method if request else "",
        url=str(request.url) if request else "",
    )


def classify_transport_error(exc: httpx.RequestError) -> BackMarketError:
    """Map an httpx exception (no usable answer) to a connector error."""
    # Timeouts and connection failures are TransportErrors; decoding errors are not retryable.
    error_class = TransientError if isinstance(exc, httpx.TransportError) else BackMarketError
    request = _request_of(exc)
    return error_class(
        f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
        method=request.method if request else "",
        url=str(request.url) if request else "",
    )


def _request_of(source: httpx.Response | httpx.RequestError) -> httpx.Request | None:
    try:
        return source.request
    except RuntimeError:  # built by hand (tests, mocks) without a request
        return None


def _token_of(request: httpx.Request | None) -> str:
    if request is None:
        return ""
    _, _, token = request.headers.get("authorization", "").partition(" ")
    return token


def _redact(text: str, token: str) -> str:
    # An error page echoing the request must not leak the credential into logs.
    return text.replace(token, "***") if token else text


def _json_or_none(text: str) -> Any:
    if not text.lstrip().startswith(("{", "[")):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _field(data: Any, *keys: str) -> str | None:
    if isinstance(data, dict):
        for key in keys:
            if isinstance(data.get(key), str | int) and data[key] != "":
                return str(data[key])
    return None


def _message_and_code(data: Any) -> tuple[str, str | None]:
    """Back Market's message from the JSON shapes seen: error envelope, errors list, DRF."""
    if isinstance(data, list):
        return "; ".join(_message_and_code(item)[0] for item in data), None
    if not isinstance(data, dict):
        return str(data), None
    error = data.get("error")
    if isinstance(error, dict):
        return _field(error, "message", "detail", "code") or "", _field(error, "code")
    if isinstance(error, str):
        return error, _field(data, "code")
    errors = data.get("errors")
    if isinstance(errors, list) and errors:
        parts = [_message_and_code(item) for item in errors]
        return "; ".join(message for message, _ in parts), parts[0][1]
    if isinstance(errors, dict):
        return _message_and_code(errors)[0], None
    direct = _field(data, "message", "detail", "error_description")
    if direct:
        return direct, _field(data, "code")
    code = _field(data, "code")
    if code:
        return code, code
    # Field errors, as Django REST framework reports them: {"field": ["message", ...]}.
    fields = {k: v for k, v in data.items() if k not in ("requestId", "request_id")}
    return "; ".join(f"{key}: {_flatten(value)}" for key, value in fields.items()), None


def _flatten(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(_flatten(item) for item in value)
    if isinstance(value, dict):
        return _message_and_code(value)[0]
    return str(value)


def _text_message(text: str) -> str:
    """A readable line from a non-JSON body: an HTML page's title, or short plain text."""
    title = _TITLE.search(text)
    if title:
        return " ".join(title.group(1).split())
    stripped = " ".join(text.split())
    return stripped if stripped and "<" not in stripped and len(stripped) <= 200 else ""
