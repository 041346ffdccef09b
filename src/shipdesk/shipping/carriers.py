"""Carriers Back Market sellers use: ShipStation-style codes, Back Market shipper names,
tracking-page templates and services."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    backmarket_shipper: str  # the name Back Market knows
    tracking_url: str = ""  # template with {tracking}
    services: dict[str, str] = field(default_factory=dict)

    def tracking_url_for(self, tracking_number: str) -> str:
        if not self.tracking_url or not tracking_number:
            return ""
        return self.tracking_url.format(tracking=quote(tracking_number, safe=""))[:300]


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
        ),
        Carrier(
            "dhl_express",
            "DHL Express",
            "DHL Express",
            "https://www.dhl.com/en/express/tracking.html?AWB={tracking}",
            {"express_worldwide": "DHL Express Worldwide", "express_1200": "DHL Express 12:00"},
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
        ),
        Carrier(
            "dpd",
            "DPD",
            "DPD",
            "https://tracking.dpd.de/status/en_US/parcel/{tracking}",
            {"dpd_classic": "DPD Classic", "dpd_predict": "DPD Predict"},
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


def clean_tracking_number(value: str) -> str:
    """Back Market wants tracking numbers without spaces (scanners and people add them)."""
    return "".join((value or "").split())
