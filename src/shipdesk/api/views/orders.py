"""/orders: list, get, createorder (create a manual order, or update), markasshipped,
createlabelfororder, hold, tags, delete."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404
from django.utils.translation import override
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from shipdesk.api import order_update, schemas, shipstation
from shipdesk.api.views import ERRORS, date_range, get_or_404, page_of, refuse_test_labels, sort
from shipdesk.api.views.accounts import carrier_account
from shipdesk.carriers import services
from shipdesk.notifications.models import WebhookBatch
from shipdesk.orders import actions, assignment
from shipdesk.orders.actions import OrderActionError, add_tag, hold, release, remove_tag
from shipdesk.orders.models import Order, OrderItem, Tag
from shipdesk.shipping.actions import ship_order
from shipdesk.shipping.models import Shipment

router = Router(tags=["orders"])

SORT_FIELDS = {"OrderDate": "order_date", "ModifyDate": "modified_at", "CreateDate": "created_at"}


def live_orders():
    return Order.objects.filter(deleted=False)


def order_json(pk: int) -> dict:
    return shipstation.order(shipstation.with_related(Order.objects.filter(pk=pk)).get())


def orders_page(qs, *, page: int, size: int) -> dict:
    """ShipStation's envelope of orders, each with its customerId as the customers were last
    refreshed (the worker does it every minute: a read of orders writes nothing)."""
    return page_of(
        qs,
        key="orders",
        page=page,
        size=size,
        shape=shipstation.order,
        prepare=shipstation.with_related,
    )


def filter_orders(qs, q: schemas.OrderQuery):
    if q.customerName:
        qs = qs.filter(
            Q(ship_to__name__icontains=q.customerName)
            | Q(bill_to__name__icontains=q.customerName)
            | Q(customer_username__icontains=q.customerName)
        )
    if q.itemKeyword:
        items = OrderItem.objects.filter(
            Q(sku__icontains=q.itemKeyword) | Q(name__icontains=q.itemKeyword)
        )
        qs = qs.filter(pk__in=items.values("order_id"))
    if q.orderNumber:
        qs = qs.filter(order_number__istartswith=q.orderNumber)
    if q.orderStatus:
        qs = qs.filter(status=q.orderStatus)
    if q.storeId:
        qs = qs.filter(store_id=q.storeId)
    if q.importBatch:
        batch = WebhookBatch.objects.filter(uuid=q.importBatch, kind="orders").first()
        qs = qs.filter(pk__in=batch.object_ids if batch else [])
    qs = date_range(qs, "created_at", q.createDateStart, q.createDateEnd)
    qs = date_range(qs, "modified_at", q.modifyDateStart, q.modifyDateEnd)
    qs = date_range(qs, "order_date", q.orderDateStart, q.orderDateEnd)
    return date_range(qs, "payment_date", q.paymentDateStart, q.paymentDateEnd)


@router.get("", response={200: schemas.OrderPage, **ERRORS}, summary="List orders")
def list_orders(request, q: Query[schemas.OrderQuery]):
    """Filter, sort and page orders (pageSize up to 500); ShipStation's envelope."""
    qs = filter_orders(live_orders(), q)
    qs = sort(qs, SORT_FIELDS[q.sortBy or "OrderDate"], q.sortDir)
    return orders_page(qs, page=q.page, size=q.pageSize)


@router.get("/{int:orderId}", response={200: schemas.Order, **ERRORS}, summary="Get an order")
def get_order(request, orderId: schemas.Id):
    get_or_404(live_orders(), "order", orderId)
    return order_json(orderId)


@router.delete(
    "/{int:orderId}", response={200: schemas.Success, **ERRORS}, summary="Delete an order"
)
def delete_order(request, orderId: schemas.Id):
    """Soft delete: the order leaves every list; Back Market is not told."""
    order = get_or_404(live_orders(), "order", orderId)
    actions.delete_order(order, user=request.user, source="api")
    return {"success": True, "message": "The requested order has been deleted."}


