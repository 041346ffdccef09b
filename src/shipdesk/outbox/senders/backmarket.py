"""Back Market updates: accept a line, cancel a line, ship an order — each exactly once.

A message is one action on one order; its steps are Back Market requests (shipping: the
plan of `backmarket.plan`), made in order, each written to `steps_done` as soon as it
succeeded so a retry never repeats one. After a lost answer (a retry, or a lease taken over
from a worker that died) Back Market's copy of the order is read first and what it already
shows counts as done. A new action (refund, invoice) is one more entry in ACTIONS: its steps
and what Back Market's copy shows once one is applied. An invoice is one upload (`_upload_invoice`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time

from django.conf import settings
from django.utils import timezone

from shipdesk.backmarket import requests
from shipdesk.backmarket.client import RetryPolicy
from shipdesk.backmarket.errors import BackMarketError, NotFound, TokenRejected, UpdateRejected
from shipdesk.backmarket.plan import Accept, SetIdentifiers, Ship, Shipping, plan_shipment
from shipdesk.backmarket.states import CANCELLED_LINE_STATES, LineState
from shipdesk.invoices import actions as invoices
from shipdesk.invoices.models import Invoice
from shipdesk.orders import backmarket_updates as results
from shipdesk.outbox.engine import Delivery, Final, Retriable, Sender, register
from shipdesk.outbox.models import Message
from shipdesk.shipping.carriers import get_carrier
from shipdesk.stores.connection import client_for
from shipdesk.stores.models import Store

# The outbox retries over hours itself: the client only smooths over a blip.
CLIENT_RETRY = RetryPolicy(max_attempts=2, base_delay=0.5, max_delay=2.0, budget_s=10.0)
REFUSALS = (UpdateRejected, NotFound)


@dataclass(frozen=True)
class Cancel:
    line_id: int
    sku: str

    @property
    def id(self) -> str:
        return f"cancel:{self.line_id}"

    def request(self, order_id: int, shipping: Shipping | None) -> requests.Request:
        return requests.cancel_line(order_id, self.sku)


@dataclass(frozen=True)
class Refund:
    line_id: int
    sku: str
    new_state: int  # 5 before shipping, 6 after (a return)
    return_reason: int | None
    return_message: str

    @property
    def id(self) -> str:
        return f"refund:{self.line_id}"

    def request(self, order_id: int, shipping: Shipping | None) -> requests.Request:
        return requests.refund_line(
            order_id,
            self.sku,
            shipped=self.new_state == LineState.REFUNDED_AFTER_SHIPPING,
            return_reason=self.return_reason,
            return_message=self.return_message,
        )


def _refund(message: Message) -> Refund:
    p = message.payload
    return Refund(p["line"], p["sku"], p["new_state"], p["return_reason"], p["return_message"])


ACTIONS = {
    "accept": lambda message: [Accept(message.payload["line"], message.payload["sku"])],
    "cancel": lambda message: [Cancel(message.payload["line"], message.payload["sku"])],
    "refund": lambda message: [_refund(message)],
    "ship": lambda message: list(plan_shipment(message.order.backmarket_lines()).steps),
}


def shipping(message: Message) -> Shipping | None:
    """What the ship update says of the message's shipment (None: not a shipment)."""
    shipment = message.shipment
    if shipment is None:
        return None
    return Shipping(
        tracking_number=shipment.tracking_number,
        shipper=get_carrier(shipment.carrier_code).backmarket_shipper,
        # Back Market wants a time; the shipment has a day: noon, local time.
        date_shipping=timezone.make_aware(datetime.combine(shipment.ship_date, time(12))),
        tracking_url=shipment.tracking_url,
    )


def already_done(raw: dict, message: Message, step) -> bool:
    """Does Back Market's copy of the order already show this step? (after a lost answer)"""
    lines = {ln.get("id"): ln for ln in raw.get("orderlines") or [] if isinstance(ln, dict)}
    line = lines.get(getattr(step, "line_id", None)) or {}
    if isinstance(step, Accept):
        return line.get("state") in (LineState.ACCEPTED, LineState.SHIPPED)
    if isinstance(step, Cancel):
        return line.get("state") in CANCELLED_LINE_STATES
    if isinstance(step, Refund):
        return line.get("state") == step.new_state
    if isinstance(step, SetIdentifiers):
        wanted = {"imei": step.imei, "serial_number": step.serial_number}
        return all(line.get(k) == v for k, v in wanted.items() if v)
    return raw.get("tracking_number") == message.shipment.tracking_number and all(
        ln.get("state") != LineState.ACCEPTED for ln in lines.values()
    )


