"""A 400-character word in a member's address stays on the invoice's page (overflow-wrap: anywhere)."""

import datetime
import re
import subprocess
from decimal import Decimal

import pytest

from members.billing.invoices import issue_invoice, render_document_pdf
from members.models import DuesRate, Member
from members.tests.factories import MemberFactory
from pole.fiscal_years import FiscalYear

pytestmark = pytest.mark.django_db

WORD = "Rue" + "x" * 397


def words_beyond_the_page(pdf, tmp_path):
    """The words pdftotext places past the page's right edge."""
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', boxes)[1])
    return [word for x_max, word in re.findall(r'xMax="([\d.]+)"[^>]*>([^<]*)</word>', boxes) if float(x_max) > width]


def test_a_long_word_in_the_members_address_breaks_inside_the_invoice(tmp_path):
    DuesRate.objects.create(fiscal_year=FiscalYear(2017), category=Member.Category.REGULAR, amount=Decimal("160.00"))
    member = MemberFactory(name="Coop " + "y" * 150, address=f"12, {WORD}\nQuébec")
    invoice = issue_invoice(member=member, fiscal_year=FiscalYear(2017), today=datetime.date(2017, 4, 10))

    pdf = render_document_pdf(invoice)

    assert words_beyond_the_page(pdf, tmp_path) == []
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "xxxxxxxxxx" in text
