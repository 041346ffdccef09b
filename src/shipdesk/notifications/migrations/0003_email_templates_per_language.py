import django.db.models.deletion
from django.db import migrations, models


# The languages a buyer is written to in, as orders.models.BUYER_LANGUAGES said when this
# migration was written (a migration must not follow later edits of the code).
LANGUAGES = ("en", "fr", "de", "es", "it", "nl")
FIELDS = {
    "shipment_confirmation": ("shipment_email_subject", "shipment_email_body"),
    "delivery_notification": ("delivery_email_subject", "delivery_email_body"),
}


def store_language(store) -> str:
    """The language of the store's marketplace ('fr-fr' -> 'fr'): the one its seller wrote
    its single template in, most likely; English for a marketplace shipdesk does not write."""
    prefix = (store.country_code or "").lower().split("-")[0]
    return prefix if prefix in LANGUAGES else "en"


def templates_per_language(apps, schema_editor):
    """The store's own subject and text of each email (one for every buyer until now) become
    its template in its marketplace's language. The store's fields are left as they were."""
    Store = apps.get_model("stores", "Store")
    EmailTemplate = apps.get_model("notifications", "EmailTemplate")
    for store in Store.objects.all():
        for kind, (subject_field, body_field) in FIELDS.items():
            subject, body = getattr(store, subject_field), getattr(store, body_field)
            if subject.strip() or body.strip():
                EmailTemplate.objects.create(
                    store=store,
                    kind=kind,
                    language=store_language(store),
                    subject=subject,
                    body=body,
                )


def back_to_the_store(apps, schema_editor):
    """Undone: the store's fields take its marketplace language's templates again."""
    Store = apps.get_model("stores", "Store")
    EmailTemplate = apps.get_model("notifications", "EmailTemplate")
    # Only the columns it needs: undone after later stores migrations (0003 last_checked_at...),
    # the historical model may still list columns the table has lost already.
    fields = ["country_code", *(field for pair in FIELDS.values() for field in pair)]
    for store in Store.objects.only(*fields):
        for kind, (subject_field, body_field) in FIELDS.items():
            template = EmailTemplate.objects.filter(
                store=store, kind=kind, language=store_language(store)
            ).first()
            if template is not None:
                setattr(store, subject_field, template.subject)
                setattr(store, body_field, template.body)
        store.save(update_fields=[field for pair in FIELDS.values() for field in pair])


class Migration(migrations.Migration):
    """The seller's customer email templates, one per email and language; the store's own
    templates are copied into its marketplace language's."""

    dependencies = [
        ("notifications", "0002_webhooks_here_customer_emails_in_the_outbox"),
        ("stores", "0002_account_fingerprint"),
    ]

    operations = [
        migrations.CreateModel(
            name="EmailTemplate",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("shipment_confirmation", "Shipment confirmation"),
                            ("delivery_notification", "Delivery notification"),
                        ],
                        max_length=30,
                    ),
                ),
                (
                    "language",
                    models.CharField(
                        choices=[
                            ("en", "en"),
                            ("fr", "fr"),
                            ("de", "de"),
                            ("es", "es"),
                            ("it", "it"),
                            ("nl", "nl"),
                        ],
                        max_length=2,
                    ),
                ),
                ("subject", models.CharField(blank=True, max_length=200)),
                ("body", models.TextField(blank=True)),
                (
                    "store",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="email_templates",
                        to="stores.store",
                    ),
                ),
            ],
            options={
                "ordering": ["store", "kind", "language"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("store", "kind", "language"), name="one_email_template_per_language"
                    )
                ],
            },
        ),
        migrations.RunPython(templates_per_language, back_to_the_store),
    ]
