"""The carriers Back Market sellers use, each listed once: its ShipStation-style code, name,
Back Market shipper name, tracking-page template and services, and, for those whose labels
shipdesk buys through karrio, karrio's name for it and the credentials an account needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from django.utils.translation import gettext_lazy as _

# The EU customs union: no customs declaration inside it (and a carrier's EU zone).
# fmt: off
EU = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MC", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})
# fmt: on


@dataclass(frozen=True)
class Credential:
    name: str  # karrio's settings field
    label: str
    secret: bool = False
    required: bool = True


@dataclass(frozen=True)
class Karrio:
    """How shipdesk buys the carrier's labels (shipdesk.carriers)."""

    carrier: str  # the karrio extension's carrier name
    package: str  # the PyPI distribution providing it
    credentials: tuple[Credential, ...]
    # A local simulator of the carrier (shipdesk.sandbox.carrier): each account names its
    # server, and gets these settings instead of credentials.
    simulator_settings: tuple[tuple[str, str], ...] = ()

    @property
    def simulated(self) -> bool:
        return bool(self.simulator_settings)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.credentials if c.required]


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    backmarket_shipper: str  # the name Back Market knows
    tracking_url: str = ""  # template with {tracking}
    services: dict[str, str] = field(default_factory=dict)
    karrio: Karrio | None = None  # None: no labels, the tracking number is typed or scanned

    def tracking_url_for(self, tracking_number: str) -> str:
        if not self.tracking_url or not tracking_number:
            return ""
        return self.tracking_url.format(tracking=quote(tracking_number, safe=""))[:300]

    def clean_credentials(self, values: dict[str, str]) -> dict[str, str]:
        """Known fields, stripped; ValueError names a missing or unknown one."""
        known = {c.name for c in self.karrio.credentials}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(
                f"unknown {self.code} credential {unknown[0]!r}; expected {', '.join(sorted(known))}"
            )
        cleaned = {k: str(v).strip() for k, v in values.items() if str(v or "").strip()}
        missing = [name for name in self.karrio.required if name not in cleaned]
        if missing:
            raise ValueError(f"{self.code} needs {', '.join(missing)}")
        return cleaned


