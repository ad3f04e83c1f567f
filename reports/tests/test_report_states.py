"""The report in any state, read from its PDF as its reader reads it: a draft says so on every page."""

import datetime
import re
import subprocess

import pytest
from django.utils import translation

from activities.tests.factories import ActivityFactory, ObjectiveFactory
from pole.fiscal_years import FiscalYear
from pole.formatting import format_date
from reports.pdf import render_report_pdf
from reports.tests.factories import AnnualReportFactory

pytestmark = pytest.mark.django_db

YEAR = FiscalYear(2017)


def pages_text(pdf, tmp_path):
    """The text of each page of ``pdf``, no-break spaces made plain."""
    path = tmp_path / "rapport.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"Pages:\s+(\d+)", info)[1])
    return [
        subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(path), "-"], capture_output=True, text=True,
                       check=True).stdout.replace("\u00a0", " ")
        for n in range(1, count + 1)
    ]


@pytest.fixture
def small_year(db):
    """2017-2018 as staff enter it: two objectives, an activity under the first."""
    first = ObjectiveFactory(name="Consolidation du Pôle", order=1)
    ObjectiveFactory(name="Renforcer les compétences", order=2)
    ActivityFactory(start_date=datetime.date(2017, 5, 11), title="Formation en gestion financière",
                    objectives=[first], participants=14)
    return YEAR


def test_an_unpublished_report_says_draft_not_adopted_and_the_day_on_every_page(small_year, tmp_path):
    with translation.override("fr-ca"):
        pages = pages_text(render_report_pdf(small_year, use_cache=False), tmp_path)
        today = format_date(datetime.date.today()).replace("\u00a0", " ")
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert "PROJET — NON ADOPTÉ · " + today.upper() in text, number


def test_a_published_report_carries_no_draft_mark(small_year, tmp_path):
    AnnualReportFactory(fiscal_year=small_year, is_published=True)
    with translation.override("fr-ca"):
        pages = pages_text(render_report_pdf(small_year, use_cache=False), tmp_path)
    assert not [number for number, text in enumerate(pages, start=1) if "PROJET" in text.upper()]
