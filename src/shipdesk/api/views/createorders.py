"""/orders/createorders: up to 100 createorder calls in one, each answered on its own."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import Http404
from ninja import Body, Router, Schema
from pydantic import ValidationError

from shipdesk.api import order_update, schemas
from shipdesk.api.views import ERRORS, field_errors
from shipdesk.core.netguard import Refused
from shipdesk.orders.actions import OrderActionError

router = Router(tags=["orders"])

MAX_ORDERS = 100
Orders = Annotated[
    list[dict[str, Any]],
    Body(
        ...,
        min_length=1,
        max_length=MAX_ORDERS,
        description="a JSON array of up to 100 orders, each as POST /orders/createorder takes",
    ),
]


class CreateOrderResult(Schema):
    orderId: int | None = schemas.Field(description="null when the order was refused")
    orderNumber: str | None
    orderKey: str | None
    success: bool
    errorMessage: str | None


class CreateOrdersResult(Schema):
    hasErrors: bool
    results: list[CreateOrderResult]


def _create_one(request, raw: dict[str, Any]) -> dict:
    """One order's createorder, in its own transaction; a refusal is its result's message."""
    try:
        body = schemas.CreateOrder.model_validate(raw)
        order = order_update.save(body, user=request.user)
    except ValidationError as exc:
        error = f"invalid request: {field_errors(exc.errors())}"
    except (OrderActionError, Refused, schemas.InvalidDate, Http404) as exc:
        error = str(exc)
    else:
        return {
            "orderId": order.pk,
            "orderNumber": order.order_number,
            "orderKey": order.order_key,
            "success": True,
            "errorMessage": None,
        }
    number, key = raw.get("orderNumber"), raw.get("orderKey")
    return {
        "orderId": None,
        "orderNumber": number if isinstance(number, str) else None,
        "orderKey": key if isinstance(key, str) else None,
        "success": False,
        "errorMessage": error,
    }


@router.post(
    "/createorders",
    response={200: CreateOrdersResult, **ERRORS},
    summary="Create or update several orders",
)
def create_orders(request, orders: Orders):
    """Each order as POST /orders/createorder does it (a manual order created, or an order
    updated), in its own transaction: a refused order is said in its result and the others
    are still saved. `hasErrors` says whether any was refused."""
    results = [_create_one(request, raw) for raw in orders]
    return {"hasErrors": not all(r["success"] for r in results), "results": results}
