from django.db import migrations


class Migration(migrations.Migration):
    """Webhook deliveries are outbox messages now (outbox 0002 copied them); subscriptions and
    batches belong to the notifications app, which keeps their tables (state only here)."""

    dependencies = [
        ("api", "0002_webhook_secret"),
        ("outbox", "0002_from_the_three_old_outboxes"),
    ]

    operations = [
        migrations.DeleteModel(name="WebhookAttempt"),
        migrations.DeleteModel(name="WebhookDelivery"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="webhookbatch", name="store"),
                migrations.RemoveField(model_name="webhooksubscription", name="store"),
                migrations.RemoveField(model_name="webhooksubscription", name="user"),
                migrations.DeleteModel(name="WebhookBatch"),
                migrations.DeleteModel(name="WebhookSubscription"),
            ],
            database_operations=[],
        ),
    ]
