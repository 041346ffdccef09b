"""Invoice test helpers: a store's legal details, an invoice's text."""

import io
from decimal import Decimal

from pypdf import PdfReader

from shipdesk.invoices.models import InvoiceSettings

VAT_NUMBER = "FR12345678901"


def legal_details(store, **fields) -> InvoiceSettings:
    values = {
        "legal_name": "Refurb Paris SAS",
        "address": "8 rue du Faubourg\n75011 Paris\nFrance",
        "vat_number": VAT_NUMBER,
        "legal_mentions": "SAS au capital de 10 000 € — RCS Paris 123 456 789",
        "vat_type": "REGULAR",
        "vat_rate": Decimal("20.00"),
        **fields,
    }
    settings, _ = InvoiceSettings.objects.update_or_create(store=store, defaults=values)
    return settings


def pdf_text(content: bytes) -> str:
    """The PDF's text, pages joined, whitespace runs made single spaces."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
