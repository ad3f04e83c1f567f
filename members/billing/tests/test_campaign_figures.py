"""The renewal campaign's figures and the members in good standing (reports/statistics.py), and the dashboard."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from backoffice.dashboard import campaign_dashboard
from members.billing.invoices import cancel_invoice, issue_invoice, record_payment
from members.billing.selectors import campaign_figures, good_standing
from members.models import DuesNotice, DuesRate, Membership, RenewalCampaign
from members.tests.factories import MemberFactory, MembershipFactory
from pole.fiscal_years import FiscalYear

pytestmark = pytest.mark.django_db

Y2017 = FiscalYear(2017)
DAY = datetime.date(2017, 4, 10)
LATER = datetime.date(2017, 6, 1)  # past the invoices' due date (30 days)


@pytest.fixture
def campaign(db):
    DuesRate.objects.create(fiscal_year=Y2017, category="regular", amount=Decimal("160.00"))
    DuesRate.objects.create(fiscal_year=Y2017, category="supplier", amount=Decimal("250.00"))
    campaign = RenewalCampaign.objects.create(fiscal_year=Y2017, opened_on=datetime.date(2017, 4, 3))
    members = [MemberFactory(name=f"Coop {index}", fiscal_years=[FiscalYear(2016)]) for index in range(6)]
    for member in members:
        DuesNotice.objects.create(member=member, fiscal_year=Y2017, kind="invitation", sent_on=campaign.opened_on,
                                  recipients="x@exemple.org")
    # 0 paid in full, 1 paid in part (late), 2 unpaid (late), 3 cancelled, 4 renewed by staff without invoice, 5 not renewed
    paid = issue_invoice(member=members[0], fiscal_year=Y2017, today=DAY)
    record_payment(invoice=paid, paid_on=DAY, amount=Decimal("160.00"))
    partly = issue_invoice(member=members[1], fiscal_year=Y2017, today=DAY)
    record_payment(invoice=partly, paid_on=DAY, amount=Decimal("60.00"))
    members[2].category = "supplier"
    members[2].save()
    issue_invoice(member=members[2], fiscal_year=Y2017, today=DAY)
    cancel_invoice(invoice=issue_invoice(member=members[3], fiscal_year=Y2017, today=DAY), reason="Départ du réseau")
    MembershipFactory(member=members[4], fiscal_year=Y2017, dues=Decimal("0.00"), paid_on=None, waived=True,
                      waiver_reason="Membre honoraire")
    return campaign


def figures(today):
    return {figure.key: (figure.count, figure.amount) for figure in campaign_figures(Y2017, today=today)}


def test_campaign_figures_count_each_step_with_amounts(campaign):
    assert figures(LATER) == {
        "invited": (6, None),
        "renewed": (4, Decimal("570.00")),  # 160 + 160 + 250 + 0
        "invoiced": (3, Decimal("570.00")),
        "paid": (1, Decimal("220.00")),  # the money received: 160 + 60
        "late": (2, Decimal("350.00")),  # 100 + 250
    }
    # Before the due date nothing is late.
    assert figures(DAY)["late"] == (0, Decimal("0.00"))


def test_campaign_figures_take_three_queries_whatever_the_rows(campaign, django_assert_num_queries):
    with django_assert_num_queries(3):
        campaign_figures(Y2017, today=LATER)


def test_good_standing_is_paid_or_waived_and_the_quorum_rounds_up(campaign):
    standing = good_standing(Y2017, quorum_percent=10)
    assert [m.member.name for m in standing.memberships] == ["Coop 0", "Coop 4"]
    assert (standing.count, standing.quorum) == (2, 1)
    for index in range(9):
        MembershipFactory(member=MemberFactory(name=f"Autre {index}"), fiscal_year=Y2017, paid_on=DAY)
    standing = good_standing(Y2017, quorum_percent=10)
    assert (standing.count, standing.quorum) == (11, 2)  # 1.1 members → 2
    assert good_standing(Y2017, quorum_percent=50).quorum == 6


def test_the_report_counts_a_renewal_from_its_invoice(campaign):
    from reports.statistics import year_figures

    # Coop 0, 1, 2 (invoiced) and 4 (by staff): the cancelled renewal of Coop 3 is not a membership.
    assert year_figures(Y2017).members == 4
    assert Membership.objects.filter(fiscal_year=Y2017).count() == 4


def test_the_dashboard_links_each_count_to_its_list(campaign, personnel_client, personnel_user):
    dashboard = campaign_dashboard(user=personnel_user, today=LATER)
    rows = {row.label: row for row in dashboard["rows"]}
    assert rows["invités"].url == "/admin/members/member/?campagne=2017-2018"
    assert rows["renouvelés"].url == "/admin/members/membership/?exercice=2017-2018"
    assert rows["en retard"].url == "/admin/members/invoice/?exercice=2017-2018&kind=invoice&etat=retard"
    assert rows["en retard"].amount == "350,00\u00a0$"
    for label, expected in [("invités", 6), ("renouvelés", 4), ("facturés", 3), ("payés", 1)]:
        assert rows[label].count == expected
    # Each link lists exactly what it counts.
    for row in dashboard["rows"]:
        response = personnel_client.get(row.url)
        assert response.status_code == 200
        assert response.context["cl"].result_count == row.count, row.label
    content = personnel_client.get(reverse("admin:index")).content.decode()
    assert "Renouvellements 2017-2018" in content


def test_the_dashboard_shows_no_campaign_to_whoever_may_not_see_invoices(campaign, django_user_model):
    user = django_user_model.objects.create_user(email="sans-droit@exemple.org", is_staff=True)
    assert campaign_dashboard(user=user) is None
