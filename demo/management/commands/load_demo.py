from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.data import DEMO_ACCOUNTS
from demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the 2016-2017 annual report's content and the demo accounts (safe to run twice)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="pole-demo", help="Password of the demo accounts.")
        parser.add_argument(
            "--force", action="store_true", help="Load even though DEBUG is off (e.g. a staging server)."
        )
        parser.add_argument(
            "--no-archive",
            action="store_true",
            help="Do not freeze the published 2016-2017 report as its version 1 (PDF and HTML rendered once).",
        )

    def handle(self, *args, password, force, no_archive, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo data with DJANGO_DEBUG off: this looks like production. "
                "Add --force if you really mean it."
            )
        counts = load_demo(password=password, archive=not no_archive)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo data loaded: {members} members, {activities} activities, "
                "{organisations} organisations, {board} board members.".format(**counts)
            )
        )
        self.stdout.write(f"Demo accounts (password: {password}):")
        for email, _first, _last, group in DEMO_ACCOUNTS:
            self.stdout.write(f"  {email:<26} {group or 'représentant·e de membre'}")
