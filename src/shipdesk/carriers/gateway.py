"""The karrio boundary: build a carrier connection from an account, run one operation.

Every function returns (result or None, messages). karrio's own HTTP layer
(`karrio.lib.request`) does the I/O; tests replace it with recorded carrier responses, or
point a sandbox carrier account at the simulator (`shipdesk.sandbox.carrier`).
Each account has one token cache per process (karrio's connection cache), so an OAuth
carrier's label costs one call, not token + call; tokens and the credentials that key them
never leave this process's memory (no shared cache).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

import attr
from loguru import logger as _karrio_logger

# karrio logs through loguru to stderr, some of it with request payloads: keep it quiet
# (before karrio is imported). shipdesk logs what matters itself, without credentials.
_karrio_logger.disable("karrio")

import karrio.core.models as km  # noqa: E402
import karrio.lib as karrio_lib  # noqa: E402
import karrio.sdk as karrio  # noqa: E402
from karrio.mappers.ups.settings import Settings as UPSSettings  # noqa: E402

from shipdesk.carriers.models import CarrierAccount  # noqa: E402

log = logging.getLogger(__name__)

MAX_MESSAGE = 500


@dataclass(frozen=True)
class CarrierMessage:
    """A carrier's error or warning, as data."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.message} ({self.code})" if self.code else self.message


def scrub(text: str, secrets: list[str]) -> str:
    """Hide any credential a carrier or a network error might echo back."""
    for secret in secrets:
        if len(secret) >= 4:
            text = text.replace(secret, "••••")
    return text


def _messages(account: CarrierAccount, messages: list[km.Message] | None) -> list[CarrierMessage]:
    secrets = list(account.credentials.values())
    return [
        CarrierMessage(
            code=scrub(str(m.code or ""), secrets)[:50],
            message=scrub(str(m.message or ""), secrets)[:MAX_MESSAGE],
        )
        for m in messages or []
    ]


@attr.s(auto_attribs=True)
class SimulatorSettings(UPSSettings):
    """karrio-ups's settings, with the server an account names (the sandbox carrier)."""

    server: str = ""

    @property
    def server_url(self) -> str:
        return self.server.rstrip("/")

    @property
    def tracking_url(self) -> str:
        return self.server_url + "/track/{}"


_SIMULATORS = {"ups": SimulatorSettings}
_caches: dict[tuple, karrio_lib.Cache] = {}
_caches_lock = threading.Lock()


def _cache(account: CarrierAccount) -> karrio_lib.Cache:
    """The account's token cache in this process. Keyed by the account's id and creation
    time: a test database that hands the same id to a new account gets a new cache."""
    key = (account.pk, account.created_at)
    with _caches_lock:
        return _caches.setdefault(key, karrio_lib.Cache())


def connect(account: CarrierAccount):
    """A karrio gateway for this account (raises ValueError on unusable settings)."""
    spec = account.carrier.karrio
    settings: dict[str, Any] = {
        **dict(spec.simulator_settings),
        **account.credentials,
        "id": f"shipdesk-{account.pk}",
        "test_mode": account.test_mode,
    }
    if account.country_code:
        settings["account_country_code"] = account.country_code
    if spec.simulated and not account.server_url:
        raise ValueError(f"carrier account {account.name!r} has no server URL")
    try:
        if spec.simulated:
            settings = _SIMULATORS[account.karrio_carrier](**settings, server=account.server_url)
        return karrio.gateway[account.karrio_carrier].create(settings, cache=_cache(account))
    except Exception as exc:  # karrio wraps every setup failure in ShippingSDKError
        raise ValueError(
            f"cannot set up {account.karrio_carrier} for account {account.name!r}: "
            f"{type(exc.__cause__ or exc).__name__}"
        ) from None


def can_cancel(account: CarrierAccount) -> bool:
    """Does karrio's extension cancel labels for this carrier? (both HTTP call and mapping)"""
    from karrio.api.mapper import Mapper

    connection = connect(account)
    mapper_cancels = (
        type(connection.mapper).create_cancel_shipment_request
        is not Mapper.create_cancel_shipment_request
    )
    return mapper_cancels and "cancel_shipment" in connection.proxy_methods


def _run(account: CarrierAccount, operation: str, call) -> tuple[Any, list[CarrierMessage]]:
    try:
        gateway = connect(account)
    except ValueError as exc:
        return None, [CarrierMessage("SETUP", str(exc))]
    try:
        result, messages = call(gateway).parse()
    except Exception as exc:  # karrio turns most failures into messages; never crash callers
        result, messages = (
            None,
            [
                km.Message(
                    carrier_name=account.karrio_carrier,
                    carrier_id=account.karrio_carrier,
                    code="ERROR",
                    message=f"{type(exc).__name__}: {exc}",
                )
            ],
        )
    messages = _messages(account, messages)
    if messages:
        log.info(
            "carrier %s (%s) %s: %s",
            account.name,
            account.karrio_carrier,
            operation,
            "; ".join(str(m) for m in messages),
        )
    return result, messages


def get_rates(account: CarrierAccount, request: dict) -> tuple[list[km.RateDetails], list]:
    rates, messages = _run(account, "rates", lambda g: karrio.Rating.fetch(request).from_(g))
    return rates or [], messages


def create_shipment(
    account: CarrierAccount, request: dict
) -> tuple[km.ShipmentDetails | None, list[CarrierMessage]]:
    return _run(
        account,
        "create shipment",
        lambda g: karrio.Shipment.create(request).from_(g),
    )


def cancel_shipment(
    account: CarrierAccount, request: dict
) -> tuple[km.ConfirmationDetails | None, list[CarrierMessage]]:
    return _run(
        account,
        "cancel shipment",
        lambda g: karrio.Shipment.cancel(request).from_(g),
    )


def get_tracking(
    account: CarrierAccount, tracking_numbers: list[str]
) -> tuple[list[km.TrackingDetails], list[CarrierMessage]]:
    details, messages = _run(
        account,
        "tracking",
        lambda g: karrio.Tracking.fetch({"tracking_numbers": tracking_numbers}).from_(g),
    )
    return details or [], messages