@router.post(
    "/createorder",
    response={200: schemas.Order, **ERRORS},
    summary="Create a manual order, or update an order (by orderKey)",
)
def create_order(request, body: schemas.CreateOrder):
    """With the orderKey (or orderId) of an order shipdesk has: update its seller-owned
    fields: notes, gift, weights, dimensions, carrier / service / package, confirmation, tags,
    hold (orderStatus on_hold + holdUntilDate), warehouseId, custom fields and each item's
    warehouseLocation and weight. A field left out keeps its value; Back Market's fields
    (addresses, items, amounts, dates) are read-only and ignored. Only open orders
    (awaiting payment or shipment, on hold) can be updated.

    With an orderKey shipdesk does not know, or neither orderKey nor orderId: create a
    manual order in the "Manual orders" store (orderNumber, orderDate, orderStatus, billTo,
    shipTo and items required; 400 naming each missing field). It ships, gets labels and is
    packed like any order; Back Market is never told of it. A manual order posted again
    with its shipTo and items is replaced, until it ships.
    """
    order = order_update.save(body, user=request.user)
    return order_json(order.pk)


def _mark_shipped(request, body: schemas.MarkShipped):
    order = get_or_404(live_orders(), "order", body.orderId)
    ship_order(
        order,
        carrier_code=body.carrierCode,
        tracking_number=body.trackingNumber or "",
        ship_date=schemas.parse_date(body.shipDate) if body.shipDate else None,
        notify_customer=body.notifyCustomer,
        notify_backmarket=body.notifySalesChannel,
        user=request.user,
        source="api",
    )
    return {"orderId": order.pk, "orderNumber": order.order_number}


@router.post(
    "/markasshipped",
    response={200: schemas.MarkShippedResult, **ERRORS},
    summary="Mark an order as shipped",
)
def mark_as_shipped(request, body: schemas.MarkShipped):
    """Record the shipment and notify Back Market (notifySalesChannel), as the UI does.

    Refused (400, the message says why) for a cancelled, shipped or held order and for a
    phone without a valid IMEI / serial number; IMEIs written in internalNotes count.
    """
    return _mark_shipped(request, body)


@router.post(
    "/markshipped",
    response={200: schemas.MarkShippedResult, **ERRORS},
    summary="Mark an order as shipped (alias)",
)
def mark_shipped(request, body: schemas.MarkShipped):
    """The spelling some clients use for /orders/markasshipped."""
    return _mark_shipped(request, body)


@router.post(
    "/createlabelfororder",
    response={200: schemas.Shipment, **ERRORS},
    summary="Create a label for an order",
)
def create_label_for_order(request, body: schemas.CreateLabelForOrder):
    """Buy the label from the carrier account and ship the order with it: the shipment
    answered with its label PDF in `labelData` (base64), Back Market notified and the
    customer emailed as the store is set to, as markasshipped does.

    Refused (400, the message says why) for an order that cannot ship (cancelled, shipped,
    held, a phone without a valid IMEI / serial number) before anything is bought, and when
    the carrier refuses the label; 404 for an unknown order or no active account.
    """
    refuse_test_labels(body.testLabel)
    order = get_or_404(live_orders().select_related("store"), "order", body.orderId)
    account = carrier_account(body.carrierCode, body.shippingProviderId)
    result = services.ship_with_label(
        order,
        account,
        body.serviceCode,
        package=body.packageCode,
        weight_grams=body.weight.grams() if body.weight else None,
        dimensions_cm=body.dimensions.sides() if body.dimensions else None,
        notify_customer=order.store.email_shipment_confirmation,
        user=request.user,
        source="api",
    )
    if not result.ok:
        reasons = "; ".join(str(m) for m in result.messages) or "no label in its answer"
        raise HttpError(400, f"{account.name} refused the label: {reasons}")
    shipment = Shipment.objects.select_related("order__ship_to").get(pk=result.shipment.pk)
    return shipstation.labelled_shipment(shipment)


@router.post("/holduntil", response={200: schemas.Success, **ERRORS}, summary="Hold an order")
def hold_until(request, body: schemas.HoldUntil):
    order = get_or_404(live_orders(), "order", body.orderId)
    until = schemas.parse_date(body.holdUntilDate) if body.holdUntilDate else None
    hold(order, until=until, user=request.user, source="api")
    return {"success": True, "message": "Order held successfully."}


@router.post(
    "/restorefromhold", response={200: schemas.Success, **ERRORS}, summary="Release a held order"
)
def restore_from_hold(request, body: schemas.OrderRef):
    order = get_or_404(live_orders(), "order", body.orderId)
    release(order, user=request.user, source="api")
    return {"success": True, "message": "Order restored successfully."}


