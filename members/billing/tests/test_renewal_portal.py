"""Renewing and downloading invoices in the member portal; who may see what."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from members.billing.invoices import issue_invoice, record_payment
from members.models import DuesRate, Invoice, Membership, RenewalCampaign
from members.tests.factories import MemberFactory, RepresentativeFactory
from pole.fiscal_years import FiscalYear

pytestmark = pytest.mark.django_db

Y2017 = FiscalYear(2017)
RENEW = reverse("members:renew", args=["2017-2018"])
INVOICES = reverse("members:invoices")


@pytest.fixture
def campaign(db):
    DuesRate.objects.create(fiscal_year=Y2017, category="regular", amount=Decimal("160.00"))
    return RenewalCampaign.objects.create(fiscal_year=Y2017, opened_on=datetime.date(2017, 4, 3))


@pytest.fixture
def representative(client):
    contact = RepresentativeFactory(member=MemberFactory(name="Coop du Quai", fiscal_years=[FiscalYear(2016)]))
    client.force_login(contact.user)
    return contact


def test_the_portal_offers_to_renew_for_the_open_campaign(client, campaign, representative):
    response = client.get(reverse("members:portal"))
    assert "Renouveler pour 2017-2018" in response.content.decode()
    assert RENEW in response.content.decode()


def test_the_renewal_page_shows_the_amount_with_taxes(client, campaign, representative, settings):
    settings.POLE_TPS_RATE, settings.POLE_TVQ_RATE = Decimal("5"), Decimal("9.975")
    content = client.get(RENEW).content.decode().replace("\u00a0", " ")
    assert "160,00 $" in content and "8,00 $" in content and "15,96 $" in content and "183,96 $" in content
    assert "J’ai revu le profil" in content


def test_renewing_without_confirming_issues_nothing(client, campaign, representative):
    response = client.post(RENEW, {})
    assert response.status_code == 200
    assert "Confirmez que le profil est à jour" in response.content.decode()
    assert not Invoice.objects.exists() and not Membership.objects.filter(fiscal_year=Y2017).exists()


def test_renewing_issues_the_invoice_once(client, campaign, representative):
    response = client.post(RENEW, {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == INVOICES
    invoice = Invoice.objects.get()
    assert (invoice.member, invoice.number, invoice.issued_by) == (
        representative.member,
        1,
        representative.user,
    )
    # A second click, or the page opened again: no second invoice.
    assert client.post(RENEW, {"confirm": "on"}).status_code == 200
    assert client.get(RENEW)["Location"] == INVOICES
    assert Invoice.objects.count() == 1
    content = client.get(INVOICES).content.decode()
    assert "F2017-0001" in content and "à payer" in content
    assert "Renouveler pour 2017-2018" not in content


def test_no_renewal_when_the_campaign_is_not_open(client, campaign, representative):
    campaign.closed = True
    campaign.save()
    assert client.get(RENEW).status_code == 404
    assert client.post(RENEW, {"confirm": "on"}).status_code == 404
    assert client.get(reverse("members:renew", args=["pas-une-année"])).status_code == 404
    assert client.get(reverse("members:renew", args=["2030-2031"])).status_code == 404
    assert not Invoice.objects.exists()


def test_invoices_and_receipts_download_for_the_own_organisation_only(client, campaign, representative):
    own = issue_invoice(member=representative.member, fiscal_year=Y2017)
    other = issue_invoice(member=MemberFactory(name="Autre coop"), fiscal_year=Y2017)
    others_payment = record_payment(invoice=other, paid_on=datetime.date(2017, 5, 1), amount=other.total)
    response = client.get(reverse("members:invoice-pdf", args=[own.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="facture-F2017-0001.pdf"' in response["Content-Disposition"]
    assert client.get(reverse("members:invoice-pdf", args=[other.pk])).status_code == 404
    assert client.get(reverse("members:receipt-pdf", args=[others_payment.pk])).status_code == 404
    # A receipt for each payment, the partial one included.
    partial = record_payment(invoice=own, paid_on=datetime.date(2017, 5, 2), amount=Decimal("100.00"))
    response = client.get(reverse("members:receipt-pdf", args=[partial.pk]))
    assert response.status_code == 200 and "filename*=utf-8''re%C3%A7u-R2017-0002.pdf" in response["Content-Disposition"]
    last = record_payment(invoice=own, paid_on=datetime.date(2017, 5, 9), amount=Decimal("60.00"))
    response = client.get(reverse("members:receipt-pdf", args=[last.pk]))
    assert response.status_code == 200 and "filename*=utf-8''re%C3%A7u-R2017-0003.pdf" in response["Content-Disposition"]
    listing = client.get(reverse("members:invoices")).content.decode()
    for payment in (partial, last):
        assert f'href="{reverse("members:receipt-pdf", args=[payment.pk])}"' in listing
    assert reverse("members:receipt-pdf", args=[others_payment.pk]) + '"' not in listing


def test_staff_and_anonymous_visitors_do_not_use_the_portal_invoices(client, campaign, personnel_user):
    invoice = issue_invoice(member=MemberFactory(), fiscal_year=Y2017)
    url = reverse("members:invoice-pdf", args=[invoice.pk])
    assert client.get(url).status_code == 302  # to the login page
    assert client.get(RENEW).status_code == 302
    client.force_login(personnel_user)
    assert client.get(url).status_code == 403
    assert client.get(INVOICES).status_code == 403


def test_the_invoice_list_runs_the_same_queries_for_many_invoices(client, campaign, representative,
                                                                 django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member = representative.member
    for start in (2010, 2011):
        DuesRate.objects.create(fiscal_year=FiscalYear(start), category="regular", amount=Decimal("100.00"))
        issue_invoice(member=member, fiscal_year=FiscalYear(start))
    client.get(INVOICES)
    with CaptureQueriesContext(connection) as few:
        client.get(INVOICES)
    for start in range(2000, 2010):
        DuesRate.objects.create(fiscal_year=FiscalYear(start), category="regular", amount=Decimal("100.00"))
        invoice = issue_invoice(member=member, fiscal_year=FiscalYear(start))
        record_payment(invoice=invoice, paid_on=datetime.date(start, 5, 1), amount=Decimal("100.00"))
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(INVOICES)
    assert response.content.decode().count("Reçu R") == 10
