"""GET /users: the account's users in ShipStation's shape, inactive ones on request."""

import pytest

pytestmark = pytest.mark.django_db


def test_users_list_active_users_without_emails_or_passwords(api, api_user, django_user_model):
    django_user_model.objects.create_user(
        "marie", "marie@example.com", "s3cret-pass", first_name="Marie", last_name="Curie"
    )
    django_user_model.objects.create_user("old", "old@example.com", is_active=False)
    marie = django_user_model.objects.get(username="marie")

    response = api.get("/users")

    assert response.status_code == 200
    assert response.json() == [
        {"userId": str(api_user.pk), "userName": "erp", "name": "erp"},
        {"userId": str(marie.pk), "userName": "marie", "name": "Marie Curie"},
    ]


def test_users_show_inactive(api, api_user, django_user_model):
    old = django_user_model.objects.create_user("old", "old@example.com", is_active=False)

    response = api.get("/users", {"showInactive": "true"})

    assert [u["userId"] for u in response.json()] == [str(api_user.pk), str(old.pk)]


def test_users_bad_showinactive_is_400(api):
    response = api.get("/users", {"showInactive": "maybe"})

    assert (response.status_code, response.json()) == (
        400,
        {
            "message": "invalid request: showInactive: Input should be a valid boolean, unable to interpret input"
        },
    )