CARRIERS: dict[str, Carrier] = {
    c.code: c
    for c in [
        Carrier(
            "colissimo",
            "Colissimo",
            "Colissimo",
            "https://www.laposte.fr/outils/suivre-vos-envois?code={tracking}",
            {
                "colissimo_home": "Colissimo Domicile sans signature",
                "colissimo_home_signature": "Colissimo Domicile avec signature",
                "colissimo_international": "Colissimo International",
            },
            karrio=Karrio(
                "colissimo",
                "karrio-colissimo",
                (
                    Credential("contract_number", "Contract number"),
                    Credential("password", "Password", secret=True),
                    Credential(
                        "laposte_api_key",
                        "La Poste Okapi key (tracking)",
                        secret=True,
                        required=False,
                    ),
                ),
            ),
        ),
        Carrier(
            "chronopost",
            "Chronopost",
            "Chronopost",
            "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={tracking}",
            {
                "chrono_13": "Chrono 13",
                "chrono_18": "Chrono 18",
                "chrono_relais": "Chrono Relais",
                "chrono_classic": "Chrono Classic (international)",
            },
            karrio=Karrio(
                "chronopost",
                "karrio-chronopost",
                (
                    Credential("account_number", "Account number"),
                    Credential("password", "Password", secret=True),
                    Credential("id_emit", "Emitter id (default CHRFR)", required=False),
                ),
            ),
        ),
        Carrier(
            "dhl_express",
            "DHL Express",
            "DHL Express",
            "https://www.dhl.com/en/express/tracking.html?AWB={tracking}",
            {"express_worldwide": "DHL Express Worldwide", "express_1200": "DHL Express 12:00"},
            karrio=Karrio(
                "dhl_express",
                "karrio-dhl-express",
                (
                    Credential("site_id", "Site id"),
                    Credential("password", "Password", secret=True),
                    Credential("account_number", "Account number"),
                ),
            ),
        ),
        Carrier(
            "ups",
            "UPS",
            "UPS",
            "https://www.ups.com/track?tracknum={tracking}",
            {
                "ups_standard": "UPS Standard",
                "ups_express_saver": "UPS Express Saver",
                "ups_express": "UPS Express",
            },
            karrio=Karrio(
                "ups",
                "karrio-ups",
                (
                    Credential("client_id", "Client id"),
                    Credential("client_secret", "Client secret", secret=True),
                    Credential("account_number", "Shipper (account) number"),
                ),
            ),
        ),
        Carrier(
            "dpd",
            "DPD",
            "DPD",
            "https://tracking.dpd.de/status/en_US/parcel/{tracking}",
            {"dpd_classic": "DPD Classic", "dpd_predict": "DPD Predict"},
            karrio=Karrio(
                "dpd",
                "karrio-dpd",
                (
                    Credential("delis_id", "DELIS id"),
                    Credential("password", "Password", secret=True),
                    Credential("depot", "Depot", required=False),
                ),
            ),
        ),
        Carrier(
            "dpd_uk",
            "DPD UK",
            "DPD UK",
            "https://track.dpd.co.uk/parcels/{tracking}",
            {"dpd_uk_next_day": "DPD Next Day"},
        ),
        Carrier(
            "gls",
            "GLS",
            "GLS",
            "https://gls-group.com/track/{tracking}",
            {"gls_business_parcel": "GLS BusinessParcel", "gls_express": "GLS Express"},
            karrio=Karrio(
                "gls",
                "karrio-gls",
                (
                    Credential("client_id", "Client id"),
                    Credential("client_secret", "Client secret", secret=True),
                    Credential("contact_id", "Contact id", required=False),
                ),
            ),
        ),
        Carrier(
            "la_poste",
            "La Poste",
            "La Poste",
            "https://www.laposte.fr/outils/suivre-vos-envois?code={tracking}",
            {"lettre_suivie": "Lettre suivie"},
        ),
        Carrier(
            "royal_mail",
            "Royal Mail",
            "Royal Mail",
            "https://www.royalmail.com/track-your-item#/tracking-results/{tracking}",
            {
                "tracked_24": "Royal Mail Tracked 24",
                "tracked_48": "Royal Mail Tracked 48",
                "special_delivery": "Special Delivery Guaranteed",
            },
        ),
        Carrier(
            "fedex",
            "FedEx",
            "FedEx",
            "https://www.fedex.com/fedextrack/?trknbr={tracking}",
            {
                "fedex_ground": "FedEx Ground",
                "fedex_international_priority": "FedEx International Priority",
            },
        ),
        Carrier(
            "usps",
            "USPS",
            "USPS",
            "https://tools.usps.com/go/TrackConfirmAction?tLabels={tracking}",
            {
                "usps_priority_mail": "USPS Priority Mail",
                "usps_ground_advantage": "USPS Ground Advantage",
            },
        ),
        Carrier(
            "sandbox",
            "Sandbox carrier",
            "Sandbox carrier",
            services={
                "ups_standard_eu": "Sandbox Standard",
                "ups_worldwide_saver_eu": "Sandbox Saver",
                "ups_express_eu": "Sandbox Express",
            },
            # UPS's API, answered by shipdesk's sandbox: karrio-ups runs unchanged.
            karrio=Karrio(
                "ups",
                "karrio-ups",
                (),
                simulator_settings=(
                    ("client_id", "shipdesk-sandbox"),
                    ("client_secret", "sandbox"),
                    ("account_number", "SBX001"),
                ),
            ),
        ),
        Carrier("other", "Other", "Other"),
    ]
}


def get_carrier(code: str) -> Carrier:
    try:
        return CARRIERS[code]
    except KeyError:
        raise ValueError(
            f"unknown carrier {code!r}; expected one of {', '.join(CARRIERS)}"
        ) from None


# The carriers whose labels shipdesk buys.
LABEL_CARRIERS: dict[str, Carrier] = {code: c for code, c in CARRIERS.items() if c.karrio}


def label_carrier(code: str) -> Carrier:
    try:
        return LABEL_CARRIERS[code]
    except KeyError:
        raise ValueError(
            f"no label support for carrier {code!r}; expected one of {', '.join(LABEL_CARRIERS)}"
        ) from None


def clean_tracking_number(value: str) -> str:
    """Back Market wants tracking numbers without spaces (scanners and people add them)."""
    return "".join((value or "").split())


# The packages a shipment is recorded with (ShipStation's packageCode), for every carrier.
PACKAGES = {
    "package": _("Package"),
    "small_package": _("Small package"),
    "large_envelope": _("Large envelope"),
    "letter": _("Letter"),
}
