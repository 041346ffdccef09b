"""Back Market's numbered states and return reasons, named once.

The numbers are Back Market's (seller API "States"); shipdesk stores them as they come
(`Order.channel_state`, `OrderItem.channel_state`) and compares them through these names.
"""

from __future__ import annotations

from enum import IntEnum


class OrderState(IntEnum):
    NEW = 0  # payment / fraud check pending
    PENDING_PAYMENT = 10
    NOT_PAID = 8  # payment failed
    AWAITING_ACCEPTANCE = 1  # paid: the seller accepts or cancels each line
    AWAITING_SHIPMENT = 3  # every line accepted
    SHIPPED = 9  # final; also seen on fully cancelled or refunded orders


class LineState(IntEnum):
    NEW = 0  # waiting for payment
    PENDING_PAYMENT = 8  # the customer is still paying
    ON_HOLD = 9  # partner validation
    AWAITING_ACCEPTANCE = 1  # paid
    ACCEPTED = 2
    SHIPPED = 3
    CANCELLED = 4
    REFUNDED_BEFORE_SHIPPING = 5
    REFUNDED_AFTER_SHIPPING = 6
    NOT_PAID = 7  # bank refused


class ReturnReason(IntEnum):
    STOCK_MISTAKE = 0
    WITHDRAWAL = 1  # within 14 days
    NOT_AT_ADDRESS = 11
    PARCEL_DID_NOT_ARRIVE = 12
    LOST = 13
    FAULTY_ON_OPENING = 21
    FAILURE_AT_FIRST_USE = 22
    FAILURE_UNDER_WARRANTY = 23
    NON_COMPLIANT = 24
    OTHER = 25


# Line states that end a line without shipping it.
CANCELLED_LINE_STATES = frozenset(
    {
        LineState.CANCELLED,
        LineState.REFUNDED_BEFORE_SHIPPING,
        LineState.REFUNDED_AFTER_SHIPPING,
        LineState.NOT_PAID,
    }
)
