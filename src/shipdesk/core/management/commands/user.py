from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Manage shipdesk users: admins (stores, users, settings) and shippers (orders, shipping)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add")
        add.add_argument("username")
        add.add_argument("--password", required=True)
        add.add_argument("--email", default="")
        add.add_argument(
            "--admin", action="store_true", help="can manage stores, users and settings"
        )

    def handle(self, *args, action, username, password, email, admin, **options):
        users = get_user_model().objects
        if users.filter(username=username).exists():
            raise CommandError(f"user {username!r} already exists")
        try:
            validate_password(password, users.model(username=username, email=email))
        except ValidationError as exc:
            raise CommandError(f"password refused: {' '.join(exc.messages)}") from exc
        if admin:
            users.create_superuser(username, email, password)
        else:
            users.create_user(username, email, password)
        self.stdout.write(f"Created {'admin' if admin else 'shipper'} {username!r}.")
