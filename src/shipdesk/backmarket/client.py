"""HTTP client for the Back Market seller API: requests, pacing, retries. No business logic."""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from .errors import BackMarketError, RateLimited, classify_response, classify_transport_error
from .models import Delivery, Order, OrdersPage, parse_order
from .pacing import Pacer, SlidingWindowPacer
from .states import LineState

__all__ = ["REGION_HOSTS", "BackMarketClient", "RequestHook", "RetryPolicy"]

REGION_HOSTS = {
    "eu": "https://www.backmarket.fr",
    "us": "https://www.backmarket.com",
    "ap": "https://www.backmarket.co.jp",
}
MAX_PAGE_SIZE = 50

# on_request(method, url, status, duration_s), called after every attempt (status None when
# no answer came back): lets the caller count and log requests.
RequestHook = Callable[[str, str, int | None, float], None]

T = TypeVar("T")

# One pacer per process, so every client of the same account shares its budget.
_SHARED_PACER = SlidingWindowPacer()


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter for retryable errors, within a time budget.

    Attempt n (n >= 1) failing waits `rand() * min(max_delay, base_delay * 2**(n-1))`;
    after a 429 it also waits out Back Market's block (`rate_limit_wait`) first. No retry
    when `max_attempts` is reached or the wait would end past `budget_s` from the start.
    """

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0
    budget_s: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    rand: Callable[[], float] = random.random
    rate_limit_wait: float = 10.0

    def delay(self, error: BackMarketError, attempt: int, elapsed_s: float) -> float | None:
        """Seconds to wait before the next attempt, or None to give up."""
        if not error.retryable or attempt >= self.max_attempts:
            return None
        delay = self.rand() * min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        if isinstance(error, RateLimited):
            delay += self.rate_limit_wait
        return delay if elapsed_s + delay <= self.budget_s else None

    def call(self, send: Callable[[], T]) -> T:
        """Run `send`, retrying it on retryable BackMarketErrors; re-raises the last one."""
        started = self.clock()
        attempt = 1
        while True:
            try:
                return send()
            except BackMarketError as error:
                delay = self.delay(error, attempt, self.clock() - started)
                if delay is None:
                    raise
                self.sleep(delay)
            attempt += 1


class BackMarketClient:
    """One Back Market seller account on one platform.

    Every call raises a `BackMarketError` subclass on failure (see `errors`). Updates are
    retried like reads: they are state transitions, so a replay after a lost answer is
    refused (`UpdateRejected`) rather than applied twice; re-read the order to confirm.
    """

    def __init__(
        self,
        token: str,
        region: str = "eu",
        *,
        base_url: str | None = None,
        country_code: str = "fr-fr",
        user_agent: str = "BM-shipdesk-shipdesk;contact@example.com",
        transport: httpx.BaseTransport | None = None,
        pacer: Pacer | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        on_request: RequestHook | None = None,
    ) -> None:
        if not token:
            raise ValueError("a Back Market API token is required")
        if base_url is None:
            if region not in REGION_HOSTS:
                raise ValueError(f"unknown region {region!r}; expected one of {list(REGION_HOSTS)}")
            base_url = REGION_HOSTS[region]
        self.base_url = httpx.URL(base_url.rstrip("/"))
        if self.base_url.scheme not in ("http", "https") or not self.base_url.host:
            raise ValueError(f"base_url must be an absolute http(s) URL, got {base_url!r}")
        self.country_code = country_code
        self._pacer = pacer or _SHARED_PACER
        # The pacing key may end up in shared storage: identify the account by a hash only.
        token_hash = hashlib.sha256(token.encode()).hexdigest()[:16]
        self._pacer_key = f"{self.base_url}#{token_hash}"
        self._retry = retry or RetryPolicy()
        self._on_request = on_request
        self._http = httpx.Client(
            base_url=self.base_url,
            transport=transport,
            timeout=timeout,
            headers={
                # The Back Office token is already the credential: sent as is, not re-encoded.
                "Authorization": f"Basic {token}",
                "Accept": "application/json",
                "Content-Type": "application/json",
                "Accept-Language": country_code,
                "User-Agent": user_agent,
            },
        )

    def __repr__(self) -> str:
        return (
            f"BackMarketClient(base_url={str(self.base_url)!r}, country_code={self.country_code!r})"
        )

    def __enter__(self) -> BackMarketClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    # Orders

    def iter_order_pages(
        self,
        *,
        state: int | None = None,
        date_modification: datetime | None = None,
        date_creation: datetime | None = None,
        country_code: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[OrdersPage]:
        """Yield every page of `GET /ws/orders`, following `next` until it is null.

        Dates are "since" filters. Raises BackMarketError if a `next` URL comes back twice.
        """
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        params: dict[str, Any] = {"page-size": page_size}
        if state is not None:
            params["state"] = state
        if date_creation is not None:
            params["date_creation"] = _format_since(date_creation)
        if date_modification is not None:
            params["date_modification"] = _format_since(date_modification)
        if country_code is not None:
            params["country_code"] = country_code
        # Filters are checked here, eagerly; the generator below only runs when iterated.
        return self._order_pages(self._http.build_request("GET", "/ws/orders", params=params).url)

    def _order_pages(self, url: httpx.URL | None) -> Iterator[OrdersPage]:
        seen: set[str] = set()
        while url is not None:
            if str(url) in seen:
                raise BackMarketError(
                    "pagination loop: Back Market returned the same next URL twice",
                    method="GET",
                    url=str(url),
                )
            seen.add(str(url))
            response = self._request("GET", url)
            try:
                page = OrdersPage.model_validate(_json(response))
            except ValidationError as exc:
                raise _unexpected(response, f"unexpected orders page: {exc}") from exc
            yield page
            url = self._same_host(url.join(page.next)) if page.next else None

    def get_order(self, order_id: int) -> Order:
        """One order; raises NotFound if unknown, pydantic.ValidationError if malformed."""
        return parse_order(self.get_order_raw(order_id))

    def get_order_raw(self, order_id: int) -> dict[str, Any]:
        response = self._request("GET", f"/ws/orders/{int(order_id)}")
        data = _json(response)
        if not isinstance(data, dict):
            raise _unexpected(response, "expected an order object")
        return data

    def accept_line(self, order_id: int, sku: str) -> dict[str, Any]:
        return self._update_order(order_id, {"new_state": LineState.ACCEPTED, "sku": sku})

    def cancel_line(self, order_id: int, sku: str) -> dict[str, Any]:
        return self._update_order(order_id, {"new_state": LineState.CANCELLED, "sku": sku})

    def ship_order(
        self,
        order_id: int,
        *,
        tracking_number: str,
        shipper: str,
        tracking_url: str = "",
        date_shipping: datetime | None = None,
        imei: str = "",
        serial_number: str = "",
    ) -> dict[str, Any]:
        """Move every accepted line to shipped. IMEI / serial here only apply to an order of
        a single line of quantity 1; use `set_orderline_identifiers` otherwise."""
        # Back Market requires tracking numbers without spaces; carriers print them spaced.
        tracking_number = "".join(tracking_number.split())
        if not tracking_number:
            raise ValueError("tracking_number is required to ship")
        shipped_at = date_shipping or datetime.now(UTC)
        body: dict[str, Any] = {
            "new_state": LineState.SHIPPED,
            "tracking_number": tracking_number,
            "tracking_url": tracking_url,
            "shipper": shipper,
            "date_shipping": _format_rfc3339(shipped_at),
        }
        if imei:
            body["imei"] = imei
        if serial_number:
            body["serial_number"] = serial_number
        return self._update_order(order_id, body)

    def set_orderline_identifiers(
        self, orderline_id: int, *, imei: str = "", serial_number: str = ""
    ) -> dict[str, Any]:
        """Register a line's IMEI and/or serial number. Back Market never lets it change."""
        body = {
            key: value for key, value in (("imei", imei), ("serial_number", serial_number)) if value
        }
        if not body:
            raise ValueError("imei or serial_number is required")
        return _json_object(
            self._request("PATCH", f"/ws/orderlines/{int(orderline_id)}", json=body)
        )

    def list_deliveries(self, order_id: int) -> list[Delivery]:
        """BackShip deliveries (labels bought through Back Market) of an order."""
        response = self._request(
            "GET", "/ws/shipping/v1/deliveries", params={"order_id": int(order_id)}
        )
        data = _json(response)
        results = data.get("results") if isinstance(data, dict) else data
        try:
            return [Delivery.model_validate(item) for item in results or []]
        except (ValidationError, TypeError) as exc:
            raise _unexpected(response, f"unexpected deliveries: {exc}") from exc

    def check_token(self) -> None:
        """One cheap authenticated request; raises TokenRejected, Forbidden... on failure."""
        self._request("GET", "/ws/orders", params={"page-size": 1})

    # HTTP

    def _update_order(self, order_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        body = {"order_id": int(order_id), **changes}
        return _json_object(self._request("POST", f"/ws/orders/{int(order_id)}", json=body))

    def _request(
        self,
        method: str,
        url: httpx.URL | str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
    ) -> httpx.Response:
        request = self._http.build_request(method, url, params=params, json=json)
        return self._retry.call(lambda: self._send(request))

    def _send(self, request: httpx.Request) -> httpx.Response:
        """One attempt: wait for a pacing slot, send, classify."""
        self._pacer.acquire(self._pacer_key)
        started = time.perf_counter()
        status: int | None = None
        try:
            response = self._http.send(request)
            status = response.status_code
        except httpx.RequestError as exc:
            raise classify_transport_error(exc) from exc
        finally:
            if self._on_request is not None:
                duration = time.perf_counter() - started
                self._on_request(request.method, str(request.url), status, duration)
        error = classify_response(response)
        if error is not None:
            raise error
        return response

    def _same_host(self, url: httpx.URL) -> httpx.URL:
        # The token goes only to base_url: a `next` naming another host or scheme (http
        # behind a proxy, a platform alias) is followed on base_url with the same path.
        return self.base_url.copy_with(raw_path=url.raw_path)


def _format_since(moment: datetime) -> str:
    """The filter format real clients use: `YYYY-MM-DD HH:MM:SS` in UTC."""
    if moment.utcoffset() is None:
        raise ValueError("date filters need an aware datetime")
    # Dropping microseconds moves the bound earlier: a "since" filter then misses nothing.
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _format_rfc3339(moment: datetime) -> str:
    if moment.utcoffset() is None:
        raise ValueError("date_shipping needs an aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise _unexpected(response, "expected a JSON body") from exc


def _json_object(response: httpx.Response) -> dict[str, Any]:
    """Body of an update: success is the 2xx status, whatever the body says."""
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _unexpected(response: httpx.Response, message: str) -> BackMarketError:
    return BackMarketError(
        message,
        status=response.status_code,
        cf_ray=response.headers.get("cf-ray"),
        body=response.text,
        method=response.request.method,
        url=str(response.request.url),
    )
