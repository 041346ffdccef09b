"""The web UI's forms: they validate what people type; the domain decides the rest."""

from __future__ import annotations

import re
import zoneinfo
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from shipdesk.documents.labels import LAYOUTS
from shipdesk.notifications import emails as customer_emails
from shipdesk.notifications.models import EmailKind
from shipdesk.orders import quantities
from shipdesk.orders.models import BUYER_LANGUAGES, Product, Tag
from shipdesk.shipping import carriers
from shipdesk.shipping.carriers import CARRIERS
from shipdesk.stores.connection import MARKETPLACES
from shipdesk.stores.models import STATUS_MAPPING_LABELS, Store, Warehouse
from shipdesk.web import labels, throttle
from shipdesk.web.models import UserPreference

PACKAGES = list(carriers.PACKAGES.items())
REGION_LABELS = {
    "eu": _("Europe (incl. UK)"),
    "us": _("United States"),
    "ap": _("Asia-Pacific"),
}
MAX_LOGO_BYTES = 1_000_000


# Numbers people type, within the bounds every interface shares (shipdesk.orders.quantities);
# Django's number fields already refuse Infinity and NaN.
def money_field(label, **kwargs) -> forms.DecimalField:
    maximum = quantities.MONEY.maximum
    return forms.DecimalField(
        label=label, min_value=0, max_value=maximum, decimal_places=2, **kwargs
    )


def grams_field(label, *, min_value: int = 0, **kwargs) -> forms.IntegerField:
    maximum = int(quantities.GRAMS.maximum)
    return forms.IntegerField(label=label, min_value=min_value, max_value=maximum, **kwargs)


def centimetres_field(label, **kwargs) -> forms.DecimalField:
    maximum = quantities.CENTIMETRES.maximum
    return forms.DecimalField(
        label=label, min_value=0, max_value=maximum, decimal_places=2, **kwargs
    )


def hex_colour(value: str) -> str:
    """A colour as #rrggbb (it goes into style attributes and PDFs)."""
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", value or ""):
        raise forms.ValidationError(_("Give a colour as #rrggbb."))
    return value.lower()


THROTTLED = _(
    "Too many failed sign-ins for this user from your address. Try again in %(minutes)s minutes."
)


def refuse_while_locked(username: str, request) -> None:
    """Say how long to wait, rather than "wrong password", while the sign-in lockout holds.

    The lockout itself is in the authentication backend (shipdesk.web.backends), so it holds
    for every way of signing in; this only words the refusal.
    """
    until = throttle.locked_until(username, throttle.client_ip(request))
    if until is not None:
        raise forms.ValidationError(
            THROTTLED, code="throttled", params={"minutes": throttle.minutes_left(until)}
        )


class LoginForm(AuthenticationForm):
    """Django's sign-in, refused for a while after repeated failures from one address."""

    def clean(self):
        refuse_while_locked(self.cleaned_data.get("username") or "", self.request)
        return super().clean()


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's, with the old password under the sign-in lockout: a session left open on a
    shared computer must not let anyone try passwords without limit."""

    def __init__(self, user, *args, request=None, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self):
        username, ip = self.user.get_username(), throttle.client_ip(self.request)
        refuse_while_locked(username, self.request)
        try:
            old_password = super().clean_old_password()
        except forms.ValidationError:
            throttle.record_failure(username, ip)
            raise
        throttle.clear(username, ip)
        return old_password


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's, with the link built from SHIPDESK_BASE_URL, never from the request's Host."""

    def save(self, **kwargs):
        base = urlsplit(settings.SHIPDESK_BASE_URL)
        return super().save(
            **{**kwargs, "domain_override": base.netloc, "use_https": base.scheme == "https"}
        )


def _time_zones() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class PreferenceForm(forms.ModelForm):
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("The browser's language")), *settings.LANGUAGES],
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), required=False, choices=())
    label_layout = forms.ChoiceField(
        label=_("Labels"),
        required=False,  # left out: as before (4x6 at first)
        choices=list(LAYOUTS.items()),
        help_text=_("How labels print: on a thermal printer (4×6 in or ZPL) or on A4 paper."),
    )

    class Meta:
        model = UserPreference
        fields = ["language", "time_zone", "label_layout"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            ("", _("The server's (%(zone)s)") % {"zone": settings.TIME_ZONE}),
            *_time_zones(),
        ]

    def clean_label_layout(self) -> str:
        return self.cleaned_data["label_layout"] or self.instance.label_layout


