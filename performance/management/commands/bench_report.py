import json
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from performance import benchmark


class Command(BaseCommand):
    help = (
        "Fill the configured database with synthetic data N times the demo's size over ten fiscal years, "
        "then measure the annual report (queries, HTML, PDF, archival PDF/A), the admin lists and the activities and "
        "members imports."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=20, help="Units of the demo's size to write (default 20).")
        parser.add_argument("--json", dest="json_path", help="Also write the figures to this JSON file.")
        parser.add_argument("--runs", type=int, default=3, help="Runs per timing; the median is kept (default 3).")
        parser.add_argument(
            "--import-rows", type=int, default=10_000, help="Activity rows, and member rows, imported (default 10 000)."
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even though the database already holds data (it is kept)."
        )
        parser.add_argument(
            "--cleanup", action="store_true", help="Delete the rows the benchmark wrote once it is done."
        )

    def handle(self, *args, scale, json_path, runs, import_rows, force, cleanup, **options):
        if scale < 1 or runs < 1 or import_rows < 1:
            raise CommandError("--scale, --runs and --import-rows must be at least 1.")
        call_command("migrate", interactive=False, verbosity=0)
        if benchmark.database_has_data():
            if not force:
                raise CommandError(
                    "This database already holds data (members, activities, partners or reports). The benchmark "
                    "writes thousands of synthetic rows: run it on an empty database, or pass --force to add them "
                    "anyway (with --cleanup to delete them afterwards)."
                )
            self.stderr.write(self.style.WARNING("The database already holds data: the figures include it (--force)."))
        results, created = benchmark.run(
            scale=scale, runs=runs, import_rows=import_rows, log=lambda text: self.stderr.write(text)
        )
        if cleanup:
            created.delete()
        if json_path:
            Path(json_path).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        self.stdout.write(benchmark.table(results))
