import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from pole.fiscal_years import FiscalYear
from reports.models import AnnualReport
from reports.pdf import render_report_pdf
from reports.publishing import latest_version
from reports.report import build_report_context
from reports.services import fiscal_years_with_data
from reports.standalone import render_standalone_html


class Command(BaseCommand):
    help = (
        "Export a fiscal year's annual report as PDF or as one self-contained HTML file, images and fonts "
        "inside, that opens from disk with no network (e.g. export_report 2016-2017 --format html)."
    )

    def add_arguments(self, parser):
        parser.add_argument("fiscal_year", help="Fiscal year, e.g. 2016-2017.")
        parser.add_argument("--format", choices=["pdf", "html"], default="pdf")
        parser.add_argument("--output", help="File to write; default rapport-annuel-YEAR.pdf|html here.")
        parser.add_argument("--language", default="fr-ca", help="Language of the report (default fr-ca).")
        parser.add_argument(
            "--published",
            action="store_true",
            help="Write the latest published version's file, byte for byte, instead of rendering the current data.",
        )

    def handle(self, *args, fiscal_year, format, output, language, published=False, **options):
        try:
            year = FiscalYear.parse(fiscal_year)
        except ValueError:
            raise CommandError(f"« {fiscal_year} » is not a fiscal year such as 2016-2017.") from None
        path = Path(output or f"rapport-annuel-{year.label}.{format}")
        if published:
            version = latest_version(AnnualReport.objects.filter(fiscal_year=year).first())
            if version is None:
                raise CommandError(f"The {year} report has no published version: publish it first.")
            field = version.pdf if format == "pdf" else version.html
            with field.open("rb") as file:
                path.write_bytes(file.read())
            self.stdout.write(
                self.style.SUCCESS(
                    f"Wrote {path} ({path.stat().st_size:,} bytes): version {version.number} of the {year} report, "
                    f"published {version.published_at:%Y-%m-%d}."
                )
            )
            return
        if year not in fiscal_years_with_data():
            raise CommandError(f"No data for the fiscal year {year}: nothing to report.")
        started = time.perf_counter()
        with translation.override(language):
            context = build_report_context(year)
            if format == "pdf":
                path.write_bytes(render_report_pdf(year, context=context))
            else:
                # Bytes, not text: no newline translation, the file is the function's output as is.
                path.write_bytes(render_standalone_html(year, context=context).encode("utf-8"))
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Wrote {path} ({path.stat().st_size:,} bytes) in {elapsed:.1f} s."))
