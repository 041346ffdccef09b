"""The carriers whose labels shipdesk buys through karrio, and the credentials each needs.

Keys are shipdesk's carrier codes (shipdesk.shipping.carriers.CARRIERS), which are also the
Back Market shipper names' source; `karrio` is the karrio extension's carrier name.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Credential:
    name: str  # karrio's settings field
    label: str
    secret: bool = False
    required: bool = True


@dataclass(frozen=True)
class CarrierSpec:
    code: str
    karrio: str
    package: str  # the PyPI distribution providing it
    credentials: tuple[Credential, ...]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.credentials if c.required]


SUPPORTED: dict[str, CarrierSpec] = {
    spec.code: spec
    for spec in [
        CarrierSpec(
            "colissimo",
            "colissimo",
            "karrio-colissimo",
            (
                Credential("contract_number", "Contract number"),
                Credential("password", "Password", secret=True),
                Credential("laposte_api_key", "La Poste Okapi key (tracking)", True, False),
            ),
        ),
        CarrierSpec(
            "chronopost",
            "chronopost",
            "karrio-chronopost",
            (
                Credential("account_number", "Account number"),
                Credential("password", "Password", secret=True),
                Credential("id_emit", "Emitter id (default CHRFR)", required=False),
            ),
        ),
        CarrierSpec(
            "dhl_express",
            "dhl_express",
            "karrio-dhl-express",
            (
                Credential("site_id", "Site id"),
                Credential("password", "Password", secret=True),
                Credential("account_number", "Account number"),
            ),
        ),
        CarrierSpec(
            "ups",
            "ups",
            "karrio-ups",
            (
                Credential("client_id", "Client id"),
                Credential("client_secret", "Client secret", secret=True),
                Credential("account_number", "Shipper (account) number"),
            ),
        ),
        CarrierSpec(
            "dpd",
            "dpd",
            "karrio-dpd",
            (
                Credential("delis_id", "DELIS id"),
                Credential("password", "Password", secret=True),
                Credential("depot", "Depot", required=False),
            ),
        ),
        CarrierSpec(
            "gls",
            "gls",
            "karrio-gls",
            (
                Credential("client_id", "Client id"),
                Credential("client_secret", "Client secret", secret=True),
                Credential("contact_id", "Contact id", required=False),
            ),
        ),
    ]
}


def get_spec(code: str) -> CarrierSpec:
    try:
        return SUPPORTED[code]
    except KeyError:
        raise ValueError(
            f"no label support for carrier {code!r}; expected one of {', '.join(SUPPORTED)}"
        ) from None


def validate_credentials(code: str, values: dict[str, str]) -> dict[str, str]:
    """Keep known fields, stripped; ValueError names a missing or unknown one."""
    spec = get_spec(code)
    known = {c.name for c in spec.credentials}
    unknown = sorted(set(values) - known)
    if unknown:
        raise ValueError(
            f"unknown {code} credential {unknown[0]!r}; expected {', '.join(sorted(known))}"
        )
    cleaned = {k: str(v).strip() for k, v in values.items() if str(v or "").strip()}
    missing = [name for name in spec.required if name not in cleaned]
    if missing:
        raise ValueError(f"{code} needs {', '.join(missing)}")
    return cleaned
