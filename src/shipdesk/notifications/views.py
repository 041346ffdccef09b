"""The local outbox: emails kept instead of sent when no SMTP server is configured (staff)."""

from django.conf import settings
from django.contrib.auth.decorators import login_required, user_passes_test
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from shipdesk.notifications.models import OutboxEmail


def _admin(user) -> bool:
    """Signed-in non-admins get the 403 page: the login page would send them straight back."""
    if not user.is_staff:
        raise PermissionDenied("admins only")
    return True


def staff_required(view):
    return login_required(user_passes_test(_admin)(view))


@staff_required
def outbox(request):
    page = Paginator(OutboxEmail.objects.all(), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/outbox.html",
        {"page": page, "smtp_configured": settings.SHIPDESK_EMAIL_CONFIGURED},
    )


@staff_required
def outbox_email(request, pk: int):
    email = get_object_or_404(OutboxEmail, pk=pk)
    return render(request, "notifications/outbox_email.html", {"email": email})