class ConnectStoreForm(forms.Form):
    name = forms.CharField(label=_("Store name"), max_length=100)
    region = forms.ChoiceField(label=_("Region"), choices=list(REGION_LABELS.items()))
    country_code = forms.ChoiceField(
        label=_("Marketplace language"),
        choices=[(c, c) for codes in MARKETPLACES.values() for c in codes],
        initial="fr-fr",
        help_text=_(
            "Back Market answers in this language (it is sent with every request). It filters "
            "nothing: the token imports the orders of every country of the platform."
        ),
    )
    token = forms.CharField(
        label=_("API token"),
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_("Back Office → Options → Integrations → Add a new integration."),
    )
    first_import_days = forms.IntegerField(
        label=_("Import orders of the last (days)"), min_value=1, max_value=365, initial=30
    )
    base_url = forms.URLField(
        label=_("Server address (optional)"),
        required=False,
        assume_scheme="https",
        help_text=_("Only for Back Market's pre-production or a sandbox."),
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Store.objects.filter(name=name).exists():
            raise forms.ValidationError(_("A store with this name already exists."))
        return name

    def clean(self):
        cleaned = super().clean()
        region, country = cleaned.get("region"), cleaned.get("country_code")
        if region and country and country not in MARKETPLACES[region]:
            self.add_error(
                "country_code",
                _("%(country)s is not on the %(region)s platform.")
                % {"country": country, "region": REGION_LABELS[region]},
            )
        return cleaned


class ReplaceTokenForm(forms.Form):
    token = forms.CharField(
        label=_("New API token"), widget=forms.PasswordInput(attrs={"autocomplete": "off"})
    )


class BrandingForm(forms.ModelForm):
    logo = forms.ImageField(label=_("Logo"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Store
        fields = [
            "company_name",
            "email",
            "phone",
            "website",
            "logo",
            "brand_color",
            "accent_color",
        ]
        labels = {
            "company_name": _("Company name"),
            "email": _("Email"),
            "phone": _("Phone"),
            "brand_color": _("Brand colour"),
            "accent_color": _("Accent colour"),
        }
        widgets = {
            "brand_color": forms.TextInput(attrs={"type": "color"}),
            "accent_color": forms.TextInput(attrs={"type": "color"}),
        }

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if logo and getattr(logo, "size", 0) > MAX_LOGO_BYTES:
            raise forms.ValidationError(_("The logo must be smaller than 1 MB."))
        return logo

    def clean_brand_color(self):
        return hex_colour(self.cleaned_data["brand_color"])

    def clean_accent_color(self):
        return hex_colour(self.cleaned_data["accent_color"])


class CustomerEmailsForm(forms.ModelForm):
    """Whether the store emails its customers, and its own templates in one language (the
    buyer's language picks the templates: see notifications.emails)."""

    # (field, kind of email, subject or body)
    TEMPLATE_FIELDS = (
        ("shipment_email_subject", EmailKind.SHIPMENT_CONFIRMATION, 0),
        ("shipment_email_body", EmailKind.SHIPMENT_CONFIRMATION, 1),
        ("delivery_email_subject", EmailKind.DELIVERY_NOTIFICATION, 0),
        ("delivery_email_body", EmailKind.DELIVERY_NOTIFICATION, 1),
    )

    language = forms.CharField(required=False, widget=forms.HiddenInput)
    shipment_email_subject = forms.CharField(
        label=_("Shipment email subject"), max_length=200, required=False
    )
    shipment_email_body = forms.CharField(
        label=_("Shipment email text"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    delivery_email_subject = forms.CharField(
        label=_("Delivery email subject"), max_length=200, required=False
    )
    delivery_email_body = forms.CharField(
        label=_("Delivery email text"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    class Meta:
        model = Store
        fields = ["email_shipment_confirmation", "email_delivery_notification"]
        labels = {
            "email_shipment_confirmation": _("Email the customer when an order ships"),
            "email_delivery_notification": _("Email the customer when an order is delivered"),
        }

    def __init__(self, *args, language: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            language = self.data.get("language", "")
        if language not in BUYER_LANGUAGES:
            language = customer_emails.store_language(self.instance)
        self.shown_language = language
        self.fields["language"].initial = language
        own = customer_emails.own_templates(self.instance, language)
        built_in = customer_emails.DEFAULT_TEMPLATES
        for name, kind, part in self.TEMPLATE_FIELDS:
            self.fields[name].initial = own[kind][part]
            # What an empty field sends: the built-in text of this language.
            self.fields[name].widget.attrs["placeholder"] = built_in[(kind, language)][part]
        self.order_fields(
            [
                "email_shipment_confirmation",
                "shipment_email_subject",
                "shipment_email_body",
                "email_delivery_notification",
                "delivery_email_subject",
                "delivery_email_body",
            ]
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("language") not in BUYER_LANGUAGES:
            raise forms.ValidationError(
                _("Say which language these templates are in: one of %(languages)s.")
                % {"languages": ", ".join(BUYER_LANGUAGES)}
            )
        for name, _kind, _part in self.TEMPLATE_FIELDS:
            unknown = customer_emails.unknown_placeholders(cleaned.get(name, ""))
            if unknown:
                self.add_error(
                    name,
                    _("Not a placeholder: %(unknown)s. The placeholders are %(known)s.")
                    % {
                        "unknown": ", ".join(f"{{{u}}}" for u in unknown),
                        "known": ", ".join(f"{{{p}}}" for p in customer_emails.PLACEHOLDERS),
                    },
                )
        return cleaned

    def save(self, commit=True):
        store = super().save(commit)
        texts = {kind: ["", ""] for _name, kind, _part in self.TEMPLATE_FIELDS}
        for name, kind, part in self.TEMPLATE_FIELDS:
            texts[kind][part] = self.cleaned_data[name]
        customer_emails.save_templates(
            store, self.cleaned_data["language"], {k: tuple(v) for k, v in texts.items()}
        )
        return store


class ImportSettingsForm(forms.ModelForm):
    interval_minutes = forms.IntegerField(
        label=_("Import every (minutes)"), min_value=1, max_value=1440
    )
    first_import_days = forms.IntegerField(
        label=_("First import: days of history"), min_value=1, max_value=365
    )

    class Meta:
        model = Store
        fields = ["auto_import", "auto_accept", "first_import_days"]
        labels = {
            "auto_import": _("Import orders automatically"),
            "auto_accept": _("Accept new orders on Back Market automatically"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interval_minutes"].initial = int(
            self.instance.import_interval.total_seconds() // 60
        )

    def save(self, commit=True):
        self.instance.import_interval = timedelta(minutes=self.cleaned_data["interval_minutes"])
        return super().save(commit)


SKIP = "skip"


class StatusMappingForm(forms.Form):
    """One choice per Back Market state: which shipdesk status, or not imported."""

    def __init__(self, *args, mapping: dict, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(SKIP, _("Not imported")), *labels.STATUS.items()]
        for key in STATUS_MAPPING_LABELS:
            self.fields[f"state_{key}"] = forms.ChoiceField(
                label=labels.MAPPING_KEYS[key], choices=choices, initial=mapping.get(key) or SKIP
            )

    def mapping(self) -> dict:
        return {
            key: (
                None
                if self.cleaned_data[f"state_{key}"] == SKIP
                else self.cleaned_data[f"state_{key}"]
            )
            for key in STATUS_MAPPING_LABELS
        }


def carrier_choices():
    return [(code, carrier.name) for code, carrier in CARRIERS.items()]


def service_choices(carrier_code: str):
    carrier = CARRIERS.get(carrier_code)
    services = carrier.services if carrier else {}
    return [("", _("— none —")), *services.items()]


class ShipForm(forms.Form):
    """What the person shipping types: the domain's ship_order checks the rest."""

    carrier_code = forms.ChoiceField(label=_("Carrier"), choices=carrier_choices)
    service_code = forms.ChoiceField(label=_("Service"), required=False, choices=())
    package_code = forms.ChoiceField(label=_("Package"), choices=PACKAGES, initial="package")
    weight_grams = grams_field(_("Weight (g)"), min_value=1, required=False)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=250)
    shipment_cost = money_field(_("Carrier fee"), required=False)
    ship_date = forms.DateField(
        label=_("Ship date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        required=False,
    )
    notify_customer = forms.BooleanField(label=_("Email the customer"), required=False)
    notify_backmarket = forms.BooleanField(
        label=_("Tell Back Market (tracking and IMEI)"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        carrier = self.data.get(self.add_prefix("carrier_code")) or self.initial.get(
            "carrier_code", next(iter(CARRIERS))
        )
        self.fields["service_code"].choices = service_choices(carrier)

    def clean(self):
        cleaned = super().clean()
        carrier = CARRIERS.get(cleaned.get("carrier_code") or "")
        service = cleaned.get("service_code")
        if carrier and service and service not in carrier.services:
            self.add_error("service_code", _("This service is not one of the carrier's."))
        return cleaned

    def ship_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "carrier_code": data["carrier_code"],
            "service_code": data.get("service_code") or "",
            "package_code": data.get("package_code") or "",
            "tracking_number": data.get("tracking_number", ""),
            "shipment_cost": data.get("shipment_cost") or Decimal("0"),
            "weight_grams": data.get("weight_grams"),
            "ship_date": data.get("ship_date") or None,
            "notify_customer": data.get("notify_customer", False),
            "notify_backmarket": data.get("notify_backmarket", False),
        }


class BatchShipForm(ShipForm):
    """The same choices for every selected order; tracking numbers come per order."""

    tracking_number = None
    weight_grams = None


class TrackingImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: order_number, carrier, tracking_number, and optionally service, cost. "
            "UTF-8, up to 5 MB."
        ),
    )
    notify_backmarket = forms.BooleanField(
        label=_("Tell Back Market"), required=False, initial=True
    )


class ProductForm(forms.ModelForm):
    needs_imei = forms.TypedChoiceField(
        label=_("Needs an IMEI / serial number"),
        choices=[("", _("Decide from the title")), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
    )
    weight_grams = grams_field(_("Weight (g)"), required=False)
    length_cm = centimetres_field(_("Length (cm)"), required=False)
    width_cm = centimetres_field(_("Width (cm)"), required=False)
    height_cm = centimetres_field(_("Height (cm)"), required=False)
    package_code = forms.ChoiceField(
        label=_("Package"),
        choices=[("", _("— none —")), *PACKAGES],
        required=False,
        help_text=_("The package of a label for an order of this product alone."),
    )

    class Meta:
        model = Product
        fields = [
            "sku",
            "name",
            "weight_grams",
            "length_cm",
            "width_cm",
            "height_cm",
            "warehouse_location",
            "package_code",
            "needs_imei",
            "customs_description",
            "vat_type",
        ]
        labels = {
            "vat_type": _("VAT on invoices"),
            "sku": _("SKU"),
            "name": _("Name"),
            "warehouse_location": _("Warehouse location"),
            "customs_description": _("Customs description"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        value = self.instance.needs_imei
        self.initial["needs_imei"] = "" if value is None else ("yes" if value else "no")


class ProductImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Columns: sku, and any of name, weight_grams, length_cm, width_cm, height_cm, "
            "warehouse_location, package_code, needs_imei, customs_description. UTF-8, up to "
            "5 MB."
        ),
    )


ADMIN, SHIPPER = "admin", "shipper"
ROLES = [
    (SHIPPER, _("Shipper: orders and shipping")),
    (ADMIN, _("Admin: also stores, users and settings")),
]


class UserCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=ROLES, initial=SHIPPER)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password"):
            try:
                # An unsaved user: the password must not look like the name or email either.
                user = get_user_model()(
                    username=cleaned.get("username", ""), email=cleaned.get("email", "")
                )
                validate_password(cleaned["password"], user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class UserEditForm(forms.Form):
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=ROLES)
    is_active = forms.BooleanField(label=_("Active (may sign in)"), required=False)
    password = forms.CharField(
        label=_("New password"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the current password."),
    )

    def __init__(self, *args, user, editor, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.editor = user, editor

    def clean(self):
        cleaned = super().clean()
        if self.user == self.editor:
            if cleaned.get("role") != ADMIN:
                self.add_error("role", _("You cannot remove your own admin role."))
            if not cleaned.get("is_active"):
                self.add_error("is_active", _("You cannot deactivate yourself."))
        if cleaned.get("password"):
            try:
                validate_password(cleaned["password"], self.user)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class WarehouseForm(forms.ModelForm):
    class Meta:
        model = Warehouse
        fields = [
            "name",
            "company",
            "street1",
            "street2",
            "city",
            "postal_code",
            "country",
            "phone",
            "is_default",
        ]
        labels = {
            "name": _("Name"),
            "company": _("Company"),
            "street1": _("Street"),
            "street2": _("Street (line 2)"),
            "city": _("City"),
            "postal_code": _("Postal code"),
            "country": _("Country (2 letters)"),
            "phone": _("Phone"),
            "is_default": _("Default ship-from address"),
        }


class TagForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "color"]
        labels = {"name": _("Name"), "color": _("Colour")}
        widgets = {"color": forms.TextInput(attrs={"type": "color"})}

    def clean_color(self):
        return hex_colour(self.cleaned_data["color"])
