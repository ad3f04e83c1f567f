"""``manage.py oversell``: many people register at once for an event's last seats, on gunicorn.

See performance/oversell.py. It exits with status 1 if a seat is oversold or a registration
is lost or refused.

    manage.py oversell --people 200 --capacity 50 --free 20 \\
        --database-url postgres://postgres@127.0.0.1:5432/pole_oversell
"""

import json
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from performance import oversell


class Command(BaseCommand):
    help = "Register many people at once for an event's last seats through gunicorn; check nothing is oversold."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=200, help="Registrations sent at once (200).")
        parser.add_argument("--capacity", type=int, default=50, help="The event's seats (50).")
        parser.add_argument("--free", type=int, default=20, help="Seats still free when the storm starts (20).")
        parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4).")
        parser.add_argument("--threads", type=int, default=8, help="Threads per gunicorn worker (8).")
        parser.add_argument(
            "--database-url",
            help="The database to create and drop for the run; by default DATABASE_URL's server, with "
            "« _oversell_<random> » added to the name.",
        )
        parser.add_argument("--workdir", help="Where logs go (a new temporary folder).")
        parser.add_argument("--phase", choices=["prepare", "read-back"], help="(internal) a phase of the run.")
        parser.add_argument("--state", help="(internal) the phase's JSON output.")
        parser.add_argument("--event", type=int, help="(internal) the event read back.")

    def handle(self, *args, **options):
        if options["phase"] == "prepare":
            state = oversell.prepare(capacity=options["capacity"], free=options["free"])
            Path(options["state"]).write_text(json.dumps(state))
            return
        if options["phase"] == "read-back":
            Path(options["state"]).write_text(json.dumps(oversell.read_back(options["event"])))
            return
        if not 0 < options["free"] <= options["capacity"] or options["people"] < options["free"]:
            raise CommandError("Give 0 < --free ≤ --capacity and --people ≥ --free.")
        url = options["database_url"]
        if not url:
            from pole.env import env_str

            url = oversell.oversell_database_url(
                env_str("DATABASE_URL", f"sqlite:///{settings.BASE_DIR / 'db.sqlite3'}")
            )
        if not url.startswith(("postgres://", "postgresql://")):
            # SQLite takes one writer at a time and answers the others « database is locked ».
            raise CommandError("The oversell test needs PostgreSQL: give --database-url postgres://…")
        workdir = options["workdir"] or tempfile.mkdtemp(prefix="pole-oversell-")
        figures, problems = oversell.run(
            database_url=url,
            workdir=workdir,
            people=options["people"],
            capacity=options["capacity"],
            free=options["free"],
            workers=options["workers"],
            threads=options["threads"],
            out=self.stdout.write,
        )
        self.stdout.write(json.dumps(figures, indent=2))
        if problems:
            raise CommandError("; ".join(problems))
        self.stdout.write(self.style.SUCCESS("No seat oversold, no registration lost."))
