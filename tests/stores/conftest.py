import pytest


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("alice", "a@example.com", "pw"))
    return client
