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
    """2017-2018 as staff enter it: two objectives (the first shows the members' portrait), an
    activity under the first."""
    from activities.models import Objective

    first = ObjectiveFactory(name="Consolidation du Pôle", order=1, report_block=Objective.ReportBlock.PORTRAIT)
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


@pytest.fixture
def year_in_progress(small_year):
    """2017-2018 in December: ten members paid 2016-2017, the renewals of 2017-2018 are open
    (dues, campaign, invoices, payments through the billing services) and two have renewed; the
    board elected in June 2016 left at the June 2017 AGM, the new one is not recorded yet."""
    from decimal import Decimal

    from members.billing.invoices import issue_invoice, record_payment
    from members.billing.renewals import open_campaign
    from members.models import DuesRate, RenewalCampaign
    from members.tests.factories import BoardMandateFactory, MemberFactory, MembershipFactory, StaffMemberFactory

    members = [MemberFactory(name=f"Coop {index}") for index in range(10)]
    for member in members:
        MembershipFactory(member=member, fiscal_year=FiscalYear(2016), paid_on=datetime.date(2016, 5, 1))
    DuesRate.objects.create(fiscal_year=YEAR, category="regular", amount=Decimal("160.00"))
    campaign = RenewalCampaign.objects.create(fiscal_year=YEAR)
    open_campaign(campaign=campaign, opened_by=None, base_url="https://pole.exemple.org",
                  today=datetime.date(2017, 4, 3))
    for member in members[:2]:
        invoice = issue_invoice(member=member, fiscal_year=YEAR, today=datetime.date(2017, 4, 10))
        record_payment(invoice=invoice, paid_on=datetime.date(2017, 4, 20), amount=invoice.total)
    BoardMandateFactory(name="Charles Demers", start_date=datetime.date(2016, 6, 15), end_date=datetime.date(2017, 6, 14))
    StaffMemberFactory(name="Félix Bussières", start_date=datetime.date(2015, 4, 1))
    StaffMemberFactory(name="Ancienne Agente", start_date=datetime.date(2015, 4, 1), end_date=datetime.date(2017, 5, 31))
    return small_year


def test_a_year_in_progress_says_its_campaign_is_open_beside_the_membership_comparisons(year_in_progress, tmp_path):
    with translation.override("fr-ca"):
        text = " ".join(" ".join(page.split()) for page in pages_text(render_report_pdf(year_in_progress, use_cache=False), tmp_path))
    note = ("L’exercice 2017-2018 est en cours et sa campagne de renouvellement est ouverte : les membres y sont "
            "comptés à mesure qu’ils renouvellent.")
    assert text.count(note) == 2  # under the members' portrait and under the year's table
    assert text.index(note) < text.index("croissance du membership") < text.rindex(note)
    assert text.index("L’année en chiffres") < text.rindex(note)


def test_the_tables_footnote_speaks_only_of_what_the_table_holds(year_in_progress, tmp_path):
    with translation.override("fr-ca"):
        text = " ".join(" ".join(page.split()) for page in pages_text(render_report_pdf(year_in_progress, use_cache=False), tmp_path))
    # No declared totals in either year: the footnote does not speak of them.
    assert "Les chiffres viennent des adhésions et des activités que le Pôle a consignées pour chaque exercice." in text
    assert "sauf les totaux" not in text
    # The previous year has no activity recorded: « n.d. » is in the table, and explained.
    assert "n.d." in text.split("L’année en chiffres")[1].split("Les chiffres viennent")[0]
    assert "« n.d. » : non disponible" in text


def test_the_footnote_names_the_year_whose_totals_were_declared(small_year, tmp_path):
    from activities.tests.factories import ActivityFactory as Activity
    from members.tests.factories import MemberFactory, MembershipFactory
    from reports.models import Figure
    from reports.tests.factories import DeclaredFigureFactory

    objective = ObjectiveFactory(name="Objectif de l’an passé", order=9)
    Activity(start_date=datetime.date(2016, 5, 11), objectives=[objective], participants=10)
    for year in (2015, 2016, 2017):
        MembershipFactory(member=MemberFactory(name=f"Coop {year}"), fiscal_year=FiscalYear(year),
                          paid_on=datetime.date(year, 5, 1))
    report = AnnualReportFactory(fiscal_year=FiscalYear(2016), is_published=True)
    DeclaredFigureFactory(report=report, figure=Figure.PARTICIPANTS, value=1650)
    with translation.override("fr-ca"):
        text = " ".join(" ".join(page.split()) for page in pages_text(render_report_pdf(small_year, use_cache=False), tmp_path))
    assert "sauf les totaux d’activités et de participants de 2016-2017, que le Pôle établit" in text


def test_an_objective_with_nothing_to_show_says_so_in_one_line(year_in_progress, tmp_path):
    from activities.models import Objective

    ObjectiveFactory(name="Concertation et collaboration", order=5, report_block=Objective.ReportBlock.NETWORK)
    with translation.override("fr-ca"):
        text = " ".join(" ".join(page.split()) for page in pages_text(render_report_pdf(year_in_progress, use_cache=False), tmp_path))
    after = text.rsplit("Concertation et collaboration", 1)[1]  # its heading, after the chart note naming it
    assert after.lstrip().startswith("Aucune activité n’a été consignée sous cet objectif en 2017-2018.")


def test_the_board_and_staff_printed_are_those_in_office_in_the_year(year_in_progress, tmp_path, settings):
    import reports.report as report_module

    with translation.override("fr-ca"):
        context_2016 = report_module.build_report_context(FiscalYear(2016))
        context_2017 = report_module.build_report_context(year_in_progress)
    assert [p["name"] for p in context_2016["board"]] == ["Charles Demers"]
    assert {p["name"] for p in context_2016["staff"]} == {"Félix Bussières", "Ancienne Agente"}
    # The mandates ended at the June 2017 AGM; the agent left in May 2017: not the 2017-2018 team.
    assert context_2017["board"] == []
    assert [p["name"] for p in context_2017["staff"]] == ["Félix Bussières"]
