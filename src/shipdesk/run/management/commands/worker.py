from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from shipdesk.cli import bounded, database_problem


class Command(BaseCommand):
    help = "Run background jobs (imports, the outbox). Several may run at once."

    def add_arguments(self, parser):
        parser.add_argument(
            "--threads",
            type=bounded(int, 1, 256),
            default=None,
            help="worker threads (default: $SHIPDESK_WORKER_THREADS, else 4)",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="consume jobs only; run exactly one worker without this flag per deployment",
        )

    def handle(self, *args, threads, no_scheduler, **options):
        # Checked before consuming: otherwise every job would fail in the log.
        problem = database_problem()
        if problem:
            raise CommandError(problem)
        kwargs = {"workers": threads} if threads else {}
        if no_scheduler:
            kwargs["periodic"] = False
        else:
            # Catch up at once after a restart instead of at the next minute.
            from shipdesk.outbox.tasks import deliver_due_messages
            from shipdesk.sync.tasks import schedule_imports

            deliver_due_messages()
            schedule_imports()
        call_command("run_huey", **kwargs)
