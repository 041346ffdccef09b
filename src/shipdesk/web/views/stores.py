"""Stores (admins): connect to Back Market, replace a token, settings, imports."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from shipdesk.backmarket import BackMarketError, Forbidden, TokenRejected
from shipdesk.invoices.actions import settings_for
from shipdesk.invoices.forms import InvoiceSettingsForm
from shipdesk.orders import quantities
from shipdesk.orders.models import BUYER_LANGUAGES
from shipdesk.stores.connection import (
    StoreRefused,
    connect_store,
    replace_token,
    token_fingerprint,
    unreachable_message,
    user_agent_problem,
    user_agent_warning,
)
from shipdesk.stores.editing import update_store
from shipdesk.stores.models import Store, server_url, validate_status_mapping
from shipdesk.sync.models import ImportRun, QuarantinedOrder
from shipdesk.sync.tasks import POLL_EVERY_S
from shipdesk.web import labels
from shipdesk.web.access import admin_required, shipper_required
from shipdesk.web.forms import (
    BrandingForm,
    ConnectStoreForm,
    CustomerEmailsForm,
    ImportSettingsForm,
    ReplaceTokenForm,
    StatusMappingForm,
)


def describe_error(exc: BackMarketError, server: str = "") -> str:
    """What Back Market said about a token, for a person (the token itself never appears);
    or that its server could not be reached at all, and why."""
    unreachable = unreachable_message(exc, server)
    if unreachable is not None:
        return capfirst(unreachable) + "."
    if isinstance(exc, TokenRejected):
        return _(
            "Back Market rejected this token (401). Copy it again from the Back Office "
            "(Options → Integrations), and check the region."
        )
    if isinstance(exc, Forbidden):
        ray = f" (cf-ray {exc.cf_ray})" if exc.cf_ray else ""
        return (
            _(
                "Back Market refused the request (403): the account is not a seller account, or the firewall blocked us."
            )
            + ray
        )
    return _("Back Market could not be reached or answered an error: %(error)s") % {
        "error": exc.message or str(exc)
    }


@require_GET
@admin_required
def store_list(request):
    stores = Store.objects.annotate(order_count=Count("orders"))
    return render(
        request,
        "web/stores/list.html",
        {"stores": stores, "health_labels": labels.HEALTH},
    )


@admin_required
def store_connect(request):
    form = ConnectStoreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            store = connect_store(
                name=data["name"],
                region=data["region"],
                token=data["token"],
                base_url=data["base_url"] or "",
                country_code=data["country_code"],
                first_import_days=data["first_import_days"],
            )
        except StoreRefused as exc:
            form.add_error(exc.field if exc.field in form.fields else None, capfirst(str(exc)))
        except BackMarketError as exc:
            server = server_url(data["region"], data["base_url"] or "")
            form.add_error("token", describe_error(exc, server))
        else:
            messages.success(
                request,
                _("Connected: Back Market accepted the token of %(store)s.")
                % {"store": store.name},
            )
            return redirect("web:store", pk=store.pk)
    return render(
        request,
        "web/stores/connect.html",
        # Which server the store will be on is not known yet: said for Back Market itself.
        {"form": form, "user_agent_problem": user_agent_problem(settings.BACKMARKET_USER_AGENT)},
    )


def _latest_run(store: Store) -> ImportRun | None:
    return store.import_runs.order_by("-started_at", "-id").first()


def _import_status(store: Store) -> dict:
    """The store's last import, recent runs and orders set aside."""
    return {
        "store": store,
        "run_labels": labels.IMPORT_RUN,
        "interval_minutes": int(store.import_interval.total_seconds() // 60),
        "poll_every_s": POLL_EVERY_S,
        "runs": store.import_runs.order_by("-started_at", "-id")[:10],
        "quarantined": QuarantinedOrder.objects.filter(store=store, resolved_at__isnull=True)[:20],
    }


def _store_context(store: Store, **forms) -> dict:
    context = {
        **_import_status(store),
        "fingerprint": token_fingerprint(store.token),
        "user_agent_warning": user_agent_warning(store.server),
        "health_labels": labels.HEALTH,
        "token_form": ReplaceTokenForm(),
        "branding_form": BrandingForm(instance=store),
        "emails_form": CustomerEmailsForm(instance=store),
        "invoice_form": InvoiceSettingsForm(instance=settings_for(store)),
        "email_languages": [
            (code, get_language_info(code)["name_local"]) for code in BUYER_LANGUAGES
        ],
        "import_form": ImportSettingsForm(instance=store),
        "mapping_form": StatusMappingForm(mapping=store.status_mapping or {}),
    }
    context.update(forms)
    return context


@require_GET
@admin_required
def store_detail(request, pk: int):
    store = get_object_or_404(Store, pk=pk)
    # ?emails_language=de: the customer email templates shown are the German ones.
    emails_form = CustomerEmailsForm(
        instance=store, language=request.GET.get("emails_language", "")
    )
    return render(request, "web/stores/detail.html", _store_context(store, emails_form=emails_form))


def _section(request, store, name, form, template="web/stores/detail.html"):
    return render(request, template, _store_context(store, **{name: form}), status=400)


@require_POST
@admin_required
def store_token(request, pk: int):
    store = get_object_or_404(Store, pk=pk)
    form = ReplaceTokenForm(request.POST)
    if form.is_valid():
        try:
            replace_token(store, form.cleaned_data["token"])
        except StoreRefused as exc:
            form.add_error("token", capfirst(str(exc)))
        except BackMarketError as exc:
            form.add_error("token", describe_error(exc, store.server))
        else:
            messages.success(
                request,
                _("Back Market accepted the new token. Imports resume where they stopped."),
            )
            return redirect("web:store", pk=store.pk)
    return _section(request, store, "token_form", form)


def _save_section(request, store: Store, form, form_name: str, saved: str):
    """Save one section of the store's settings, or show it again with its errors."""
    if form.is_valid():
        form.save()
        messages.success(request, saved)
        return redirect("web:store", pk=store.pk)
    return _section(request, store, form_name, form)


@require_POST
@admin_required
def store_branding(request, pk: int):
    store = get_object_or_404(Store, pk=pk)
    return _save_section(
        request,
        store,
        BrandingForm(request.POST, request.FILES, instance=store),
        "branding_form",
        _("Branding saved."),
    )


@require_POST
@admin_required
def store_emails(request, pk: int):
    store = get_object_or_404(Store, pk=pk)
    form = CustomerEmailsForm(request.POST, instance=store)
    if not form.is_valid():
        return _section(request, store, "emails_form", form)
    form.save()
    messages.success(request, _("Customer notifications saved."))
    url = reverse("web:store", args=[store.pk])
    return redirect(f"{url}?emails_language={form.cleaned_data['language']}#emails")


@require_POST
@admin_required
def store_invoices(request, pk: int):
    store = get_object_or_404(Store, pk=pk)
    return _save_section(
        request,
        store,
        InvoiceSettingsForm(request.POST, instance=settings_for(store)),
        "invoice_form",
        _("Invoice settings saved."),
    )


@require_POST
@admin_required
def store_import_settings(request, pk: int):
    store = get_object_or_404(Store, pk=pk)
    return _save_section(
        request,
        store,
        ImportSettingsForm(request.POST, instance=store),
        "import_form",
        _("Import settings saved."),
    )


@require_POST
@admin_required
def store_mapping(request, pk: int):
    store = get_object_or_404(Store, pk=pk)
    form = StatusMappingForm(request.POST, mapping=store.status_mapping or {})
    if form.is_valid():
        try:
            store.status_mapping = validate_status_mapping(form.mapping())
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            store.save(update_fields=["status_mapping", "modified_at"])
            messages.success(request, _("Status mapping saved; it applies from the next import."))
            return redirect("web:store", pk=store.pk)
    return _section(request, store, "mapping_form", form)


@require_POST
@admin_required
def store_active(request, pk: int):
    """Deactivate the store (it imports nothing, its orders stay) or reactivate it."""
    store = get_object_or_404(Store, pk=pk)
    active = request.POST.get("active") == "1"
    update_store(store, active=active)
    if active:
        messages.success(request, _("Store reactivated: its imports resume."))
    else:
        messages.success(request, _("Store deactivated: it imports nothing until reactivated."))
    return redirect("web:store", pk=store.pk)


@require_POST
@admin_required
def store_import_now(request, pk: int):
    """Queue an import; the page then follows the store's newest run until it finishes."""
    from shipdesk.sync.tasks import import_store

    store = get_object_or_404(Store, pk=pk)
    if not store.active:
        messages.error(request, _("This store is deactivated: reactivate it to import its orders."))
        return redirect("web:store", pk=store.pk)
    before = _latest_run(store)
    import_store(store.pk, "manual")
    after = before.pk if before else 0
    if request.headers.get("HX-Request"):
        return _import_progress(request, store, after)
    messages.info(request, _("Import queued."))
    return redirect("web:store", pk=store.pk)


def _import_progress(request, store: Store, after: int):
    run = store.import_runs.filter(pk__gt=after).order_by("-id").first()
    polling = run is None or run.status == ImportRun.Status.RUNNING
    if not polling:
        store.refresh_from_db()
    return render(
        request,
        "web/stores/_import_progress.html",
        {**_import_status(store), "run": run, "after": after, "polling": polling},
    )


@require_GET
@admin_required
def store_import_status(request, pk: int):
    store = get_object_or_404(Store, pk=pk)
    after = request.GET.get("after", "0")
    try:
        after_id = 0 if after.strip() in ("", "0") else quantities.ids([after])[0]
    except quantities.InvalidQuantity as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    return _import_progress(request, store, after_id)


@require_GET
@shipper_required
def store_logo(request, pk: int):
    """The store's logo (media files are not served otherwise)."""
    store = get_object_or_404(Store, pk=pk)
    if not store.logo:
        raise Http404("no logo")
    return FileResponse(store.logo.open("rb"))
