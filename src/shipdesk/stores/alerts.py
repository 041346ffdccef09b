"""Making a store's trouble visible beyond the store list: email to the admins."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from shipdesk.stores.models import Store

log = logging.getLogger(__name__)


def token_rejected(store: Store) -> int:
    """Email every admin with an address that the store's token was rejected. Returns the count."""
    log.warning("Back Market rejected the token of store %s (%s)", store.pk, store.name)
    if not getattr(settings, "SHIPDESK_EMAIL_CONFIGURED", False):
        return 0
    recipients = list(
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return 0
    return send_mail(
        f"[shipdesk] Back Market token rejected for {store.name}",
        f"Back Market rejected the API token of the store {store.name!r}; its orders are not "
        "being imported.\n\nCreate a new token in Back Market's Back Office (Options → "
        "Integrations) and paste it in the store's settings, or run:\n\n"
        f"    shipdesk store set-token {store.pk} --token NEW_TOKEN\n\n"
        "The import resumes where it stopped: no order is missed.",
        None,
        recipients,
        fail_silently=True,
    )
