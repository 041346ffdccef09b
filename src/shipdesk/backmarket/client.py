"""HTTP client for the Back Market seller API: requests, pacing, retries. No business logic."""

from __future__ import annotations

import hashlib
import random
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from . import requests
from .errors import BackMarketError, RateLimited, classify_response, classify_transport_error
from .models import Delivery, Order, OrdersPage, parse_order
from .pacing import Pacer, SlidingWindowPacer

__all__ = ["REGION_HOSTS", "BackMarketClient", "RequestHook", "RetryPolicy"]

REGION_HOSTS = {
    "eu": "https://www.backmarket.fr",
    "us": "https://www.backmarket.com",
    "ap": "https://www.backmarket.co.jp",
}

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

    def iter_order_pages(self, **filters: Any) -> Iterator[OrdersPage]:
        """Yield every page of `GET /ws/orders`, following `next` until it is null.

        Filters are `requests.list_orders`'s, checked at once (not when iterating). Raises
        BackMarketError if a `next` URL comes back twice.
        """
        return self._order_pages(requests.list_orders(**filters))

    def _order_pages(self, request: requests.Request | None) -> Iterator[OrdersPage]:
        seen: set[str] = set()
        while request is not None:
            url = self._http.build_request(**self._httpx_args(request)).url
            if str(url) in seen:
                raise BackMarketError(
                    "pagination loop: Back Market returned the same next URL twice",
                    method="GET",
                    url=str(url),
                )
            seen.add(str(url))
            response = self.response(request)
            try:
                page = OrdersPage.model_validate(_json(response))
            except ValidationError as exc:
                raise _unexpected(response, f"unexpected orders page: {exc}") from exc
            yield page
            request = self._next_page(url, page.next) if page.next else None

    def get_order(self, order_id: int) -> Order:
        """One order; raises NotFound if unknown, pydantic.ValidationError if malformed."""
        return parse_order(self.get_order_raw(order_id))

    def get_order_raw(self, order_id: int) -> dict[str, Any]:
        response = self.response(requests.get_order(order_id))
        data = _json(response)
        if not isinstance(data, dict):
            raise _unexpected(response, "expected an order object")
        return data

    def list_deliveries(self, order_id: int) -> list[Delivery]:
        """BackShip deliveries (labels bought through Back Market) of an order."""
        response = self.response(requests.list_deliveries(order_id))
        data = _json(response)
        results = data.get("results") if isinstance(data, dict) else data
        try:
            return [Delivery.model_validate(item) for item in results or []]
        except (ValidationError, TypeError) as exc:
            raise _unexpected(response, f"unexpected deliveries: {exc}") from exc

    def check_token(self) -> None:
        """One cheap authenticated request; raises TokenRejected, Forbidden... on failure."""
        self.response(requests.check_token())

    # Updates: built by `requests`, sent by `send`.

    def accept_line(self, order_id: int, sku: str) -> dict[str, Any]:
        return self.send(requests.accept_line(order_id, sku))

    def cancel_line(self, order_id: int, sku: str) -> dict[str, Any]:
        return self.send(requests.cancel_line(order_id, sku))

    def ship_order(
        self, order_id: int, *, date_shipping: datetime | None = None, **fields: str
    ) -> dict[str, Any]:
        """`requests.ship_order`, shipped now unless `date_shipping` says when."""
        shipped_at = date_shipping or datetime.now(UTC)
        return self.send(requests.ship_order(order_id, date_shipping=shipped_at, **fields))

    def set_orderline_identifiers(self, orderline_id: int, **identifiers: str) -> dict[str, Any]:
        return self.send(requests.set_line_identifiers(orderline_id, **identifiers))

    def upload_invoice(
        self, order_id: int, pdf: bytes, filename: str = "invoice.pdf"
    ) -> dict[str, Any]:
        """`POST /ws/orders/{order_id}/invoice`: the order's invoice PDF, multipart field
        `invoice`. Success is the 2xx status."""
        # The client's default JSON Content-Type would win over httpx's multipart one: the
        # request names its own, with the boundary httpx then uses.
        boundary = secrets.token_hex(16)
        built = self._http.build_request(
            "POST",
            f"/ws/orders/{int(order_id)}/invoice",
            files={"invoice": (filename, pdf, "application/pdf")},
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        return _json_object(self._retry.call(lambda: self._attempt(built)))

    # HTTP

    def send(self, request: requests.Request) -> dict[str, Any]:
        """Send an update; its answer's JSON object (success is the 2xx status, whatever the
        body says)."""
        return _json_object(self.response(request))

    def response(self, request: requests.Request) -> httpx.Response:
        """Send any request: paced, retried, and classified (a BackMarketError on failure)."""
        built = self._http.build_request(**self._httpx_args(request))
        return self._retry.call(lambda: self._attempt(built))

    @staticmethod
    def _httpx_args(request: requests.Request) -> dict[str, Any]:
        return {
            "method": request.method,
            "url": request.path,
            "params": request.params or None,
            "json": request.json,
        }

    def _attempt(self, request: httpx.Request) -> httpx.Response:
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

    def _next_page(self, url: httpx.URL, next_url: str) -> requests.Request:
        # The token goes only to base_url: a `next` naming another host or scheme (http
        # behind a proxy, a platform alias) is followed on base_url with the same path.
        return requests.Request("GET", url.join(next_url).raw_path.decode("ascii"))


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
