from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run background jobs (imports, Back Market notifications). Several may run at once."

    def add_arguments(self, parser):
        parser.add_argument("--threads", type=int, default=None, help="worker threads")
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="consume jobs only; run exactly one worker without this flag per deployment",
        )

    def handle(self, *args, threads, no_scheduler, **options):
        kwargs = {"workers": threads} if threads else {}
        if no_scheduler:
            kwargs["periodic"] = False
        else:
            # Catch up at once after a restart instead of at the next minute.
            from shipdesk.sync.tasks import deliver_due_notifications, schedule_imports

            deliver_due_notifications()
            schedule_imports()
        call_command("run_huey", **kwargs)
