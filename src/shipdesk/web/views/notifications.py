"""The outbox: shipment notifications to Back Market, with its answers, and re-send."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shipdesk.sync import outbox
from shipdesk.sync.models import Notification, NotificationAttempt
from shipdesk.web import labels
from shipdesk.web.access import shipper_required

PAGE_SIZE = 50
TABS = ("failed", "dead", "pending", "sent")


@require_GET
@shipper_required
def notification_list(request):
    status = request.GET.get("status", "failed")
    if status not in TABS:
        status = "failed"
    notifications = (
        Notification.objects.filter(status=status)
        .select_related("order", "shipment")
        .prefetch_related(
            Prefetch("attempt_log", queryset=NotificationAttempt.objects.order_by("-at", "-id"))
        )
        .order_by("-created_at", "-id")
    )
    counts = outbox.counts()
    return render(
        request,
        "web/notifications/list.html",
        {
            "status": status,
            "tabs": [(key, labels.NOTIFICATION[key], counts[key]) for key in TABS],
            "page": Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page")),
            "notification_labels": labels.NOTIFICATION,
        },
    )
