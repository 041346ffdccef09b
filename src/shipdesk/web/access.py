"""Who may see what: shippers (any active user) handle orders; admins (is_staff) also
manage stores, users and settings. Each request also takes the user's language and zone."""

from __future__ import annotations

import zoneinfo
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation

from shipdesk.documents.labels import DEFAULT_LAYOUT
from shipdesk.web.models import UserPreference


def preference_for(user) -> UserPreference | None:
    try:
        return user.preference
    except UserPreference.DoesNotExist:
        return None


def label_layout(user) -> str:
    """How the user's labels print (a documents.labels layout; 4x6 until they choose)."""
    preference = preference_for(user)
    return preference.label_layout if preference else DEFAULT_LAYOUT


def activate_preferences(request) -> None:
    """The user's language (else the browser's, via LocaleMiddleware) and time zone."""
    preference = preference_for(request.user)
    if preference is None:
        timezone.activate(zoneinfo.ZoneInfo(settings.TIME_ZONE))
        return
    if preference.language:
        translation.activate(preference.language)
        request.LANGUAGE_CODE = preference.language
    try:
        timezone.activate(zoneinfo.ZoneInfo(preference.time_zone or settings.TIME_ZONE))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone.activate(zoneinfo.ZoneInfo(settings.TIME_ZONE))


def shipper_required(view):
    """Signed-in, active users; anonymous visitors go to the login page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.is_active:
            return redirect_to_login(request.get_full_path())
        activate_preferences(request)
        try:
            return view(request, *args, **kwargs)
        finally:
            timezone.deactivate()  # the zone is per thread: the next request may be anyone's

    return wrapper


def admin_required(view):
    """Admins only (is_staff): stores, users and settings."""

    @shipper_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("admins only")
        return view(request, *args, **kwargs)

    return wrapper
