"""`shipdesk` with the import and notification leases cut to seconds, for the fault soak.

A worker killed with SIGKILL keeps its leases until they expire (10 and 5 minutes in
production) before another worker takes its store or notification over. The soak kills
workers on purpose and must end in minutes: this runs the real command with shorter leases,
read from SOAK_IMPORT_LEASE_S and SOAK_OUTBOX_LEASE_S. Nothing else differs.

    python soak_worker.py worker --no-scheduler --threads 4
"""

import os
from datetime import timedelta


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shipdesk.settings")
    import django

    django.setup()
    from shipdesk import cli
    from shipdesk.sync import importer, outbox

    importer.LEASE = timedelta(seconds=float(os.environ["SOAK_IMPORT_LEASE_S"]))
    outbox.LEASE = timedelta(seconds=float(os.environ["SOAK_OUTBOX_LEASE_S"]))
    cli.main()


if __name__ == "__main__":
    main()
