"""Dues in the admin: read-only invoices, payments, credit notes, campaigns, standing, the AGM list."""

import datetime
import subprocess
from decimal import Decimal

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from members.billing.invoices import issue_invoice, record_payment
from members.models import DuesRate, Invoice, Membership, Payment, RenewalCampaign
from members.tests.factories import MemberFactory, MembershipFactory, RepresentativeFactory
from pole.fiscal_years import FiscalYear

pytestmark = pytest.mark.django_db

Y2017 = FiscalYear(2017)
DAY = datetime.date(2017, 4, 10)


@pytest.fixture
def invoice(db):
    DuesRate.objects.create(fiscal_year=Y2017, category="regular", amount=Decimal("160.00"))
    return issue_invoice(member=MemberFactory(name="Coop du Quai"), fiscal_year=Y2017, today=DAY)


def test_an_issued_invoice_cannot_be_changed_in_the_admin(personnel_client, invoice):
    url = reverse("admin:members_invoice_change", args=[invoice.pk])
    response = personnel_client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="_save"' not in content and 'name="subtotal"' not in content
    assert personnel_client.post(url, {"subtotal": "1.00", "total": "1.00"}).status_code == 403
    assert personnel_client.get(reverse("admin:members_invoice_add")).status_code == 403
    assert personnel_client.get(reverse("admin:members_invoice_delete", args=[invoice.pk])).status_code == 403
    invoice.refresh_from_db()
    assert invoice.total == Decimal("160.00")


def test_a_payment_larger_than_the_balance_is_refused_with_a_message(personnel_client, invoice):
    response = personnel_client.post(
        reverse("admin:members_payment_add"),
        {"invoice": invoice.pk, "paid_on": "2017-05-01", "method": "cheque", "reference": "1042", "amount": "200.00"},
    )
    assert response.status_code == 200
    assert "Le paiement (200,00\u00a0$) dépasse le solde de la facture (160,00\u00a0$)." in response.content.decode()
    assert not Payment.objects.exists()


def test_staff_record_a_payment_and_the_membership_is_paid(personnel_client, personnel_user, invoice):
    response = personnel_client.post(
        reverse("admin:members_payment_add"),
        {"invoice": invoice.pk, "paid_on": "2017-05-01", "method": "cheque", "reference": "1042", "amount": "160.00"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:members_invoice_change", args=[invoice.pk])
    payment = Payment.objects.get()
    assert (payment.amount, payment.recorded_by) == (Decimal("160.00"), personnel_user)
    assert Membership.objects.get(fiscal_year=Y2017).paid_on == datetime.date(2017, 5, 1)
    receipt = personnel_client.get(reverse("admin:members_payment_receipt", args=[payment.pk]))
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert "re%C3%A7u-R2017-0001.pdf" in receipt["Content-Disposition"]


def test_each_payment_partial_ones_included_has_its_receipt_link_in_the_admin(personnel_client, invoice):
    first = record_payment(invoice=invoice, paid_on=datetime.date(2017, 4, 20), amount=Decimal("60.00"))
    second = record_payment(invoice=invoice, paid_on=datetime.date(2017, 5, 3), amount=Decimal("100.00"))
    listing = personnel_client.get(reverse("admin:members_invoice_changelist")).content.decode()
    change = personnel_client.get(reverse("admin:members_invoice_change", args=[invoice.pk])).content.decode()
    payments = personnel_client.get(reverse("admin:members_payment_changelist")).content.decode()
    for payment, number in ((first, "R2017-0001"), (second, "R2017-0002")):
        url = reverse("admin:members_payment_receipt", args=[payment.pk])
        for page in (listing, change, payments):
            assert f'href="{url}"' in page and number in page
        assert personnel_client.get(url).status_code == 200


def test_the_cancel_action_asks_the_reason_then_issues_a_credit_note(personnel_client, invoice):
    url = reverse("admin:members_invoice_changelist")
    asked = personnel_client.post(url, {"action": "cancel", "_selected_action": [invoice.pk]})
    assert asked.status_code == 200 and 'name="reason"' in asked.content.decode()
    assert not Invoice.objects.filter(kind="credit_note").exists()
    blank = personnel_client.post(url, {"action": "cancel", "_selected_action": [invoice.pk], "confirm": "1",
                                        "reason": "  "})
    assert blank.status_code == 200 and "Ce champ est obligatoire." in blank.content.decode()
    assert not Invoice.objects.filter(kind="credit_note").exists()
    response = personnel_client.post(
        url,
        {"action": "cancel", "_selected_action": [invoice.pk], "confirm": "1", "reason": "Fermeture de la coop"},
        follow=True,
    )
    assert "La note de crédit NC2017-0001 annule la facture F2017-0001." in response.content.decode()
    note = Invoice.objects.get(kind="credit_note")
    assert (note.cancels, note.reason) == (invoice, "Fermeture de la coop")


def test_invoice_and_payment_lists_run_the_same_queries_for_more_rows(personnel_client, invoice,
                                                                      assert_constant_queries):
    def build(index):
        other = issue_invoice(member=MemberFactory(name=f"Coop {index}"), fiscal_year=Y2017, today=DAY)
        record_payment(invoice=other, paid_on=DAY, amount=Decimal("10.00"))

    assert_constant_queries(personnel_client, reverse("admin:members_invoice_changelist"), build)
    assert_constant_queries(personnel_client, reverse("admin:members_payment_changelist"), lambda i: build(100 + i))


def test_a_waiver_without_a_reason_is_refused_in_the_admin(personnel_client):
    membership = MembershipFactory(paid_on=None)
    url = reverse("admin:members_membership_change", args=[membership.pk])
    data = {"member": membership.member_id, "fiscal_year": "2016-2017", "dues": "100.00", "paid_on": "",
            "waived": "on", "waiver_reason": ""}
    response = personnel_client.post(url, data)
    assert response.status_code == 200
    assert "Indiquez pourquoi la cotisation est exemptée." in response.content.decode()
    response = personnel_client.post(url, {**data, "waiver_reason": "Membre honoraire"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.in_good_standing


def test_the_memberships_filter_by_standing(personnel_client):
    MembershipFactory(member=MemberFactory(name="Payée"))
    MembershipFactory(member=MemberFactory(name="Exemptée"), paid_on=None, waived=True, waiver_reason="Honoraire")
    MembershipFactory(member=MemberFactory(name="Impayée"), paid_on=None)
    url = reverse("admin:members_membership_changelist")
    names = lambda value: sorted(str(m.member) for m in personnel_client.get(url, {"statut": value}).context["cl"].result_list)  # noqa: E731
    assert names("en-regle") == ["Exemptée", "Payée"]
    assert names("non-paye") == ["Impayée"]


def personnel(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_the_direction_prints_the_good_standing_list_with_the_quorum(direction_client, personnel_user, tmp_path):
    for index in range(11):
        MembershipFactory(member=MemberFactory(name=f"Coop {index:02d}"), fiscal_year=Y2017, paid_on=DAY)
    MembershipFactory(member=MemberFactory(name="Exemptée", territory=None), fiscal_year=Y2017, paid_on=None,
                      waived=True, waiver_reason="Membre fondateur")
    MembershipFactory(member=MemberFactory(name="Impayée"), fiscal_year=Y2017, paid_on=None)
    url = reverse("admin:members_membership_good_standing")
    assert personnel(personnel_user).get(url, {"exercice": "2017-2018"}).status_code == 403
    response = direction_client.get(url, {"exercice": "2017-2018", "format": "csv"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "nom,catégorie,territoire,statut"
    assert len(lines) == 13 and "Impayée" not in response.content.decode("utf-8-sig")
    assert "Exemptée,régulier,,exemptée\u00a0: Membre fondateur" in lines
    assert lines[1].startswith("Coop 00,régulier,Territoire") and lines[1].endswith(",payée le 10 avril 2017")
    response = direction_client.get(url, {"exercice": "2017-2018"})
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "liste.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = text.replace("\u00a0", " ")
    assert "2017-2018" in text and "Coop 10" in text and "Exemptée" in text and "Impayée" not in text
    assert "2 membres (10 % des membres en règle)" in text  # 12 in good standing × 10 % = 1.2 → 2


def test_the_good_standing_list_is_a_sign_in_sheet_that_never_splits_a_row(direction_client, tmp_path):
    import re

    names = ["Traiteur du Port", "Écoquartier Limoilou", "Dépanneur solidaire", "Fromagerie l'Ancêtre",
             "écho des Bois", "Épicerie de quartier"]
    names += [f"Coopérative de solidarité au nom particulièrement long numéro {index:02d}" for index in range(40)]
    for name in names:
        MembershipFactory(member=MemberFactory(name=name, category="business_group"), fiscal_year=Y2017,
                          paid_on=datetime.date(2017, 4, 12))
    response = direction_client.get(reverse("admin:members_membership_good_standing"), {"exercice": "2017-2018"})
    path = tmp_path / "liste.pdf"
    path.write_bytes(response.content)
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                                                            check=True).stdout)[1])
    texts = [
        subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), str(path), "-"], capture_output=True,
                       text=True, check=True).stdout.replace("\u00a0", " ")
        for n in range(1, pages + 1)
    ]
    text = "".join(texts)
    # French alphabetical order: É with E, case ignored.
    order = [text.index(name) for name in ("Dépanneur solidaire", "écho des Bois", "Écoquartier Limoilou",
                                           "Épicerie de quartier", "Fromagerie l'Ancêtre", "Traiteur du Port")]
    assert order == sorted(order)
    # A sign-in sheet: page x of y, the day printed, the quorum, a column per signature step.
    for number in range(1, pages + 1):
        assert f"Page {number} de {pages}" in texts[number - 1]
        assert "PERSONNE" in texts[number - 1] and "SIGNATURE" in texts[number - 1] and "PRÉSENT" in texts[number - 1]
    assert "imprimée le" in texts[-1] and "Imprimée le" in texts[0]
    assert "le quorum est atteint avec 5 membres présents" in texts[0]  # 46 × 10 % = 4.6 → 5
    assert "Membres présents : ______ (quorum : 5 membres)" in texts[0]
    # Short dates, whole on their line, never glued to the name or the next column's words.
    assert text.count("2017-04-12") == len(names)
    assert not re.search(r"\S2017-04-12|2017-04-12\S", text)
    # No row split across pages: each member's number, name and date on one line, its category
    # (the row's last line) on the same page.
    for number in range(1, len(names) + 1):
        rows = [t for t in texts if re.search(rf"^\s*{number}\s+\S.*2017-04-12", t, re.M)]
        assert len(rows) == 1, number
        following = rows[0][re.search(rf"^\s*{number}\s+\S.*2017-04-12", rows[0], re.M).end():]
        assert "regroupement d’entreprises" in following.split("2017-04-12")[0], number


def test_the_direction_opens_a_campaign_from_the_admin(direction_client, personnel_user):
    DuesRate.objects.create(fiscal_year=Y2017, category="regular", amount=Decimal("160.00"))
    RepresentativeFactory(member=MemberFactory(name="Coop A", fiscal_years=[FiscalYear(2016)]), email="a@exemple.org")
    campaign = RenewalCampaign.objects.create(fiscal_year=Y2017)
    changelist = reverse("admin:members_renewalcampaign_changelist")
    action = {"action": "open_renewals", "_selected_action": [campaign.pk]}
    with TestCase.captureOnCommitCallbacks(execute=True):
        personnel(personnel_user).post(changelist, action)
    assert not mail.outbox
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = direction_client.post(changelist, action, follow=True)
    assert "Renouvellements 2017-2018 ouverts\u00a0: 1 membre invité." in response.content.decode()
    assert mail.outbox[0].to == ["a@exemple.org"]
    assert "http://testserver/membre/renouveler/2017-2018/" in mail.outbox[0].body
