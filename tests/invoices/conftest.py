import pytest


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(
        django_user_model.objects.create_superuser("alice", "alice@example.com", "alice-pw-1")
    )
    return client


@pytest.fixture
def shipper_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("sam", "sam@example.com", "sam-pw-1"))
    return client