with override("en"):  # the API speaks English, whatever language imports this module
    RETURN_REASONS = actions.return_reasons_said()


@router.post(
    "/refundline",
    response={200: schemas.Success, **ERRORS},
    summary="Refund a line on Back Market (shipdesk)",
    description="An accepted line is refunded before shipping (Back Market state 5); a shipped "
    "line after its return (state 6), with Back Market's return reason: "
    + RETURN_REASONS
    + ". Sent once, through the outbox; a refusal answers 400 with Back Market's reason.",
)
def refund_line(request, body: schemas.RefundLine):
    order = get_or_404(live_orders(), "order", body.orderId)
    actions.refund_line(
        order,
        sku=body.sku,
        reason=body.returnReason,
        message=body.returnMessage.strip(),
        user=request.user,
        source="api",
    )
    return {"success": True, "message": "Line refunded successfully."}


def _order_and_tag(body: schemas.OrderTag) -> tuple[Order, Tag]:
    order = get_or_404(live_orders(), "order", body.orderId)
    tag = Tag.objects.filter(pk=body.tagId).first()
    if tag is None:
        raise Http404(f"tag {body.tagId} not found; see GET /accounts/listtags")
    return order, tag


@router.post("/addtag", response={200: schemas.Success, **ERRORS}, summary="Tag an order")
def add_order_tag(request, body: schemas.OrderTag):
    order, tag = _order_and_tag(body)
    add_tag(order, tag, user=request.user, source="api")
    return {"success": True, "message": "Tag added successfully."}


@router.post("/removetag", response={200: schemas.Success, **ERRORS}, summary="Untag an order")
def remove_order_tag(request, body: schemas.OrderTag):
    order, tag = _order_and_tag(body)
    if not order.tags.filter(pk=tag.pk).exists():
        raise OrderActionError(f"order {order.order_number} has no tag {tag.name!r}")
    remove_tag(order, tag, user=request.user, source="api")
    return {"success": True, "message": "Tag removed successfully."}


# Tags and users: listbytag, assignuser, unassignuser.


class ListByTag(Schema):
    orderStatus: schemas.OrderStatus
    tagId: schemas.Id
    page: schemas.Page = 1
    pageSize: schemas.PageSize = 100


class AssignUser(Schema):
    orderIds: list[schemas.Id] = Field(min_length=1, max_length=500)
    userId: str = Field(pattern=r"^[0-9]{1,18}$", description="GET /users' userId")


class UnassignUser(Schema):
    orderIds: list[schemas.Id] = Field(min_length=1, max_length=500)


@router.get("/listbytag", response={200: schemas.OrderPage, **ERRORS}, summary="List orders by tag")
def list_by_tag(request, q: Query[ListByTag]):
    """The orders in a status that carry a tag, oldest order first, in pages."""
    if not Tag.objects.filter(pk=q.tagId).exists():
        raise Http404(f"tag {q.tagId} not found; see GET /accounts/listtags")
    qs = live_orders().filter(status=q.orderStatus, tags=q.tagId)
    return orders_page(sort(qs, "order_date", "ASC"), page=q.page, size=q.pageSize)


def _orders(ids: list[int]):
    """The orders with these ids; 404 naming those shipdesk does not have."""
    orders = live_orders().filter(pk__in=ids)
    missing = sorted(set(ids) - set(orders.values_list("pk", flat=True)))
    if missing:
        raise Http404(f"orders not found: {', '.join(map(str, missing))}")
    return orders


@router.post("/assignuser", response={200: schemas.Success, **ERRORS}, summary="Assign a user")
def assign_user(request, body: AssignUser):
    """Assign the orders to a user (GET /users), who finds them under "My orders"."""
    user = get_user_model().objects.filter(pk=int(body.userId), is_active=True).first()
    if user is None:
        raise Http404(f"user {body.userId} not found; see GET /users")
    assignment.assign(_orders(body.orderIds), user, by=request.user, source="api")
    return {"success": True, "message": "User assigned successfully."}


@router.post("/unassignuser", response={200: schemas.Success, **ERRORS}, summary="Unassign")
def unassign_user(request, body: UnassignUser):
    """The orders are assigned to nobody."""
    assignment.assign(_orders(body.orderIds), None, by=request.user, source="api")
    return {"success": True, "message": "User unassigned successfully."}
