"""Migration 0002: subscriptions made before signatures get a secret each."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from shipdesk.core import crypto


@pytest.mark.django_db(transaction=True)
def test_existing_subscriptions_get_a_secret_each():
    before, after = [("api", "0001_initial")], [("api", "0002_webhook_secret")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    user = old.get_model("auth", "User").objects.create(username="erp")
    Subscription = old.get_model("api", "WebhookSubscription")
    for n in (1, 2):
        Subscription.objects.create(
            user_id=user.pk,
            event="SHIP_NOTIFY",
            target_url=f"https://erp.example.com/{n}",
            api_root="http://testserver/ssapi/",
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)

    new = executor.loader.project_state(after).apps.get_model("api", "WebhookSubscription")
    secrets = [crypto.decrypt(s.secret_encrypted) for s in new.objects.order_by("id")]
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # the schema the next tests expect
    assert [len(s) for s in secrets] == [43, 43]
    assert secrets[0] != secrets[1]
