from django.apps import AppConfig


class InvoicesConfig(AppConfig):
    name = "shipdesk.invoices"
    label = "invoices"

    def ready(self) -> None:
        # The optional upload at shipping: the shipping domain does not know invoices.
        from shipdesk.invoices import at_shipping  # noqa: F401