def applied(message: Message, step) -> None:
    """What Back Market now has changes the order here too."""
    order = message.order
    if isinstance(step, Accept):
        results.line_accepted(order, step.sku)
    elif isinstance(step, Cancel):
        results.line_cancelled(order, step.sku)
    elif isinstance(step, Refund):
        results.line_refunded(order, step.line_id, step.new_state, step.return_reason)
    elif isinstance(step, SetIdentifiers | Ship) and (step.imei or step.serial_number):
        results.identifiers_sent(order, imei=step.imei, serial_number=step.serial_number)


def send(message: Message, delivery: Delivery) -> None:
    order = message.order
    try:
        with client_for(order.store, retry=CLIENT_RETRY) as client:
            if message.payload["action"] == "invoice":
                return _upload_invoice(client, message, delivery)
            steps = ACTIONS[message.payload["action"]](message)
            if message.attempts or delivery.taken_over:
                # A previous try may have been applied without anyone hearing the answer.
                raw = client.get_order_raw(order.channel_order_id)
                for step in steps:
                    if step.id not in message.steps_done and already_done(raw, message, step):
                        delivery.step_done(step.id)
                        applied(message, step)
            for step in steps:
                if step.id not in message.steps_done:
                    _call(client, message, delivery, step)
    except REFUSALS as exc:
        raise Final(str(exc)) from exc
    except TokenRejected as exc:
        order.store.record_failure(Store.Health.TOKEN_REJECTED, str(exc))
        raise Retriable(str(exc)) from exc
    except BackMarketError as exc:
        raise Retriable(str(exc)) from exc


def _call(client, message: Message, delivery: Delivery, step) -> None:
    request = step.request(message.order.channel_order_id, shipping(message))
    try:
        with delivery.attempt({"step": step.id, **request.summary()}, final=REFUSALS) as attempt:
            try:
                answer = client.send(request)
            except BackMarketError as exc:
                attempt.status_code, attempt.answer = exc.status, exc.body or ""
                raise
            attempt.status_code, attempt.answer = 200, json.dumps(answer, default=str)[:4000]
    except UpdateRejected:
        # The client retries updates: a retry after a lost answer is refused because the
        # first try was applied. Back Market's copy of the order tells which.
        if not already_done(client.get_order_raw(message.order.channel_order_id), message, step):
            raise
    delivery.step_done(step.id)
    applied(message, step)


def _upload_invoice(client, message: Message, delivery: Delivery) -> None:
    """The order's invoice (read from its row now), once: after a lost answer, Back
    Market's copy of the order says whether it has one (`date_bill_provided`)."""
    order = message.order
    invoice = Invoice.objects.filter(order=order).first()
    if invoice is None:
        raise Final(f"order {order.order_number} has no invoice")
    retry = message.attempts or delivery.taken_over
    if retry and client.get_order_raw(order.channel_order_id).get("date_bill_provided"):
        return
    path = f"/ws/orders/{order.channel_order_id}/invoice"
    pdf = bytes(invoice.pdf)
    summary = {
        "method": "POST",
        "path": path,
        "body": {"invoice": invoice.filename, "bytes": len(pdf)},
    }
    with delivery.attempt({"step": "invoice", **summary}, final=REFUSALS) as attempt:
        try:
            answer = client.upload_invoice(order.channel_order_id, pdf, invoice.filename)
        except BackMarketError as exc:
            attempt.status_code, attempt.answer = exc.status, exc.body or ""
            raise
        attempt.status_code, attempt.answer = 200, json.dumps(answer, default=str)[:4000]


def finished(message: Message, status: str, error: str) -> None:
    if message.payload["action"] == "invoice":
        invoices.upload_finished(message, status, error)
    else:
        results.update_finished(message, status, error)


register(
    Sender(
        kind=Message.Kind.BACKMARKET,
        send=send,
        lease_s=lambda: settings.OUTBOX_LEASE_S,
        finished=finished,
    )
)
