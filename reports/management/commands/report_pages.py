import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from pole.fiscal_years import FiscalYear
from reports.page_fill import MIN_REACH, format_table, measure_pdf
from reports.pdf import render_report_pdf


class Command(BaseCommand):
    help = (
        "Render a fiscal year's annual report to PDF and print, for each page, its ink coverage and how far "
        "down its text area the content reaches (reports/page_fill.py), e.g. report_pages 2016-2017."
    )

    def add_arguments(self, parser):
        parser.add_argument("fiscal_year", help="Fiscal year, e.g. 2016-2017.")
        parser.add_argument("--language", default="fr-ca", help="Language of the report (default fr-ca).")

    def handle(self, *args, fiscal_year, language, **options):
        try:
            year = FiscalYear.parse(fiscal_year)
        except ValueError:
            raise CommandError(f"« {fiscal_year} » is not a fiscal year such as 2016-2017.") from None
        with translation.override(language), tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "report.pdf"
            path.write_bytes(render_report_pdf(year, use_cache=False))
            pages = measure_pdf(path)
        self.stdout.write(format_table(pages))
        heavy = [page.number for page in pages if not page.may_be_light and page.reach < MIN_REACH]
        self.stdout.write(
            f"{len(pages)} pages; more than half empty, outside covers and chapter ends: "
            + (", ".join(map(str, heavy)) if heavy else "none")
        )
