import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """Webhook subscriptions and batches move here from the api app, on their tables (state
    only); customer emails are outbox messages now (outbox 0002 copied them)."""

    dependencies = [
        ("notifications", "0001_initial"),
        ("stores", "0001_initial"),
        ("api", "0003_webhooks_moved_out"),
        ("outbox", "0002_from_the_three_old_outboxes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="WebhookBatch",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("orders", "Orders imported"),
                                    ("shipments", "Shipments created"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("object_ids", models.JSONField(default=list)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "store",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="stores.store",
                            ),
                        ),
                    ],
                    options={"db_table": "api_webhookbatch", "ordering": ["id"]},
                ),
                migrations.CreateModel(
                    name="WebhookSubscription",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "event",
                            models.CharField(
                                choices=[
                                    ("ORDER_NOTIFY", "New orders"),
                                    ("ITEM_ORDER_NOTIFY", "New orders (items)"),
                                    ("SHIP_NOTIFY", "New shipments"),
                                    ("ITEM_SHIP_NOTIFY", "New shipments (items)"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("target_url", models.URLField(max_length=1000)),
                        ("friendly_name", models.CharField(blank=True, max_length=200)),
                        ("secret_encrypted", models.TextField(default="", editable=False)),
                        ("active", models.BooleanField(default=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "store",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="stores.store",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"db_table": "api_webhooksubscription", "ordering": ["id"]},
                ),
            ],
            database_operations=[],
        ),
        migrations.DeleteModel(name="CustomerEmail"),
    ]
