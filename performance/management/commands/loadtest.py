"""``manage.py loadtest``: gunicorn on a fresh database with the demo, under simulated people.

See performance/loadtest.py for what it does. It exits with status 1 on any error or lost edit.

    manage.py loadtest --seconds 30 --database-url postgres://postgres@127.0.0.1:5432/pole_load

``--requests-per-kind N`` makes a smoke run instead: each simulated person makes N requests
of each of its kinds, then stops, so the run checks every kind however slow the machine.
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from performance import launcher, loadtest


class Command(BaseCommand):
    help = (
        "Serve the demo with gunicorn on a new database and drive it with representatives editing "
        "their profile, directory visitors and a director downloading the PDF; print the figures."
    )

    def add_arguments(self, parser):
        length = parser.add_mutually_exclusive_group()
        length.add_argument("--seconds", type=float, help="How long to drive the server (30).")
        length.add_argument(
            "--requests-per-kind",
            type=int,
            help="A smoke run bounded by counts, not by time: each simulated person makes this many "
            "requests of each of its kinds (profile form and save, directory list, search and page, "
            "report page, report PDF), then stops.",
        )
        parser.add_argument(
            "--database-url",
            help="The database to create for the run (it must not exist, see --replace). By default "
            "DATABASE_URL's server with « _loadtest » added to the database's name.",
        )
        parser.add_argument("--replace", action="store_true", help="Drop the database first if it exists.")
        parser.add_argument("--keep-database", action="store_true", help="Keep the database after the run.")
        parser.add_argument("--representatives", type=int, default=10, help="Representatives editing (10).")
        parser.add_argument("--visitors", type=int, default=5, help="Visitors of the directory and report (5).")
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server (2).")
        parser.add_argument("--servers", type=int, default=1, help="gunicorn servers, the people spread over them (1).")
        parser.add_argument(
            "--page-requests",
            type=int,
            default=0,
            help="First measure each public page's rate against a bare Django view, with this many requests "
            "per page, 4 at once (ab when installed); 0 skips it.",
        )
        parser.add_argument(
            "--page-tool", choices=["ab", "client"], help="What measures the page rates (ab if installed)."
        )
        parser.add_argument(
            "--redis-url", help="The servers' shared cache (e.g. redis://127.0.0.1:6379/1); files otherwise."
        )
        parser.add_argument("--output", help="Write the figures as JSON to this file.")
        parser.add_argument(
            "--static-root",
            help="Serve this earlier collectstatic output (with debug off, collectstatic otherwise runs: ~1.5 min).",
        )
        parser.add_argument(
            "--debug",
            action="store_true",
            help="Serve with DJANGO_DEBUG on, skipping collectstatic: to check the tool quickly, not for figures.",
        )
        parser.add_argument("--workdir", help="Where media, static files and logs go (a new temporary folder).")
        # The phases run in child processes pointed at the load test's database.
        parser.add_argument("--phase", choices=["prepare", "read-back"], help=argparse_suppress())
        parser.add_argument("--state", help=argparse_suppress())
        parser.add_argument("--password", help=argparse_suppress())
        parser.add_argument("--members", help=argparse_suppress())

    def handle(self, *args, **options):
        if options["phase"] == "prepare":
            state = loadtest.prepare(representatives=options["representatives"], password=options["password"])
            Path(options["state"]).write_text(json.dumps(state))
            return
        if options["phase"] == "read-back":
            members = [int(pk) for pk in options["members"].split(",") if pk]
            Path(options["state"]).write_text(json.dumps(loadtest.read_back(members)))
            return

        database_url = options["database_url"] or launcher.loadtest_database_url(
            os.environ.get("DATABASE_URL") or "sqlite:///" + str(Path(tempfile.gettempdir()) / "pole.sqlite3")
        )
        if options["requests_per_kind"] is not None and options["requests_per_kind"] < 1:
            raise CommandError("--requests-per-kind must be at least 1")
        seconds = options["seconds"]
        if seconds is None and options["requests_per_kind"] is None:
            seconds = 30
        workdir = options["workdir"] or tempfile.mkdtemp(prefix="pole-loadtest-")
        try:
            results = loadtest.run(
                database_url=database_url,
                seconds=seconds,
                requests_per_kind=options["requests_per_kind"],
                representatives=options["representatives"],
                visitors=options["visitors"],
                workers=options["workers"],
                workdir=workdir,
                replace=options["replace"],
                keep_database=options["keep_database"],
                static_root=options["static_root"],
                debug=options["debug"],
                servers=options["servers"],
                page_requests=options["page_requests"],
                page_tool=options["page_tool"],
                redis_url=options["redis_url"],
                out=self.stdout.write,
            )
        except (FileExistsError, RuntimeError) as error:
            raise CommandError(str(error)) from error
        for line in loadtest.report_lines(results):
            self.stdout.write(line)
        if options["output"]:
            Path(options["output"]).write_text(json.dumps(results, indent=1, ensure_ascii=False))
            self.stdout.write(f"Figures written to {options['output']}")
        if loadtest.failed(results):
            raise CommandError(f"The load test failed; the server's log is {results['log']}")
        if not options["workdir"]:
            shutil.rmtree(workdir, ignore_errors=True)
        self.stdout.write(self.style.SUCCESS("No error, no lost edit."))


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS
