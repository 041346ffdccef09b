"""Back Market seller API connector: typed payloads, a paced and retrying HTTP client.

Pure Python (no Django): the rest of shipdesk talks to Back Market only through this package.
"""

from .client import REGION_HOSTS, BackMarketClient, RequestHook, RetryPolicy
from .errors import (
    BackMarketError,
    Forbidden,
    NotFound,
    RateLimited,
    TokenRejected,
    TransientError,
    UpdateRejected,
    classify_response,
    classify_transport_error,
)
from .models import (
    CONDITION_LABELS,
    Address,
    Delivery,
    Order,
    OrderLine,
    OrdersPage,
    parse_order,
)
from .pacing import NullPacer, Pacer, SlidingWindowPacer
from .states import CANCELLED_LINE_STATES, LineState, OrderState, ReturnReason

__all__ = [
    "CANCELLED_LINE_STATES",
    "CONDITION_LABELS",
    "REGION_HOSTS",
    "Address",
    "BackMarketClient",
    "BackMarketError",
    "Delivery",
    "Forbidden",
    "LineState",
    "NotFound",
    "NullPacer",
    "Order",
    "OrderLine",
    "OrderState",
    "OrdersPage",
    "Pacer",
    "RateLimited",
    "RequestHook",
    "ReturnReason",
    "RetryPolicy",
    "SlidingWindowPacer",
    "TokenRejected",
    "TransientError",
    "UpdateRejected",
    "classify_response",
    "classify_transport_error",
    "parse_order",
]
