from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from shipdesk.api.keys import create_key, revoke_key
from shipdesk.api.models import ApiKey
from shipdesk.core.cli import print_json


def key_dict(api_key: ApiKey) -> dict:
    return {
        "key": api_key.key,
        "user": api_key.user.username,
        "name": api_key.name,
        "created_at": api_key.created_at,
        "last_used_at": api_key.last_used_at,
        "revoked_at": api_key.revoked_at,
    }


class Command(BaseCommand):
    help = "API keys for the ShipStation-compatible REST API (HTTP Basic: key and secret)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a key; its secret is shown only once")
        create.add_argument("--user", required=True, help="the user the key acts as")
        create.add_argument("--name", default="", help="what the key is for, e.g. 'ERP'")
        create.add_argument("--json", action="store_true")

        revoke = sub.add_parser("revoke", help="revoke a key: it gets 401 from now on")
        revoke.add_argument("key")

        lst = sub.add_parser("list", help="list keys (never their secrets)")
        lst.add_argument("--user")
        lst.add_argument("--json", action="store_true")

    def handle(self, *args, action, **o):
        getattr(self, "handle_" + action)(**o)

    def handle_create(self, *, user, name, json, **_):
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"no user {user!r} (create one with `shipdesk user add`)")
        if not account.is_active:
            raise CommandError(f"user {user!r} is deactivated")
        api_key, secret = create_key(account, name=name)
        if json:
            print_json(self, {"key": api_key.key, "secret": secret})
            return
        self.stdout.write(
            f"API key: {api_key.key}\nSecret:  {secret}\n"
            "Keep the secret now: shipdesk stores only its hash and cannot show it again."
        )

    def handle_revoke(self, *, key, **_):
        api_key = ApiKey.objects.filter(key=key).first()
        if api_key is None:
            raise CommandError(f"no API key {key!r} (see `shipdesk apikey list`)")
        if api_key.revoked_at is not None:
            raise CommandError(
                f"API key {key} was already revoked on {api_key.revoked_at:%Y-%m-%d}"
            )
        revoke_key(api_key)
        self.stdout.write(f"Revoked API key {key}.")

    def handle_list(self, *, user, json, **_):
        keys = ApiKey.objects.select_related("user")
        if user:
            keys = keys.filter(user__username=user)
        rows = [key_dict(k) for k in keys]
        if json:
            print_json(self, {"keys": rows})
            return
        for row in rows:
            state = f"revoked {row['revoked_at']:%Y-%m-%d}" if row["revoked_at"] else "active"
            used = f"{row['last_used_at']:%Y-%m-%d %H:%M}" if row["last_used_at"] else "never"
            self.stdout.write(
                f"{row['key']}  {row['user']:<20} {state:<18} last used {used}  {row['name']}"
            )
        self.stdout.write(f"{len(rows)} keys")
