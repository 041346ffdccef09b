"""`shipdesk carrier` with the sandbox carrier: an account without credentials, rates from
every account, a ZPL label, and the labels printed to a file."""

import io

import pytest
from django.core.management import CommandError, call_command

from shipdesk.carriers.models import CarrierAccount
from shipdesk.shipping.models import Shipment

from .conftest import phone_order

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("carrier", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_sandbox_account_needs_no_credentials_and_buys_and_prints_labels(
    orders, sandbox, tmp_path
):
    added = run(
        *("add", "Sandbox", "--carrier", "sandbox"),
        *("--latency-ms", "150", "--fail-rate", "0.1", "--url", sandbox.url),
    )
    busy_url = f"{sandbox.url}/carrier/ups/l150-f0.1"
    assert added == f"Carrier account Sandbox (sandbox, {busy_url}) added.\n"
    busy = CarrierAccount.objects.get(name="Sandbox")
    assert (busy.carrier_code, busy.karrio_carrier, busy.credentials, busy.server_url) == (
        "sandbox",
        "ups",
        {},
        busy_url,
    )
    run("add", "Quick", "--carrier", "sandbox", "--url", f"{sandbox.url}/")
    assert run("list").split() == [
        "Quick",
        "sandbox",
        "live",
        f"{sandbox.url}/carrier/ups/l0-f0",
        "Sandbox",
        "sandbox",
        "live",
        busy_url,
    ]
    run("disable", "Sandbox")
    order = phone_order("de-de")

    rates = run("rates", order.order_number)

    assert rates.splitlines() == [
        "Quick:",
        f"{'ups_standard_eu':<36} 11.27 EUR  3 d",
        f"{'ups_worldwide_saver_eu':<36} 23.74 EUR  2 d",
        f"{'ups_express_eu':<36} 32.51 EUR  1 d",
    ]

    label = tmp_path / "label.zpl"
    run(
        *("label", order.order_number, "--account", "Quick", "--service", "ups_express_eu"),
        *("--format", "zpl", "--out", str(label), "--no-notify-backmarket"),
    )
    shipment = Shipment.objects.get(order=order)
    assert label.read_text().startswith("^XA") and shipment.tracking_number in label.read_text()

    again = tmp_path / "again.zpl"
    printed = run("print", order.order_number, "--layout", "zpl", "--out", str(again))
    assert printed == f"1 label(s) written to {again}\n"
    assert again.read_bytes() == label.read_bytes()
    with pytest.raises(CommandError) as as_pdf:
        run("print", order.order_number, "--layout", "a4", "--out", str(tmp_path / "x.pdf"))
    assert str(as_pdf.value) == (
        f"the label of order {order.order_number} is in ZPL: print it with the ZPL layout"
    )
    with pytest.raises(CommandError) as no_printer:
        run("print", order.order_number, "--layout", "zpl")
    assert str(no_printer.value) == ("no printer: set SHIPDESK_PRINTER, or write a file with --out")


def test_sandbox_options_are_checked(orders, sandbox):
    refusals = [
        (
            ("add", "X", "--carrier", "sandbox", "--set", "client_id=a"),
            "the sandbox carrier takes no credentials (--set)",
        ),
        (
            ("add", "X", "--carrier", "ups", "--latency-ms", "10", "--set", "client_id=a"),
            "--latency-ms is for --carrier sandbox only",
        ),
        (
            ("add", "X", "--carrier", "sandbox", "--fail-rate", "1.5"),
            "Error: argument --fail-rate: 1.5 is not between 0 and 1",
        ),
        (
            ("add", "X", "--carrier", "sandbox", "--latency-ms", "nan"),
            "Error: argument --latency-ms: 'nan' is not a number",
        ),
        (
            ("add", "X", "--carrier", "sandbox", "--url", "ftp://host"),
            "the sandbox URL must be an http(s) URL with a host, not 'ftp://host'",
        ),
    ]
    for args, message in refusals:
        with pytest.raises(CommandError) as refused:
            run(*args)
        assert str(refused.value) == message
    run("add", "X", "--carrier", "sandbox", "--url", sandbox.url)
    with pytest.raises(CommandError) as twice:
        run("add", "X", "--carrier", "sandbox")
    assert str(twice.value) == "a carrier account named 'X' exists already"
    assert CarrierAccount.objects.count() == 1
