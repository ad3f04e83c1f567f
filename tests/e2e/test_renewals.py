"""Renewals as people go through them, in a real headless Chromium.

The journey: the Direction opens the renewals; the representative follows the e-mail's link,
renews and downloads the invoice; the staff record the payment in the admin (a refused
amount first); the receipt is then in the portal. And each dues form of the admin, filled
and submitted: the dues schedule, the campaign, a waiver.
"""

import datetime
import re
import subprocess
from decimal import Decimal

import pytest
from django.core import mail

from members.billing.invoices import issue_invoice
from members.models import DuesRate, Invoice, Membership, Payment, RenewalCampaign
from members.roles import DIRECTION, PERSONNEL
from members.tests.factories import ContactFactory, MemberFactory, MembershipFactory, UserFactory
from pole.fiscal_years import FiscalYear

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Une-phrase-de-passe-solide-2026"
Y2017 = FiscalYear(2017)


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    from django.apps import apps

    from members.roles import sync_role_groups

    sync_role_groups(apps)


def admin_log_in(page, email):
    page.goto("/admin/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def pdf_text(download, tmp_path, name):
    path = tmp_path / name
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return text.stdout.replace("\u00a0", " ")


def test_renewal_from_the_e_mail_to_the_receipt(new_page, tmp_path):
    DuesRate.objects.create(fiscal_year=Y2017, category="regular", amount=Decimal("160.00"))
    member = MemberFactory(name="Coopérative du Quai", address="12, rue Saint-Paul\nQuébec", fiscal_years=[FiscalYear(2016)])
    user = UserFactory(email="lea@quai.coop", password=PASSWORD)
    ContactFactory(member=member, first_name="Léa", last_name="Gagnon", email=user.email, user=user)
    UserFactory(email="direction@exemple.org", password=PASSWORD, is_staff=True, groups=[DIRECTION])
    UserFactory(email="personnel@exemple.org", password=PASSWORD, is_staff=True, groups=[PERSONNEL])
    campaign = RenewalCampaign.objects.create(fiscal_year=Y2017)

    # The Direction opens the renewals from the admin.
    direction = new_page()
    admin_log_in(direction, "direction@exemple.org")
    direction.goto("/admin/members/renewalcampaign/")
    direction.locator(f"input[name=_selected_action][value='{campaign.pk}']").check()
    direction.select_option("select[name=action]", "open_renewals")
    direction.locator("button[name=index]").click()
    assert "Renouvellements 2017-2018 ouverts\u00a0: 1 membre invité." in direction.locator("ul.messagelist").inner_text()

    # The representative follows the e-mail's link, logs in, and lands on the renewal.
    assert [message.to for message in mail.outbox] == [["lea@quai.coop"]]
    link = re.search(r"https?://\S+/membre/renouveler/2017-2018/", mail.outbox[0].body)[0]
    representative = new_page()
    representative.goto(link)
    representative.get_by_label("Adresse courriel").fill("lea@quai.coop")
    representative.get_by_label("Mot de passe").fill(PASSWORD)
    representative.get_by_role("button", name="Connexion").click()
    representative.wait_for_url("**/membre/renouveler/2017-2018/")
    assert "Renouveler pour 2017-2018" in representative.locator("h2").first.inner_text()
    assert "160,00\u00a0$" in representative.locator("table").inner_text()

    # Submitting without confirming the profile is refused; confirming issues the invoice.
    representative.get_by_role("button", name="Confirmer et obtenir la facture").click()
    assert "Confirmez que le profil est à jour" in representative.locator("form[novalidate]").inner_text()
    assert not Invoice.objects.exists()
    representative.get_by_label("J’ai revu le profil de notre organisation ci-contre et il est à jour.").check()
    representative.get_by_role("button", name="Confirmer et obtenir la facture").click()
    representative.wait_for_url("**/membre/factures/")
    assert "La facture F2017-0001 est prête" in representative.locator(".alert-success").inner_text()
    with representative.expect_download() as download:
        representative.get_by_role("link", name="PDF F2017-0001").click()
    assert download.value.suggested_filename == "facture-F2017-0001.pdf"
    text = pdf_text(download.value, tmp_path, "facture.pdf")
    for expected in ("FACTURE", "F2017-0001", "Coopérative du Quai", "12, rue Saint-Paul", "Cotisation 2017-2018",
                     "160,00 $", "chèque"):
        assert expected in text, expected
    assert representative.get_by_role("link", name=re.compile("^Reçu")).count() == 0

    # The staff record the payment: more than the balance is refused, then the right amount.
    invoice = Invoice.objects.get()
    staff = new_page()
    admin_log_in(staff, "personnel@exemple.org")
    staff.goto(f"/admin/members/invoice/{invoice.pk}/change/")
    staff.get_by_role("link", name="inscrire un paiement").click()
    staff.wait_for_url(re.compile(r"/admin/members/payment/add/"))
    assert "F2017-0001" in staff.locator("#id_invoice").inner_text()
    staff.fill("#id_paid_on", "2017-05-02")
    staff.select_option("#id_method", "cheque")
    staff.fill("#id_reference", "1042")
    staff.fill("#id_amount", "1600.00")
    staff.locator("input[name=_save]").click()
    assert "dépasse le solde de la facture (160,00\u00a0$)" in staff.locator(".errorlist").inner_text()
    assert not Payment.objects.exists()
    staff.fill("#id_amount", "160.00")
    staff.locator("input[name=_save]").click()
    staff.wait_for_url(re.compile(rf"/admin/members/invoice/{invoice.pk}/change/"))
    assert "Paiement de 160,00\u00a0$ inscrit à la facture F2017-0001." in staff.locator("ul.messagelist").inner_text()
    assert Membership.objects.get(member=member, fiscal_year=Y2017).paid_on == datetime.date(2017, 5, 2)

    # The receipt is in the portal.
    representative.reload()
    assert "payée" in representative.locator("table").inner_text()
    with representative.expect_download() as download:
        representative.get_by_role("link", name="Reçu R2017-0001").click()
    text = pdf_text(download.value, tmp_path, "recu.pdf")
    assert "REÇU" in text and "No R2017-0001" in text and "2 mai 2017 — chèque no 1042" in text
    assert "FACTURE PAYÉE EN TOTALITÉ" in text


def test_the_dues_forms_of_the_admin(new_page):
    UserFactory(email="direction@exemple.org", password=PASSWORD, is_staff=True, groups=[DIRECTION])
    membership = MembershipFactory(member=MemberFactory(name="Coop honoraire"), fiscal_year=Y2017, paid_on=None)
    page = new_page()
    admin_log_in(page, "direction@exemple.org")

    # The dues schedule: an amount per fiscal year and category.
    page.goto("/admin/members/duesrate/add/")
    page.select_option("#id_fiscal_year", label="2017-2018")
    page.select_option("#id_category", "business_group")
    page.fill("#id_amount", "300.00")
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/members/duesrate/$"))
    assert DuesRate.objects.get().amount == Decimal("300.00")

    # A campaign for the year.
    page.goto("/admin/members/renewalcampaign/add/")
    page.select_option("#id_fiscal_year", label="2017-2018")
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/members/renewalcampaign/$"))
    assert RenewalCampaign.objects.get().fiscal_year == Y2017

    # A waiver needs its reason.
    page.goto(f"/admin/members/membership/{membership.pk}/change/")
    page.check("#id_waived")
    page.locator("input[name=_save]").click()
    assert "Indiquez pourquoi la cotisation est exemptée." in page.locator(".errorlist").inner_text()
    page.fill("#id_waiver_reason", "Membre honoraire 2017")
    page.locator("input[name=_save]").click()
    page.wait_for_url(re.compile(r"/admin/members/membership/$"))
    membership.refresh_from_db()
    assert membership.waived and membership.in_good_standing

    # Cancelling an invoice asks why, and the credit note keeps the reason.
    DuesRate.objects.create(fiscal_year=Y2017, category="regular", amount=Decimal("160.00"))
    invoice = issue_invoice(member=MemberFactory(name="Coop fermée", category="regular"), fiscal_year=Y2017)
    page.goto("/admin/members/invoice/")
    page.locator(f"input[name=_selected_action][value='{invoice.pk}']").check()
    page.select_option("select[name=action]", "cancel")
    page.locator("button[name=index]").click()
    page.get_by_role("button", name="Émettre les notes de crédit").click()
    # The browser holds the form back without a reason (the server refuses it too: test_dues_admin).
    assert page.locator("#id_reason").evaluate("field => field.validity.valueMissing")
    assert not Invoice.objects.filter(kind="credit_note").exists()
    page.fill("#id_reason", "Fermeture de la coopérative")
    page.get_by_role("button", name="Émettre les notes de crédit").click()
    page.wait_for_url(re.compile(r"/admin/members/invoice/$"))
    assert "La note de crédit NC2017-0001 annule la facture F2017-0001." in page.locator("ul.messagelist").inner_text()
    assert Invoice.objects.get(kind="credit_note").reason == "Fermeture de la coopérative"
