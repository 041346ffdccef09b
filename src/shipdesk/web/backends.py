"""The one authentication backend: Django's users and passwords behind the sign-in lockout."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from shipdesk.web import throttle


class LockoutBackend(ModelBackend):
    """Every `authenticate()` comes here: the web login, Django admin's login, `Client.login`.

    So a failure anywhere counts everywhere, and a locked username is refused everywhere
    (see shipdesk.web.throttle).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        ip = throttle.client_ip(request)
        if throttle.locked_until(username, ip) is not None:
            # Stops authenticate() at once: the password is not even checked.
            raise PermissionDenied("too many failed sign-ins")
        user = super().authenticate(request, username, password, **kwargs)
        if user is None:
            throttle.record_failure(username, ip)
        else:
            throttle.clear(username, ip)
        return user
