"""The `shipdesk` command: every Django management command, plus shipdesk's own."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shipdesk.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shipdesk", *sys.argv[1:]])


if __name__ == "__main__":
    main()
