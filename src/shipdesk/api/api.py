"""The ShipStation API v1-compatible REST API: the NinjaAPI, its errors and rate-limit headers.

Every error is JSON `{"message": ...}`: 400 for malformed JSON, bad fields and refused
actions, 401 without a valid key, 404 for unknown ids (and paths: api/urls.py), 405 for a
method a path does not take (api/urls.py), 413 for a body over SHIPDESK_API_MAX_BODY_BYTES,
429 over the rate limit.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from shipdesk.api.auth import ApiKeyAuth, RateLimited
from shipdesk.api.schemas import InvalidDate
from shipdesk.api.views import field_errors
from shipdesk.core.netguard import Refused
from shipdesk.orders.actions import OrderActionError

log = logging.getLogger(__name__)

DESCRIPTION = """\
shipdesk answers ShipStation API v1's calls with ShipStation's JSON, so scripts and client
libraries written for ShipStation work by changing their base URL to `https://HOST/ssapi`.

Authenticate with HTTP Basic: API key as user name, API secret as password
(`shipdesk apikey create --user USERNAME`). Each key may make a limited number of requests
per minute; every response says where it stands in `X-Rate-Limit-Limit`,
`X-Rate-Limit-Remaining` and `X-Rate-Limit-Reset` (seconds).

Dates are in ShipStation's time zone, US Pacific (PST/PDT) with no offset in the string
(`2026-03-22T12:14:18.0000000`): every date in answers, and every date filter or body field
read (createDateStart, orderDate, shipDate...), unless the string gives an offset (`Z`,
`+02:00`). The server's SHIPDESK_SSAPI_TIME_ZONE changes the zone (`UTC` for UTC). A time
skipped when clocks go forward reads as the hour after (2026-03-08 02:30 is 03:30 PDT); one
repeated when they go back reads as the first, daylight one (2026-11-01 01:30 is 01:30 PDT).

Orders come from Back Market: the fields Back Market owns are read-only.
Request bodies are limited to 1 MB by default (413 above).

Errors answer JSON `{"message": "..."}` saying what to change: 400 a bad field, filter or
refused action, 401 no valid key, 404 an unknown id or path, 405 a method the path does not
take, 413 a body over the limit, 429 over the rate limit (with `Retry-After`). Each call
below shows an example body and answer.

Webhooks POST to public addresses only, and sign each POST with the secret the subscribe
call answers once: `X-Shipdesk-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`
(see POST /webhooks/subscribe).
"""


class BodyNotAnObject(ValueError):
    pass


class BodyTooLarge(ValueError):
    pass


# The calls whose body is a JSON array (ShipStation's createorders: the orders).
ARRAY_BODIES = ("/orders/createorders",)


class ObjectParser(Parser):
    """JSON bodies must be objects (ShipStation's calls all take one but ARRAY_BODIES' an
    array) of a bounded size.

    Django has read the body by now, refusing it first if over its own, larger limit
    (DATA_UPLOAD_MAX_MEMORY_SIZE: the `RequestDataTooBig` handler below).
    """

    def parse_body(self, request):
        if len(request.body) > settings.SHIPDESK_API_MAX_BODY_BYTES:
            raise BodyTooLarge
        data = super().parse_body(request)
        if isinstance(data, list) and request.path.endswith(ARRAY_BODIES):
            return data
        if data is not None and not isinstance(data, dict):
            raise BodyNotAnObject(type(data).__name__)
        return data


class ShipStationAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__

    def get_openapi_schema(self, *args, **kwargs):
        from shipdesk.api.examples import add_examples

        return add_examples(super().get_openapi_schema(*args, **kwargs))

    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        limit = getattr(request, "rate_limit", None)
        if limit is not None:
            for name, value in limit.headers().items():
                response[name] = value
        return response


def _install_error_handlers(api: NinjaAPI) -> None:
    def message(request, text: str, status: int):
        return api.create_response(request, {"message": text}, status=status)

    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc=None):
        limit = settings.SHIPDESK_API_MAX_BODY_BYTES
        return message(request, f"the request body is over the limit of {limit} bytes", 413)

    @api.exception_handler(ValidationError)
    def bad_fields(request, exc: ValidationError):
        return message(request, f"invalid request: {field_errors(exc.errors)}", 400)

    @api.exception_handler(AuthenticationError)
    def unauthorized(request, exc):
        response = message(
            request,
            "unauthorized: give an API key and its secret with HTTP Basic authentication",
            401,
        )
        response["WWW-Authenticate"] = 'Basic realm="shipdesk"'
        return response

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        text = str(exc)
        if isinstance(exc.__cause__, BodyTooLarge):
            return too_large(request)
        if isinstance(exc.__cause__, BodyNotAnObject):
            text = "the request body must be a JSON object"
        elif text.startswith("Cannot parse request body"):
            text = "the request body is not valid JSON"
        return message(request, text, exc.status_code)

    @api.exception_handler(RateLimited)
    def rate_limited(request, exc: RateLimited):
        response = message(request, str(exc), 429)
        response["Retry-After"] = str(exc.limit.reset)
        return response

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return message(request, str(exc) or "not found", 404)

    @api.exception_handler(OrderActionError)
    @api.exception_handler(Refused)
    def refused(request, exc):
        return message(request, str(exc), 400)

    @api.exception_handler(InvalidDate)
    def invalid_date(request, exc):
        return message(request, str(exc), 400)

    @api.exception_handler(Exception)
    def unexpected(request, exc):
        log.exception("API error on %s %s", request.method, request.path)
        return message(request, "internal error; it has been logged", 500)


def build_api() -> NinjaAPI:
    from shipdesk.api.views import (
        accounts,
        createorders,
        customers,
        fulfillments,
        orders,
        products,
        shipments,
        stores,
        webhooks,
    )

    api = ShipStationAPI(
        title="shipdesk — ShipStation API v1 compatible",
        version="1",
        description=DESCRIPTION,
        auth=ApiKeyAuth(),
        urls_namespace="ssapi",
        parser=ObjectParser(),
        docs_url="/docs",
    )
    _install_error_handlers(api)
    api.add_router("/orders", orders.router)
    api.add_router("/orders", createorders.router)
    api.add_router("/customers", customers.router)
    api.add_router("/products", products.router)
    api.add_router("/shipments", shipments.router)
    api.add_router("/fulfillments", fulfillments.router)
    api.add_router("/stores", stores.router)
    api.add_router("/carriers", accounts.carriers)
    api.add_router("/warehouses", accounts.warehouses)
    api.add_router("/accounts", accounts.accounts)
    api.add_router("/users", accounts.users)
    api.add_router("/webhooks", webhooks.router)
    return api


api = build_api()
