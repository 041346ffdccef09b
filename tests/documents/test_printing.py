"""Printing labels to a CUPS printer: `lp` is the edge, replaced by a script on the PATH
that keeps its arguments and the bytes it was given."""

import os
import stat

import pytest

from shipdesk.documents import printing
from shipdesk.documents.labels import label_document
from tests.documents.test_labels import drawn_label, shipment

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(db):
    from tests.factories import make_store

    return make_store()


@pytest.fixture
def lp(tmp_path, monkeypatch):
    """A fake `lp` first on the PATH: (folder of what it received, set its answer)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "lp"
    script.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n" "$@" > "{tmp_path}/args"\n'
        f'cat > "{tmp_path}/stdin"\n'
        'if [ -n "$LP_FAIL" ]; then echo "$LP_FAIL" >&2; exit 1; fi\n'
        'echo "request id is Zebra-7 (1 file(s))"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return tmp_path


def received(folder) -> tuple[list[str], bytes]:
    return (folder / "args").read_text().splitlines(), (folder / "stdin").read_bytes()


def test_labels_go_to_the_configured_queue_as_the_document_of_the_layout(store, lp, settings):
    settings.SHIPDESK_PRINTER = "Zebra_GK420d"
    shipments = [shipment(store, n, pdf=drawn_label(f"L{n}")) for n in (11, 12)]

    printed = printing.print_labels(shipments, layout="4x6")

    assert printed == printing.Printed("Zebra_GK420d", "request id is Zebra-7 (1 file(s))")
    args, data = received(lp)
    assert args == [
        "-d",
        "Zebra_GK420d",
        "-t",
        "shipdesk labels 11, 12",
        "-o",
        "media=w288h432",
        "-",
    ]
    assert data == label_document(shipments, layout="4x6")


def test_zpl_goes_raw_to_a_cups_servers_queue_named_by_its_ipp_uri(store, lp, settings):
    settings.SHIPDESK_PRINTER = "ipp://print.lan/printers/zebra"
    labels = [shipment(store, n, zpl=f"^XA^FD{n}^FS^XZ") for n in (21, 22, 23, 24)]

    printing.print_labels(labels, layout="zpl")

    args, data = received(lp)
    assert args == [
        "-h",
        "print.lan:631",
        "-d",
        "zebra",
        "-t",
        "shipdesk labels 21, 22, 23 (+1)",
        "-o",
        "raw",
        "-",
    ]
    assert data == b"^XA^FD21^FS^XZ\n^XA^FD22^FS^XZ\n^XA^FD23^FS^XZ\n^XA^FD24^FS^XZ\n"


def test_without_a_printer_nothing_is_printed_and_nothing_fails(store, lp, settings):
    settings.SHIPDESK_PRINTER = ""

    assert printing.print_labels([shipment(store, 31, pdf=drawn_label("L"))], layout="a4") is None
    assert not (lp / "args").exists()


def test_a_printer_that_refuses_or_is_not_there_is_said(store, lp, settings, monkeypatch):
    label = shipment(store, 41, pdf=drawn_label("L"))
    settings.SHIPDESK_PRINTER = "Zebra"
    monkeypatch.setenv("LP_FAIL", "lp: The printer or class does not exist.")
    with pytest.raises(printing.PrintError) as refused:
        printing.print_labels([label], layout="a4x4")
    assert str(refused.value) == (
        "the printer Zebra refused the job: lp: The printer or class does not exist."
    )

    monkeypatch.setenv("PATH", str(lp / "empty"))  # no lp anywhere
    with pytest.raises(printing.PrintError) as missing:
        printing.print_labels([label], layout="a4")
    assert str(missing.value) == "lp (the CUPS client) is not installed on the server"

    for wrong in ("-d evil", "ipp://host/printers/", "http://host/printers/x"):
        settings.SHIPDESK_PRINTER = wrong
        with pytest.raises(printing.PrintError, match="SHIPDESK_PRINTER"):
            printing.print_labels([label], layout="a4")
