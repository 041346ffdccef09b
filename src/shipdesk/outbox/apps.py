from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "shipdesk.outbox"
    label = "outbox"
    verbose_name = "Outbox"

    def ready(self):
        # Each sender registers itself with the engine; the engine imports none of them, so
        # the domain can queue messages without importing what delivers them.
        from shipdesk.outbox.senders import backmarket, emails, webhooks  # noqa: F401
