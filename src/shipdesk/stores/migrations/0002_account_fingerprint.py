"""One store per Back Market account: a keyed fingerprint of (server, token) on each store.

Existing stores get theirs here. When one token was connected twice (every order imported
twice), the oldest store keeps the fingerprint; the others keep none and say why until the
seller removes them (`shipdesk store remove`).
"""

from django.db import migrations, models

from shipdesk.core import crypto
from shipdesk.stores.models import account_fingerprint, server_url


def fingerprint_stores(apps, schema_editor):
    Store = apps.get_model("stores", "Store")
    first = {}
    for store in Store.objects.order_by("pk"):
        try:
            token = crypto.decrypt(store.token_encrypted)
        except ValueError:
            continue  # unreadable with this encryption key: the seller must set a new token
        fingerprint = account_fingerprint(server_url(store.region, store.base_url), token)
        if fingerprint in first:
            store.last_error = (
                f"This store uses the same Back Market token as store {first[fingerprint]}: "
                "its orders are imported twice. Remove one with `shipdesk store remove`."
            )
            store.save(update_fields=["last_error"])
            continue
        first[fingerprint] = f"{store.pk} ({store.name})"
        store.account_fingerprint = fingerprint
        store.save(update_fields=["account_fingerprint"])


class Migration(migrations.Migration):
    dependencies = [
        ("stores", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="store",
            name="account_fingerprint",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(fingerprint_stores, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="store",
            constraint=models.UniqueConstraint(
                condition=models.Q(("account_fingerprint", ""), _negated=True),
                fields=("account_fingerprint",),
                name="one_store_per_account",
            ),
        ),
    ]
