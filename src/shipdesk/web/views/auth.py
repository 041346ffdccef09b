"""Signing in and out, password reset by email, and each user's preferences."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shipdesk.web.access import preference_for, shipper_required
from shipdesk.web.forms import LoginForm, PreferenceForm
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
            settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax"
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
    template_name = "web/auth/password_reset.html"
    email_template_name = "web/auth/password_reset_email.txt"
    subject_template_name = "web/auth/password_reset_subject.txt"
    success_url = reverse_lazy("web:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/auth/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/auth/password_reset_confirm.html"
    success_url = reverse_lazy("web:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/auth/password_reset_complete.html"


@shipper_required
def password_change(request):
    view = auth_views.PasswordChangeView.as_view(
        template_name="web/auth/password_change.html",
        success_url=reverse_lazy("web:preferences"),
    )
    response = view(request)
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
