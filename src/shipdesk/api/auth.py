"""HTTP Basic with an API key and secret, then the key's rate limit."""

from __future__ import annotations

import base64
import binascii

from ninja.errors import HttpError
from ninja.security import HttpBasicAuth

from shipdesk.api import ratelimit
from shipdesk.api.keys import check_key
from shipdesk.web import throttle


class RateLimited(Exception):
    def __init__(self, limit: ratelimit.RateLimit):
        self.limit = limit
        super().__init__(
            f"too many requests: {limit.limit} per minute per API key; "
            f"retry in {limit.reset} seconds"
        )


class ApiKeyAuth(HttpBasicAuth):
    """The API key as user name, its secret as password (ShipStation's scheme).

    Decodes the header itself: nothing from it is ever logged, whatever DEBUG says.
    """

    def __call__(self, request):
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic" or not encoded.strip():
            return None
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return None
        key, _, secret = decoded.partition(":")
        if not key or not secret:
            return None
        return self.authenticate(request, key, secret)

    def authenticate(self, request, username: str, password: str):
        # The sign-in lockout, per key and address: wrong secrets are failed sign-ins too.
        name, ip = f"api key {username}", throttle.client_ip(request)
        counted = throttle.failures(name, ip)
        until = throttle.lock_end(counted)
        if until is not None:
            raise HttpError(
                429,
                "too many failed sign-ins with this API key from your address; "
                f"try again in {throttle.minutes_left(until)} minutes",
            )
        api_key = check_key(username, password)
        if api_key is None:
            throttle.record_failure(name, ip)
            return None
        if counted is not None:  # no write on the usual request, which has nothing counted
            throttle.clear(name, ip)
        request.user = api_key.user
        limit = ratelimit.hit(api_key.pk)
        request.rate_limit = limit
        if limit.exceeded:
            raise RateLimited(limit)
        return api_key
