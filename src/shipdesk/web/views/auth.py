"""Signing in and out, password reset by email, and each user's preferences."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shipdesk.web import throttle
from shipdesk.web.access import preference_for, shipper_required
from shipdesk.web.forms import LoginForm, PasswordChangeForm, PasswordResetForm, PreferenceForm
from shipdesk.web.models import UserPreference


@require_GET
def home(request):
    """`/`: the orders for a signed-in user, else the login page."""
    if request.user.is_authenticated:
        return redirect("web:orders")
    return redirect(settings.LOGIN_URL)


def _remember_language(response, language: str):
    """LocaleMiddleware reads this cookie, so pages before sign-in follow the preference too."""
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
    return response


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "web/auth/login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("web:orders")

    def form_valid(self, form):
        response = super().form_valid(form)
        preference = preference_for(form.get_user())
        if preference and preference.language:
            _remember_language(response, preference.language)
        return response


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("web:login")


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "web/auth/password_reset.html"
    email_template_name = "web/auth/password_reset_email.txt"
    subject_template_name = "web/auth/password_reset_subject.txt"
    success_url = reverse_lazy("web:password_reset_done")

    def form_valid(self, form):
        until = throttle.password_reset_refused_until(
            form.cleaned_data["email"], throttle.client_ip(self.request)
        )
        if until is not None:
            form.add_error(
                None,
                _("Too many password reset requests. Try again in %(minutes)s minutes.")
                % {"minutes": throttle.minutes_left(until)},
            )
            return self.form_invalid(form)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/auth/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/auth/password_reset_confirm.html"
    success_url = reverse_lazy("web:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/auth/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PasswordChangeForm
    template_name = "web/auth/password_change.html"
    success_url = reverse_lazy("web:preferences")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


@shipper_required
def password_change(request):
    response = PasswordChangeView.as_view()(request)
    if request.method == "POST" and response.status_code == 302:
        messages.success(request, _("Your password was changed."))
    return response


@shipper_required
def preferences(request):
    preference = preference_for(request.user) or UserPreference(user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        if form.instance.language:
            translation.activate(form.instance.language)
        else:
            translation.activate(translation.get_language_from_request(request, check_path=False))
        messages.success(request, _("Your preferences were saved."))
        return _remember_language(redirect("web:preferences"), form.instance.language)
    return render(request, "web/auth/preferences.html", {"form": form})
