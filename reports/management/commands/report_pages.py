import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from pole.fiscal_years import FiscalYear
from reports.page_fill import check_pdf, format_table, format_violations
from reports.pdf import render_report_pdf


class Command(BaseCommand):
    help = (
        "Render a fiscal year's annual report to PDF (or read a PDF given with --pdf), print for each page "
        "its ink coverage and how far down its text area the content reaches, then every composition rule "
        "the pages break: a page more than half empty, a short chapter alone on a page when it fits under the "
        "page before, a list continued without « (suite) », a widow or "
        "orphan line, more than two hyphenated line ends in a row, an objective left out of the chart "
        "without a word (reports/page_fill.py). Exits with status 1 when a rule is broken. "
        "E.g. report_pages 2016-2017."
    )

    def add_arguments(self, parser):
        parser.add_argument("fiscal_year", nargs="?", help="Fiscal year, e.g. 2016-2017.")
        parser.add_argument("--language", default="fr-ca", help="Language of the report (default fr-ca).")
        parser.add_argument("--pdf", help="Check this PDF file instead of rendering the year's report.")
        parser.add_argument("--keep", help="Also write the rendered PDF to this path, to look at its pages.")

    def handle(self, *args, fiscal_year, language, pdf, keep, **options):
        if (fiscal_year is None) == (pdf is None):
            raise CommandError("Give a fiscal year such as 2016-2017, or --pdf FILE.")
        if pdf:
            composition = check_pdf(Path(pdf))
        else:
            try:
                year = FiscalYear.parse(fiscal_year)
            except ValueError:
                raise CommandError(f"« {fiscal_year} » is not a fiscal year such as 2016-2017.") from None
            with translation.override(language), tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "report.pdf"
                path.write_bytes(render_report_pdf(year, use_cache=False))
                if keep:
                    Path(keep).write_bytes(path.read_bytes())
                composition = check_pdf(path)
        self.stdout.write(format_table(composition.pages))
        self.stdout.write(f"{len(composition.pages)} pages.")
        self.stdout.write(format_violations(composition.violations))
        if composition.violations:
            raise CommandError(f"{len(composition.violations)} composition rule(s) broken.", returncode=1)
