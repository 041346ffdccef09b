"""In-memory state of the Back Market sandbox: orders, token, limits, faults and logs.

Orders are kept as compact JSON bytes (about half the memory of dicts, and a listing page
is a join of stored records) next to a small index used for filtering and paging. All methods
are thread-safe: the server runs in its own thread while tests poke at the state.

With a `state_file`, every change is appended to it as a line of JSON, and a sandbox started
on the same file carries on where the last one stopped: the same orders in the same states,
and new orders numbered after them, never reusing a number a store has already imported.
"""

from __future__ import annotations

import json
import os
import random
import threading
import time
import zlib
from bisect import bisect_left, insort
from collections import Counter, deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, NamedTuple

from shipdesk.sandbox.generator import (
    FINAL_LINE_STATES,
    RETURN_REASONS,
    backship_delivery,
    format_date,
    is_valid_imei,
    iter_orders,
    new_order,
    parse_date,
)

DEFAULT_TOKEN = "sandbox-token"
HIDDEN_BY_DEFAULT = frozenset({0, 8})  # order states GET /ws/orders leaves out unless asked
FIELD_LIMITS = {
    "tracking_number": 200,
    "tracking_url": 300,
    "shipper": 200,
    "imei": 15,
    "serial_number": 50,
    "return_message": 500,
}
_UPDATE_TEXT_FIELDS = (
    "sku",
    "tracking_number",
    "tracking_url",
    "shipper",
    "imei",
    "serial_number",
    "return_message",
)
# new line state -> the line state it must come from
_TRANSITIONS = {2: 1, 4: 1, 3: 2, 5: 2, 6: 3}
_MAX_LOGGED_UPDATES = 10_000
MAX_INVOICE_BYTES = 10 * 1024 * 1024
_MAX_CACHED_QUERIES = 64


class SandboxError(Exception):
    """A refusal the server answers as JSON: HTTP `status`, machine `code`, human `message`."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class Fault(NamedTuple):
    """What fault injection decided for one request."""

    delay: float  # seconds to wait before answering
    status: int | None  # a 5xx to answer instead of doing the work


class _Meta(NamedTuple):
    state: int
    country_code: str
    created: float
    modified: float


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


def _line(kind: str, raw: bytes) -> bytes:
    return b'{"%s":%s}\n' % (kind.encode(), raw)


def read_state_file(path: Path) -> tuple[dict[int, dict], dict[int, dict]]:
    """(orders by id, BackShip labels by order id) of a state file; the last line of an id wins.

    A missing file is an empty state. Unreadable lines are skipped: the last one is cut
    short when the sandbox was killed in the middle of writing it.
    """
    orders: dict[int, dict] = {}
    deliveries: dict[int, dict] = {}
    try:
        lines = path.read_bytes().splitlines()
    except FileNotFoundError:
        return orders, deliveries
    for line in lines:
        try:
            record = json.loads(line)
            if "order" in record:
                orders[int(record["order"]["order_id"])] = record["order"]
            elif "delivery" in record:
                deliveries[int(record["delivery"]["orderId"])] = record["delivery"]
        except (ValueError, TypeError, KeyError):
            continue
    return orders, deliveries


def order_state(line_states: Iterable[int], current: int) -> int:
    """The order state Back Market derives from its line states."""
    states = set(line_states)
    if 1 in states:
        return 1
    if 2 in states:
        return 3
    if states and states <= FINAL_LINE_STATES | {3}:
        return 9
    return current  # unpaid orders (lines 0, 7, 8, 9) keep their own state


def _malformed(order: object) -> str | None:
    """Why the sandbox could not serve this order, or None."""
    if not isinstance(order, dict):
        return "order must be a JSON object"
    for key in ("order_id", "state"):
        if isinstance(order.get(key), bool) or not isinstance(order.get(key), int):
            return f"order {key} must be an integer"
    if not isinstance(order.get("country_code"), str):
        return "order country_code must be a string"
    for key in ("date_creation", "date_modification"):
        try:
            parse_date(order.get(key))
        except (TypeError, ValueError):
            return f"order {key} must be a date"
    lines = order.get("orderlines")
    if not isinstance(lines, list) or not lines or not all(isinstance(ln, dict) for ln in lines):
        return "orderlines must be a list of objects"
    for line in lines:
        for key in ("id", "state", "quantity"):
            if isinstance(line.get(key), bool) or not isinstance(line.get(key), int):
                return f"orderline {key} must be an integer"
        if not isinstance(line.get("listing"), str):
            return "orderline listing must be a string"
    if len({line["id"] for line in lines}) != len(lines):
        return "orderline ids must differ"
    return None


def _as_int(value: object) -> int | None:
    """JSON ints, and digit strings the way a form serializer would coerce them."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _text(body: dict, key: str, status: int, *, required: bool = False) -> str:
    """A string field of an update body, "" when absent, checked against its length limit."""
    value = body.get(key)
    if value is None or value == "":
        if required:
            raise SandboxError(status, "missing_field", f"{key} is required")
        return ""
    if not isinstance(value, str):
        raise SandboxError(status, "invalid_field", f"{key} must be a string")
    limit = FIELD_LIMITS.get(key)
    if limit is not None and len(value) > limit:
        raise SandboxError(status, "invalid_field", f"{key} is longer than {limit} characters")
    return value


