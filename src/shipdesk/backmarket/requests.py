"""The Back Market requests shipdesk makes, built without sending them.

Pure: each builder checks its arguments and returns a `Request` (method, path, JSON body,
query). `BackMarketClient.send` sends one; the outbox records the same value as what it
sent, so what is logged is exactly what went out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .states import LineState, ReturnReason

MAX_PAGE_SIZE = 50


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    json: dict[str, Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """What an attempt log keeps of the request: everything but the credentials."""
        return {"method": self.method, "path": self.path, "body": self.json}


# Reads


def list_orders(
    *,
    state: int | None = None,
    date_modification: datetime | None = None,
    date_creation: datetime | None = None,
    country_code: str | None = None,
    page_size: int = MAX_PAGE_SIZE,
) -> Request:
    """The first page of `GET /ws/orders`; dates are "since" filters."""
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
    params: dict[str, Any] = {"page-size": page_size}
    if state is not None:
        params["state"] = int(state)
    if date_creation is not None:
        params["date_creation"] = _format_since(date_creation)
    if date_modification is not None:
        params["date_modification"] = _format_since(date_modification)
    if country_code is not None:
        params["country_code"] = country_code
    return Request("GET", "/ws/orders", params=params)


def get_order(order_id: int) -> Request:
    return Request("GET", f"/ws/orders/{int(order_id)}")


def list_deliveries(order_id: int) -> Request:
    """BackShip deliveries (labels bought through Back Market) of an order."""
    return Request("GET", "/ws/shipping/v1/deliveries", params={"order_id": int(order_id)})


def check_token() -> Request:
    """One cheap authenticated read."""
    return Request("GET", "/ws/orders", params={"page-size": 1})


# Updates: line transitions the seller makes (Back Market derives the order state from them).


def accept_line(order_id: int, sku: str) -> Request:
    return _update_order(order_id, {"new_state": int(LineState.ACCEPTED), "sku": _sku(sku)})


def cancel_line(order_id: int, sku: str) -> Request:
    return _update_order(order_id, {"new_state": int(LineState.CANCELLED), "sku": _sku(sku)})


def refund_line(
    order_id: int, sku: str, *, shipped: bool, return_reason: int | None = None, return_message=""
) -> Request:
    """Refund a line: an accepted one before shipping (5), a shipped one after a return (6,
    with Back Market's return reason)."""
    if not shipped:
        body: dict[str, Any] = {"new_state": int(LineState.REFUNDED_BEFORE_SHIPPING)}
    elif return_reason is None:
        raise ValueError("return_reason is required to refund a line after shipping")
    else:
        body = {"new_state": int(LineState.REFUNDED_AFTER_SHIPPING)}
    if return_reason is not None:
        body["return_reason"] = int(ReturnReason(return_reason))
    if return_message:
        body["return_message"] = return_message
    return _update_order(order_id, {**body, "sku": _sku(sku)})


def ship_order(
    order_id: int,
    *,
    tracking_number: str,
    shipper: str,
    date_shipping: datetime,
    tracking_url: str = "",
    imei: str = "",
    serial_number: str = "",
) -> Request:
    """Move every accepted line to shipped.

    An IMEI / serial number here applies only to an order of a single line of quantity 1
    (see `rules`); other orders send theirs with `set_line_identifiers`.
    """
    # Back Market requires tracking numbers without spaces; carriers print them spaced.
    tracking_number = "".join(tracking_number.split())
    if not tracking_number:
        raise ValueError("tracking_number is required to ship")
    body: dict[str, Any] = {
        "new_state": int(LineState.SHIPPED),
        "tracking_number": tracking_number,
        "tracking_url": tracking_url,
        "shipper": shipper,
        "date_shipping": _format_rfc3339(date_shipping),
    }
    body.update(_identifiers(imei, serial_number))
    return _update_order(order_id, body)


def set_line_identifiers(line_id: int, *, imei: str = "", serial_number: str = "") -> Request:
    """Register a line's IMEI and/or serial number. Back Market never lets it change."""
    body = _identifiers(imei, serial_number)
    if not body:
        raise ValueError("imei or serial_number is required")
    return Request("PATCH", f"/ws/orderlines/{int(line_id)}", json=body)


def _update_order(order_id: int, changes: dict[str, Any]) -> Request:
    order_id = int(order_id)
    return Request("POST", f"/ws/orders/{order_id}", json={"order_id": order_id, **changes})


def _sku(sku: str) -> str:
    if not sku:
        raise ValueError("sku is required")
    return sku


def _identifiers(imei: str, serial_number: str) -> dict[str, str]:
    return {
        key: value for key, value in (("imei", imei), ("serial_number", serial_number)) if value
    }


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
