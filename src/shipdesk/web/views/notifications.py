"""The outbox page: every message shipdesk sends (Back Market updates, webhooks, customer
emails) with each attempt and the other side's answer, and "retry now".

Admins see and retry every kind; shippers see and retry the Back Market updates, which
their work produces and which they can fix (an IMEI, a tracking number)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shipdesk.outbox import engine
from shipdesk.outbox.models import Message
from shipdesk.outbox.queue import retry_now
from shipdesk.web import labels
from shipdesk.web.access import shipper_required
from shipdesk.web.views.orders import local_url

PAGE_SIZE = 50
TABS = ("failed", "dead", "pending", "sent")


def visible_kinds(user) -> list[str]:
    return list(Message.Kind.values) if user.is_staff else [Message.Kind.BACKMARKET]


@require_GET
@shipper_required
def notification_list(request):
    kinds = visible_kinds(request.user)
    status = request.GET.get("status", "failed")
    if status not in TABS:
        status = "failed"
    kind = request.GET.get("kind", "")
    if kind not in kinds:
        kind = ""
    number = request.GET.get("order", "").strip()[:50]
    shown = Message.objects.filter(kind__in=[kind] if kind else kinds)
    if number:
        shown = shown.filter(order__order_number=number)
    by_kind = engine.counts(messages=shown)
    counts = {key: sum(statuses[key] for statuses in by_kind.values()) for key in TABS}
    return render(
        request,
        "web/notifications/list.html",
        {
            "status": status,
            "kind": kind,
            "order_number": number,
            "kinds": [(key, labels.MESSAGE_KIND[key]) for key in kinds],
            "kinds_labels": labels.MESSAGE_KIND,
            "notification_labels": labels.NOTIFICATION,
            "tabs": [(key, labels.NOTIFICATION[key], counts[key]) for key in TABS],
            "page": Paginator(
                shown.filter(status=status).with_attempts().order_by("-created_at", "-id"),
                PAGE_SIZE,
            ).get_page(request.GET.get("page")),
        },
    )


@require_POST
@shipper_required
def message_retry(request, pk: int):
    message = get_object_or_404(Message, pk=pk)
    if message.kind not in visible_kinds(request.user):
        raise PermissionDenied("admins only")
    if message.status not in (Message.Status.FAILED, Message.Status.DEAD):
        messages.warning(request, _("Only failed messages can be sent again."))
    else:
        retry_now(message, user=request.user)
        messages.success(request, _("The message will be sent again now."))
    fallback = (
        reverse("web:order", args=[message.order_id])
        if message.order_id
        else reverse("web:notifications")
    )
    return redirect(local_url(request, request.POST.get("next"), fallback))
