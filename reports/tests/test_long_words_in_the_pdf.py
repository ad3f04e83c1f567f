"""A 400-character word in the report's text breaks inside the PDF's page (overflow-wrap: anywhere)."""

import re
import subprocess

import pytest
from django.utils import translation

from members.tests.factories import MemberFactory
from pole.fiscal_years import FiscalYear
from reports.pdf import render_report_pdf
from reports.tests.factories import AnnualReportFactory, ReportMessageFactory

pytestmark = pytest.mark.django_db

WORD = "Économie" + "s" * 392


def test_a_long_word_of_a_message_stays_on_the_page(tmp_path):
    report = AnnualReportFactory(fiscal_year=FiscalYear(2016))
    ReportMessageFactory(report=report, body=f"Premier paragraphe avec {WORD} dedans.")
    MemberFactory(fiscal_years=[2016])

    with translation.override("fr-ca"):
        pdf = render_report_pdf("2016-2017", use_cache=False)

    path = tmp_path / "rapport.pdf"
    path.write_bytes(pdf)
    boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', boxes)[1])
    words = re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)</word>', boxes)
    assert any("sssss" in word for _x, word in words)
    assert [word for x_max, word in words if float(x_max) > width] == []