def _check_identifiers(line: dict, imei: str, serial: str, status: int) -> None:
    """IMEI / serial rules shared by the order POST and the orderline PATCH."""
    if line["state"] not in (2, 3):
        raise SandboxError(
            status,
            "line_not_accepted",
            f"orderline {line['id']} is in state {line['state']}: accept it before sending "
            "its IMEI or serial number",
        )
    if imei and line["quantity"] != 1:
        raise SandboxError(
            status,
            "invalid_quantity",
            f"orderline {line['id']} has quantity {line['quantity']}: one IMEI per line only",
        )
    if imei and not is_valid_imei(imei):
        raise SandboxError(
            status, "invalid_imei", f"{imei!r} is not a valid IMEI (15 digits, Luhn check)"
        )
    for key, value in (("imei", imei), ("serial_number", serial)):
        if value and line[key] and line[key] != value:
            raise SandboxError(
                status,
                "already_registered",
                f"orderline {line['id']} already has {key} {line[key]!r}; it cannot be corrected",
            )


class SandboxState:
    """The simulated seller account.

    `clock` (epoch seconds) drives dates, the rate limiter and order arrivals; tests
    inject a fake one. The rate limit is `rate_limit_requests` per `rate_limit_window_s`
    per token (sliding window), then a `rate_limit_block_s` block. `throttle_rate` answers
    that share of requests with the edge's 429 page as well, limit or not (no block follows).
    `latency_s` delays every /ws/ answer: the round trip to Back Market that loopback lacks.
    `state_file` keeps the orders across restarts (see the module's docstring); `orders`
    and `seed` only shape the first start on a new file.
    """

    def __init__(
        self,
        orders: int = 200,
        seed: int = 0,
        token: str = DEFAULT_TOKEN,
        rate_limit: bool = True,
        fault_rate: float = 0.0,
        arrival_rate: float = 0.0,
        *,
        throttle_rate: float = 0.0,
        clock: Callable[[], float] = time.time,
        rate_limit_requests: int = 200,
        rate_limit_window_s: float = 10.0,
        rate_limit_block_s: float = 10.0,
        slow_seconds: tuple[float, float] = (1.0, 2.0),
        latency_s: float = 0.0,
        state_file: str | Path | None = None,
    ):
        self.seed = seed
        self.token: str | None = token
        self.rate_limit = rate_limit
        self.fault_rate = fault_rate
        self.throttle_rate = throttle_rate  # share of /ws/ requests refused with a 429
        self.fail_next = 0  # the next n /ws/ requests answer 503, whatever fault_rate says
        self.arrival_rate = arrival_rate  # new paid orders per minute
        self.clock = clock
        self.rate_limit_requests = rate_limit_requests
        self.rate_limit_window_s = rate_limit_window_s
        self.rate_limit_block_s = rate_limit_block_s
        self.slow_seconds = slow_seconds
        self.latency_s = latency_s
        self.updates: list[dict] = []
        # Uploaded invoices by order id: (filename, PDF bytes), for tests to read.
        self.invoices: dict[int, tuple[str, bytes]] = {}
        self.requests = 0
        self.paths: Counter[str] = Counter()
        self.rate_limited = 0
        self.faults = 0

        self._lock = threading.RLock()
        self._raw: dict[int, bytes] = {}
        self._meta: dict[int, _Meta] = {}
        self._ids: list[int] = []  # ascending = oldest first
        self._by_modified: list[tuple[float, int]] = []
        self._line_order: dict[int, int] = {}
        self._last_line_id = 0
        self._deliveries: dict[int, dict] = {}
        self._queries: dict[tuple, list[int]] = {}
        self._hits: dict[str, deque[float]] = {}
        self._blocked_until: dict[str, float] = {}
        self._fault_rng = random.Random(f"faults:{seed}")
        # Its own generator: turning 429s on leaves the 5xx and slow draws as they were.
        self._throttle_rng = random.Random(f"throttle:{seed}")
        self._arrival_rng = random.Random(f"arrivals:{seed}")
        self._journal: IO[bytes] | None = None

        now = self.clock()
        saved, deliveries = read_state_file(Path(state_file)) if state_file else ({}, {})
        self.resumed = bool(saved)
        if saved:
            for order_id in sorted(saved):
                self._insert(saved[order_id])
            self._deliveries.update(deliveries)
            # Other buyers than the last run's new orders had.
            self._arrival_rng = random.Random(f"arrivals:{seed}:{self._ids[-1]}")
        else:
            self._generate(orders, seed, now)
        if state_file:
            self._journal = self._rewrite(Path(state_file))
        self._last_arrival = now
        self._arrival_credit = 0.0

    def _generate(self, orders: int, seed: int, now: float) -> None:
        for order in iter_orders(orders, seed, datetime.fromtimestamp(now, UTC)):
            self._insert(order)
            if order["is_backship"] and any(
                line["state"] in (2, 3, 5, 6) for line in order["orderlines"]
            ):
                accepted = parse_date(order["date_payment"]) + 1800
                self._deliveries[order["order_id"]] = backship_delivery(order, min(accepted, now))

    # --- state file ---------------------------------------------------------------------

    def _rewrite(self, path: Path) -> IO[bytes]:
        """Write the whole state compactly (one line per record), then append to it."""
        temporary = path.with_name(path.name + ".tmp")
        with temporary.open("wb") as out:
            for order_id in self._ids:
                out.write(_line("order", self._raw[order_id]))
            for label in self._deliveries.values():
                out.write(_line("delivery", _dumps(label)))
        os.replace(temporary, path)  # a sandbox killed meanwhile leaves the old file whole
        return path.open("ab")

    def _keep(self, kind: str, raw: bytes) -> None:
        if self._journal is not None:
            self._journal.write(_line(kind, raw))
            self._journal.flush()  # a killed sandbox loses nothing it answered

    def _add_delivery(self, order_id: int, label: dict) -> None:
        self._deliveries[order_id] = label
        self._keep("delivery", _dumps(label))

    def close(self) -> None:
        """Close the state file, if any."""
        with self._lock:
            if self._journal is not None:
                self._journal.close()
                self._journal = None

    # --- storage ------------------------------------------------------------------------

    def _insert(self, order: dict) -> None:
        order_id = order["order_id"]
        self._store(order)
        insort(self._ids, order_id)
        for line in order["orderlines"]:
            self._line_order[line["id"]] = order_id
            self._last_line_id = max(self._last_line_id, line["id"])

    def _store(self, order: dict) -> None:
        order_id = order["order_id"]
        old = self._meta.get(order_id)
        meta = _Meta(
            order["state"],
            order["country_code"],
            old.created if old else parse_date(order["date_creation"]),
            parse_date(order["date_modification"]),
        )
        if old:
            del self._by_modified[bisect_left(self._by_modified, (old.modified, order_id))]
        insort(self._by_modified, (meta.modified, order_id))
        self._raw[order_id] = _dumps(order)
        self._meta[order_id] = meta
        self._queries.clear()
        self._keep("order", self._raw[order_id])

    def _raw_order(self, order_id: int) -> bytes:
        raw = self._raw.get(order_id)
        if raw is None:
            raise SandboxError(404, "not_found", f"order {order_id} not found")
        return raw

    def _load(self, order_id: int) -> dict:
        return json.loads(self._raw_order(order_id))

    def _save(self, order: dict, now: float) -> None:
        """Derive the order state, bump date_modification (in the order's offset style), store."""
        order["state"] = order_state(
            (line["state"] for line in order["orderlines"]), order["state"]
        )
        modified = max(now, self._meta[order["order_id"]].modified)
        order["date_modification"] = self._date(order, modified)
        self._store(order)

    @staticmethod
    def _date(order: dict, t: float) -> str:
        return format_date(t, paris=not order["date_creation"].endswith("Z"))

    # --- reads --------------------------------------------------------------------------

    def order(self, order_id: int) -> dict:
        """One order as a fresh dict (raises SandboxError 404)."""
        with self._lock:
            return self._load(order_id)

    def order_json(self, order_id: int) -> bytes:
        """One order as the JSON the API serves (raises SandboxError 404)."""
        with self._lock:
            return self._raw_order(order_id)

    def order_ids(self) -> list[int]:
        with self._lock:
            return list(self._ids)

    def list_orders(
        self,
        *,
        state: int | None = None,
        created_since: float | None = None,
        modified_since: float | None = None,
        country_code: str | None = None,
        page: int = 1,
        page_size: int = 10,
    ) -> tuple[int, list[bytes]]:
        """(count, records of the page). Pages run newest first; a page is sorted by order_id.

        Out-of-range pages raise SandboxError 404 ("Invalid page.") like Django REST framework.
        """
        with self._lock:
            key = (state, created_since, modified_since, country_code)
            ids = self._queries.get(key)
            if ids is None:
                if len(self._queries) >= _MAX_CACHED_QUERIES:
                    self._queries.clear()
                # Cached until the next change: following `next` costs a slice, not a scan.
                ids = self._queries[key] = self._match(*key)
            if page < 1 or (page - 1) * page_size >= max(len(ids), 1):
                raise SandboxError(404, "invalid_page", "Invalid page.")
            records = [
                self._malformed(order_id) or self._raw[order_id]
                for order_id in sorted(ids[(page - 1) * page_size : page * page_size])
            ]
            return len(ids), records

    def _match(self, state, created_since, modified_since, country_code) -> list[int]:
        """Ids of the orders matching the filters, newest first."""
        if modified_since is None:
            candidates: Iterable[int] = reversed(self._ids)
        else:  # the recently modified few, found by bisection, back in id order
            start = bisect_left(self._by_modified, (modified_since, -1))
            candidates = sorted((oid for _, oid in self._by_modified[start:]), reverse=True)

        def keep(meta: _Meta) -> bool:
            if state is None and meta.state in HIDDEN_BY_DEFAULT:
                return False
            return (
                (state is None or meta.state == state)
                and (country_code is None or meta.country_code == country_code)
                and (created_since is None or meta.created >= created_since)
            )

        return [oid for oid in candidates if keep(self._meta[oid])]

    def deliveries(self, order_id: int) -> list[dict]:
        """BackShip labels of an order: one once a line was accepted, none before."""
        with self._lock:
            label = self._deliveries.get(order_id)
            return [dict(label)] if label else []

    def backship_label(self, label_url: str) -> tuple[dict, dict] | None:
        """(delivery, order) of the BackShip label at `label_url`, if there is one."""
        with self._lock:
            for order_id, delivery in self._deliveries.items():
                if delivery["labelUrl"] == label_url:
                    return dict(delivery), self._load(order_id)
        return None

    # --- seller updates -----------------------------------------------------------------

    def update_order(self, order_id: int, body: object) -> bytes:
        """Apply `POST /ws/orders/{order_id}`; everything is validated before anything changes."""
        with self._lock:
            order = self._load(order_id)
            if not isinstance(body, dict):
                raise SandboxError(400, "invalid_body", "the body must be a JSON object")
            if "order_id" in body and _as_int(body["order_id"]) != order_id:
                raise SandboxError(400, "invalid_field", "order_id does not match the URL")
            new_state = _as_int(body.get("new_state"))
            if new_state not in _TRANSITIONS:
                raise SandboxError(400, "invalid_field", "new_state must be one of 2, 3, 4, 5, 6")
            text = {key: _text(body, key, 400) for key in _UPDATE_TEXT_FIELDS}
            if body.get("vat_type") not in (None, "REGULAR", "MARGINAL"):
                raise SandboxError(400, "invalid_field", "vat_type must be REGULAR or MARGINAL")
            return_reason = _as_int(body.get("return_reason"))
            reason_expected = new_state == 6 or body.get("return_reason") is not None
            if reason_expected and return_reason not in RETURN_REASONS:
                raise SandboxError(400, "invalid_field", "return_reason is missing or unknown")
            moving = self._moving_lines(order, new_state, text["sku"])
            now = self.clock()
            shipping = self._shipping(order, body, text, now) if new_state == 3 else {}
            # Cancelled and refunded lines are not counted: they are not shipped.
            live = [line for line in order["orderlines"] if line["state"] not in FINAL_LINE_STATES]
            if text["imei"] or text["serial_number"]:
                if len(live) != 1 or live[0]["quantity"] != 1:
                    raise SandboxError(
                        400,
                        "multiple_lines",
                        "imei and serial_number on an order apply only to a single line of "
                        "quantity 1; use PATCH /ws/orderlines/{id} for each line",
                    )
                after = {**live[0], "state": new_state if live[0] in moving else live[0]["state"]}
                _check_identifiers(after, text["imei"], text["serial_number"], 400)

            for line in moving:
                line["state"] = new_state
                if new_state in (5, 6) and return_reason is not None:
                    line["return_reason"] = return_reason
                    line["return_message"] = text["return_message"]
            order.update(shipping)
            for key in ("imei", "serial_number"):
                if text[key]:
                    live[0][key] = text[key]
            if new_state == 2 and order["is_backship"] and order_id not in self._deliveries:
                self._add_delivery(order_id, backship_delivery(order, now))
            self._save(order, now)
            return self._raw[order_id]

    def _moving_lines(self, order: dict, new_state: int, sku: str) -> list[dict]:
        lines = order["orderlines"]
        if new_state == 3 and any(line["state"] == 1 for line in lines):
            raise SandboxError(
                400,
                "not_accepted",
                f"order {order['order_id']} has lines awaiting acceptance: accept or cancel "
                "them before shipping",
            )
        if sku:
            return [self._line_by_sku(lines, sku, _TRANSITIONS[new_state])]
        if new_state != 3:
            raise SandboxError(400, "missing_field", "sku is required")
        moving = [line for line in lines if line["state"] == 2]
        if not moving and any(line["state"] == 3 for line in lines):
            # A ship update on a shipped order replaces its tracking (a reship after a voided
            # label); no line moves. (The contract is silent here; this is what sellers rely on.)
            return []
        if not moving:
            raise SandboxError(
                400, "invalid_transition", f"order {order['order_id']} has no accepted line to ship"
            )
        return moving

    def _shipping(self, order: dict, body: dict, text: dict, now: float) -> dict:
        """The order fields a shipping update sets."""
        tracking_number = "".join(text["tracking_number"].split())  # stored without spaces
        if not tracking_number:
            raise SandboxError(400, "missing_field", "tracking_number is required")
        if not text["shipper"]:
            raise SandboxError(400, "missing_field", "shipper is required")
        shipped = now
        if body.get("date_shipping"):
            shipped = parse_date_param(body["date_shipping"], "date_shipping")
        return {
            "tracking_number": tracking_number,
            "tracking_url": text["tracking_url"],
            "shipper": text["shipper"],
            "shipper_display": text["shipper"],
            "date_shipping": self._date(order, shipped),
        }

    @staticmethod
    def _line_by_sku(lines: list[dict], sku: str, required_state: int) -> dict:
        matching = [line for line in lines if line["listing"] == sku]
        if not matching:
            raise SandboxError(400, "unknown_sku", f"no orderline with sku {sku!r} in this order")
        line = next((line for line in matching if line["state"] == required_state), matching[0])
        if line["state"] != required_state:
            raise SandboxError(
                400,
                "invalid_transition",
                f"orderline {line['id']} (sku {sku!r}) is in state {line['state']}, "
                f"not {required_state}",
            )
        return line

    def set_line_identifiers(self, orderline_id: int, body: object) -> dict:
        """Apply `PATCH /ws/orderlines/{id}`; returns the registered fields."""
        with self._lock:
            order_id = self._line_order.get(orderline_id)
            if order_id is None:
                raise SandboxError(404, "not_found", f"orderline {orderline_id} not found")
            if not isinstance(body, dict):
                raise SandboxError(400, "invalid_body", "the body must be a JSON object")
            order = self._load(order_id)
            line = next(line for line in order["orderlines"] if line["id"] == orderline_id)
            imei, serial = _text(body, "imei", 422), _text(body, "serial_number", 422)
            if not imei and not serial:
                raise SandboxError(422, "missing_field", "imei or serial_number is required")
            _check_identifiers(line, imei, serial, 422)
            given = {
                key: value for key, value in (("imei", imei), ("serial_number", serial)) if value
            }
            line.update(given)
            self._save(order, self.clock())
            return given

    def upload_invoice(self, order_id: int, filename: str, data: bytes) -> dict:
        """Apply `POST /ws/orders/{id}/invoice`: keep the PDF, set `date_bill_provided`."""
        with self._lock:
            order = self._load(order_id)
            if not data.startswith(b"%PDF-"):
                raise SandboxError(400, "invalid_field", "the invoice must be a PDF file")
            if len(data) > MAX_INVOICE_BYTES:
                raise SandboxError(400, "invalid_field", "the invoice is larger than 10 MB")
            now = self.clock()
            self.invoices[order_id] = (filename, data)
            order["date_bill_provided"] = self._date(order, now)
            self._save(order, now)
            return {"order_id": order_id, "date_bill_provided": order["date_bill_provided"]}

    # --- admin --------------------------------------------------------------------------

    def add_order(self, order: object) -> int:
        """A given order, as is: tests shape the order they need. Its ids must be new."""
        problem = _malformed(order)
        with self._lock:
            if problem is None and order["order_id"] in self._raw:
                problem = f"order {order['order_id']} exists already"
            if problem is None and any(
                line["id"] in self._line_order for line in order["orderlines"]
            ):
                problem = "an orderline id exists already"
            if problem is not None:
                raise SandboxError(400, "invalid_field", problem)
            self._insert(order)
            return order["order_id"]

    def create_orders(self, count: int) -> list[int]:
        """`count` new paid orders (state 1), placed now."""
        with self._lock:
            now = self.clock()
            return [self._arrive(now) for _ in range(count)]

    def _arrive(self, at: float) -> int:
        order_id = (
            self._ids[-1] + 1 + int(self._arrival_rng.random() * 4) if self._ids else 75_000_000
        )
        line_id = self._last_line_id + 1 + int(self._arrival_rng.random() * 3)
        order = new_order(self._arrival_rng, order_id, line_id, datetime.fromtimestamp(at, UTC))
        self._insert(order)
        return order_id

    def receive_arrivals(self) -> None:
        """Lazily add the orders that arrived since the last call (`arrival_rate` per minute)."""
        with self._lock:
            now = self.clock()
            elapsed, self._last_arrival = max(now - self._last_arrival, 0.0), now
            if not self.arrival_rate:
                return
            self._arrival_credit += elapsed * self.arrival_rate / 60
            count = int(self._arrival_credit)
            self._arrival_credit -= count
            # Spread their dates over the elapsed time, as if they had come one by one.
            for i in range(count):
                self._arrive(now - elapsed + elapsed * (i + 1) / count)

    def customer_cancel(self, order_id: int) -> dict:
        """The buyer cancels: unshipped lines become 4 (cancelled) or 5 (refunded if accepted)."""
        with self._lock:
            order = self._load(order_id)
            cancellable = [line for line in order["orderlines"] if line["state"] in (0, 1, 2, 8, 9)]
            if not cancellable:
                raise SandboxError(
                    409, "nothing_to_cancel", f"order {order_id} has no unshipped line"
                )
            for line in cancellable:
                line["state"] = 5 if line["state"] == 2 else 4
            self._save(order, self.clock())
            return order

    def customer_return(self, order_id: int, body: object) -> dict:
        """Back Market refunds a return: the shipped lines (or the one `sku` names) become 6
        (refunded after shipping) with the return reason, as its customer service does."""
        with self._lock:
            order = self._load(order_id)
            if not isinstance(body, dict):
                raise SandboxError(400, "invalid_body", "the body must be a JSON object")
            return_reason = _as_int(body.get("return_reason"))
            if return_reason not in RETURN_REASONS:
                raise SandboxError(400, "invalid_field", "return_reason is missing or unknown")
            sku, message = _text(body, "sku", 400), _text(body, "return_message", 400)
            if sku:
                returned = [self._line_by_sku(order["orderlines"], sku, 3)]
            else:
                returned = [line for line in order["orderlines"] if line["state"] == 3]
            if not returned:
                raise SandboxError(
                    409, "nothing_to_refund", f"order {order_id} has no shipped line"
                )
            for line in returned:
                line.update(state=6, return_reason=return_reason, return_message=message)
            self._save(order, self.clock())
            return order

    def rotate_token(self, token: str) -> None:
        with self._lock:
            self.token = token

    def revoke_token(self) -> None:
        with self._lock:
            self.token = None

    def stats(self) -> dict:
        with self._lock:
            return {
                "requests": self.requests,
                "orders": len(self._raw),
                "paths": dict(self.paths),
                "rate_limited": self.rate_limited,
                "faults": self.faults,
                "updates": len(self.updates),
            }

    # --- edge: auth, rate limit, faults, logs -------------------------------------------

    def authorized(self, authorization: str | None) -> bool:
        """The token is compared verbatim, exactly as the Back Office shows it."""
        return self.token is not None and authorization == f"Basic {self.token}"

    def count_request(self, route: str) -> None:
        with self._lock:
            self.requests += 1
            self.paths[route] += 1

    def admit(self, key: str) -> bool:
        """Sliding-window rate limit per token; over the limit, the token is blocked a while.

        With `throttle_rate`, a share of requests is refused as well, like an edge that
        counts other traffic against the account.
        """
        with self._lock:
            if self.throttle_rate > 0 and self._throttle_rng.random() < self.throttle_rate:
                self.rate_limited += 1
                return False
            if not self.rate_limit:
                return True
            now = self.clock()
            if self._blocked_until.get(key, 0.0) > now:
                self.rate_limited += 1
                return False
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.rate_limit_window_s:
                hits.popleft()
            if len(hits) >= self.rate_limit_requests:
                self._blocked_until[key] = now + self.rate_limit_block_s
                hits.clear()
                self.rate_limited += 1
                return False
            hits.append(now)
            return True

    def draw_fault(self) -> Fault | None:
        """A 5xx with probability fault_rate, else a slow answer with probability fault_rate/4."""
        with self._lock:
            if self.fail_next > 0:
                self.fail_next -= 1
                self.faults += 1
                return Fault(0.0, 503)
            rate = self.fault_rate
            if rate <= 0:
                return None
            rng = self._fault_rng
            draw = rng.random()
            if draw < rate:
                self.faults += 1
                return Fault(0.0, (500, 502, 503, 504)[int(rng.random() * 4)])
            if draw < rate * 1.25:
                return Fault(rng.uniform(*self.slow_seconds), None)
            return None

    def malformed_kind(self, order_id: int) -> str | None:
        """Which field a listing breaks for this order, if any: the same answer every time."""
        digest = zlib.crc32(f"{self.seed}:{order_id}".encode())
        if digest / 2**32 >= self.fault_rate / 20:
            return None
        return ("order_id", "orderlines")[digest & 1]

    def _malformed(self, order_id: int) -> bytes | None:
        kind = self.malformed_kind(order_id)
        if kind is None:
            return None
        order = json.loads(self._raw[order_id])
        order[kind] = "abc" if kind == "order_id" else None
        return _dumps(order)

    def record_update(self, method: str, path: str, body: object, status: int) -> None:
        with self._lock:
            self.updates.append(
                {
                    "method": method,
                    "path": path,
                    "body": body,
                    "status": status,
                    "at": datetime.fromtimestamp(self.clock(), UTC).isoformat(),
                }
            )
            del self.updates[:-_MAX_LOGGED_UPDATES]  # a long benchmark must not grow it forever


def parse_date_param(value: object, name: str) -> float:
    """RFC 3339 or `YYYY-MM-DD HH:MM:SS` (naive = UTC) -> epoch seconds; SandboxError 400."""
    if isinstance(value, str):
        # An unencoded `+01:00` in a query string arrives as ` 01:00`.
        text = value.strip()
        if len(text) > 19 and text[-6] == " " and text[-3] == ":":
            text = text[:-6] + "+" + text[-5:]
        try:
            return parse_date(text)
        except ValueError:
            pass
    raise SandboxError(
        400, "invalid_field", f"{name} must be an RFC 3339 date or YYYY-MM-DD HH:MM:SS"
    )
