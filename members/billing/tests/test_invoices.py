"""Dues, invoices, credit notes and payments (members/billing/dues.py, members/billing/invoices.py)."""

import datetime
import subprocess
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from members.billing import invoices
from members.billing.dues import Taxes, format_money
from members.billing.invoices import BillingError, cancel_invoice, issue_invoice, record_payment
from members.models import DocumentCounter, DuesRate, Invoice, Member, Membership, Payment
from members.tests.factories import MemberFactory, MembershipFactory
from pole.fiscal_years import FiscalYear
from pole.models import NetworkIdentity

pytestmark = pytest.mark.django_db

Y2017 = FiscalYear(2017)
DAY = datetime.date(2017, 4, 10)


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


@pytest.fixture
def rates(db):
    DuesRate.objects.create(fiscal_year=Y2017, category=Member.Category.REGULAR, amount=Decimal("160.00"))
    DuesRate.objects.create(fiscal_year=Y2017, category=Member.Category.AMBASSADOR, amount=Decimal("1234.56"))


def pdf_text(data, tmp_path):
    path = tmp_path / "document.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_money_is_written_the_french_way():
    assert format_money(Decimal("1234.56")) == "1\u00a0234,56\u00a0$"
    assert format_money(Decimal("5")) == "5,00\u00a0$"
    assert format_money(Decimal("-61.73")) == "\u221261,73\u00a0$"
    assert format_money(Decimal("1234567.5")) == "1\u00a0234\u00a0567,50\u00a0$"
    with translation.override("en"):
        assert format_money(Decimal("1234.56")) == "$1,234.56"


def test_taxes_are_rounded_to_the_cent_halves_up_on_the_amount_before_taxes():
    taxes = Taxes(tps_rate=Decimal("5"), tvq_rate=Decimal("9.975"))
    assert taxes.amounts(Decimal("1234.56")) == (Decimal("61.73"), Decimal("123.15"), Decimal("1419.44"))
    # 150 × 9.975 % = 14.9625 → 14.96; 150 × 5 % = 7.50
    assert taxes.amounts(Decimal("150.00")) == (Decimal("7.50"), Decimal("14.96"), Decimal("172.46"))
    assert Taxes(None, None).amounts(Decimal("150.00")) == (Decimal("0.00"), Decimal("0.00"), Decimal("150.00"))


def test_invoices_are_numbered_from_one_per_fiscal_year_and_create_the_membership(rates):
    first = issue_invoice(member=MemberFactory(name="A"), fiscal_year=Y2017, today=DAY)
    second = issue_invoice(member=MemberFactory(name="B"), fiscal_year=Y2017, today=DAY)
    DuesRate.objects.create(fiscal_year=FiscalYear(2018), category="regular", amount=Decimal("170.00"))
    next_year = issue_invoice(member=MemberFactory(name="C"), fiscal_year="2018-2019", today=DAY)
    assert [first.number, second.number, next_year.number] == [1, 2, 1]
    assert first.display_number == "F2017-0001"
    assert first.due_on == DAY + datetime.timedelta(days=30)
    assert (first.subtotal, first.tps, first.tvq, first.total) == (Decimal("160.00"), 0, 0, Decimal("160.00"))
    membership = Membership.objects.get(member__name="A", fiscal_year=Y2017)
    assert (membership.dues, membership.paid_on, membership.in_good_standing) == (Decimal("160.00"), None, False)


def test_the_invoice_keeps_the_details_of_the_day_it_was_issued(rates, settings):
    settings.POLE_TPS_RATE, settings.POLE_TPS_NUMBER = Decimal("5"), "123456789 RT0001"
    settings.POLE_TVQ_RATE, settings.POLE_TVQ_NUMBER = Decimal("9.975"), "1234567890 TQ0001"
    member = MemberFactory(name="Coop Ambassadrice", category="ambassador", address="1 rue A\nQuébec")
    invoice = issue_invoice(member=member, fiscal_year=Y2017, today=DAY)
    assert (invoice.tps, invoice.tvq, invoice.total) == (Decimal("61.73"), Decimal("123.15"), Decimal("1419.44"))
    member.name, member.address = "Nouveau nom", "Ailleurs"
    member.save()
    invoice.refresh_from_db()
    assert (invoice.member_name, invoice.member_address) == ("Coop Ambassadrice", "1 rue A\nQuébec")
    assert (invoice.tps_number, invoice.tvq_number) == ("123456789 RT0001", "1234567890 TQ0001")


def test_a_second_invoice_for_the_same_year_is_refused_and_takes_no_number(rates):
    member = MemberFactory()
    issue_invoice(member=member, fiscal_year=Y2017, today=DAY)
    with pytest.raises(BillingError, match="a déjà une facture pour 2017-2018"):
        issue_invoice(member=member, fiscal_year=Y2017, today=DAY)
    assert DocumentCounter.objects.get(kind="invoice", fiscal_year=Y2017).last_number == 1


def test_without_dues_for_the_category_no_invoice_is_issued(rates):
    with pytest.raises(BillingError, match="fournisseur"):
        issue_invoice(member=MemberFactory(category="supplier"), fiscal_year=Y2017, today=DAY)
    assert not Invoice.objects.exists() and not Membership.objects.exists()
    assert not DocumentCounter.objects.filter(last_number__gt=0).exists()


def test_a_credit_note_cancels_an_unpaid_invoice_and_its_membership(rates):
    member = MemberFactory()
    invoice = issue_invoice(member=member, fiscal_year=Y2017, today=DAY)
    note = cancel_invoice(invoice=invoice, reason="Départ du réseau", today=DAY)
    assert (note.kind, note.number, note.display_number, note.cancels) == ("credit_note", 1, "NC2017-0001", invoice)
    assert note.total == invoice.total
    assert not Membership.objects.filter(member=member, fiscal_year=Y2017).exists()
    assert Invoice.objects.get(pk=invoice.pk).is_cancelled
    with pytest.raises(BillingError, match="déjà annulée"):
        cancel_invoice(invoice=invoice, reason="Départ du réseau")
    # Renewing again is possible: a new invoice, the next number.
    assert issue_invoice(member=member, fiscal_year=Y2017, today=DAY).number == 2


def test_an_invoice_with_payments_cannot_be_cancelled(rates):
    invoice = issue_invoice(member=MemberFactory(), fiscal_year=Y2017, today=DAY)
    record_payment(invoice=invoice, paid_on=DAY, amount=Decimal("10.00"))
    with pytest.raises(BillingError, match="a des paiements"):
        cancel_invoice(invoice=invoice, reason="Départ du réseau")
    assert not Invoice.objects.filter(kind="credit_note").exists()


def test_partial_payments_then_the_last_one_marks_the_membership_paid(rates):
    member = MemberFactory()
    invoice = issue_invoice(member=member, fiscal_year=Y2017, today=DAY)
    record_payment(invoice=invoice, paid_on=datetime.date(2017, 5, 1), amount=Decimal("60.00"), reference=" 1042 ")
    membership = Membership.objects.get(member=member, fiscal_year=Y2017)
    assert membership.paid_on is None
    record_payment(invoice=invoice, paid_on=datetime.date(2017, 6, 1), amount=Decimal("100.00"), method="transfer")
    membership.refresh_from_db()
    assert membership.paid_on == datetime.date(2017, 6, 1) and membership.in_good_standing
    assert list(Payment.objects.values_list("reference", flat=True)) == ["1042", ""]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal("160.01"), "Le paiement (160,01\u00a0$) dépasse le solde de la facture (160,00\u00a0$)."),
        (Decimal("0"), "Le montant doit être supérieur à zéro."),
        (Decimal("-5.00"), "Le montant doit être supérieur à zéro."),
        (Decimal("10.005"), "Le montant a au plus deux décimales."),
    ],
)
def test_a_payment_that_does_not_fit_the_balance_is_refused_in_french(rates, amount, message):
    invoice = issue_invoice(member=MemberFactory(), fiscal_year=Y2017, today=DAY)
    with pytest.raises(BillingError) as refused:
        record_payment(invoice=invoice, paid_on=DAY, amount=amount)
    assert str(refused.value) == message
    assert not Payment.objects.exists()


def test_after_a_partial_payment_the_balance_is_the_limit(rates):
    invoice = issue_invoice(member=MemberFactory(), fiscal_year=Y2017, today=DAY)
    record_payment(invoice=invoice, paid_on=DAY, amount=Decimal("100.00"))
    with pytest.raises(BillingError, match="solde de la facture \\(60,00"):
        record_payment(invoice=invoice, paid_on=DAY, amount=Decimal("60.01"))


def test_no_payment_against_a_cancelled_invoice_or_a_credit_note(rates):
    invoice = issue_invoice(member=MemberFactory(), fiscal_year=Y2017, today=DAY)
    note = cancel_invoice(invoice=invoice, reason="Départ du réseau")
    with pytest.raises(BillingError, match="annulée"):
        record_payment(invoice=invoice, paid_on=DAY, amount=Decimal("1.00"))
    with pytest.raises(BillingError, match="note de crédit"):
        record_payment(invoice=note, paid_on=DAY, amount=Decimal("1.00"))


def test_a_waiver_needs_a_reason(violates):
    membership = MembershipFactory(paid_on=None, waived=True, waiver_reason="  ")
    with pytest.raises(ValidationError) as refused:
        membership.full_clean()
    assert "waiver_reason" in refused.value.message_dict
    with violates(Membership, "members_membership_waiver_has_reason"):
        Membership.objects.filter(pk=membership.pk).update(waiver_reason="")
    membership.waiver_reason = "Membre honoraire"
    membership.full_clean()
    membership.save()
    assert Membership.objects.in_good_standing().get() == membership


def test_invoice_pdf_prints_the_network_the_member_the_taxes_and_how_to_pay(rates, settings, tmp_path):
    settings.POLE_TPS_RATE, settings.POLE_TPS_NUMBER = Decimal("5"), "123456789 RT0001"
    settings.POLE_TVQ_RATE, settings.POLE_TVQ_NUMBER = Decimal("9.975"), "1234567890 TQ0001"
    NetworkIdentity.objects.create(name="Pôle d’essai", address="155, boulevard Charest Est\nQuébec (Québec) G1K 3G6")
    settings.POLE_BANK_TRANSFER_DETAILS = "Caisse d'économie solidaire, transit 12345, compte 678901"
    member = MemberFactory(name="Coop Ambassadrice", category="ambassador", address="12, rue Saint-Jean\nQuébec")
    invoice = issue_invoice(member=member, fiscal_year=Y2017, today=DAY)
    text = pdf_text(invoices.render_document_pdf(invoice), tmp_path)
    for expected in [
        "FACTURE",
        "F2017-0001",
        "Pôle d’essai",
        "155, boulevard Charest Est",
        "Coop Ambassadrice",
        "12, rue Saint-Jean",
        "Cotisation 2017-2018",
        "10 avril 2017",
        "10 mai 2017",
        "1 234,56 $",
        "TPS (5 %)",
        "61,73 $",
        "TVQ (9,975 %)",
        "123,15 $",
        "1 419,44 $",
        "123456789 RT0001",
        "1234567890 TQ0001",
        "chèque",
        "transit 12345",
    ]:
        assert expected in text.replace("\u00a0", " "), expected


def test_each_payment_has_its_receipt_numbered_on_its_own_sequence_dated_the_day_paid(rates, tmp_path):
    invoice = issue_invoice(member=MemberFactory(name="Coop Reçue"), fiscal_year=Y2017, today=datetime.date(2017, 4, 5))
    other = issue_invoice(member=MemberFactory(name="Coop Autre"), fiscal_year=Y2017, today=DAY)
    partial = record_payment(invoice=invoice, paid_on=datetime.date(2017, 4, 20), amount=Decimal("50.00"),
                             reference="1042")
    record_payment(invoice=other, paid_on=datetime.date(2017, 4, 25), amount=Decimal("160.00"))
    last = record_payment(invoice=invoice, paid_on=datetime.date(2017, 5, 3), amount=Decimal("110.00"),
                          method=Payment.Method.TRANSFER, reference="TX-88")
    assert [p.receipt_display_number for p in Payment.objects.order_by("pk")] == [
        "R2017-0001", "R2017-0002", "R2017-0003"
    ]
    assert DocumentCounter.objects.get(kind="receipt", fiscal_year=Y2017).last_number == 3
    # A payment in the next fiscal year starts that year's receipts from 1.
    DuesRate.objects.create(fiscal_year=FiscalYear(2018), category="regular", amount=Decimal("160.00"))
    late = issue_invoice(member=MemberFactory(name="Coop Tardive"), fiscal_year=FiscalYear(2018), today=DAY)
    assert record_payment(invoice=late, paid_on=datetime.date(2018, 4, 2), amount=Decimal("1.00")).receipt_display_number == "R2018-0001"

    text = pdf_text(invoices.render_receipt_pdf(partial), tmp_path).replace("\u00a0", " ")
    assert "REÇU" in text and "No R2017-0001" in text
    assert "20 avril 2017" in text and "5 avril 2017" not in text  # the payment's day, never the invoice's
    assert "Nous accusons réception, le 20 avril 2017, de 50,00 $ en paiement de la facture F2017-0001" in text
    assert text.count("chèque no 1042") == 1 and "Chèque" not in text and "chèque chèque" not in text.lower()
    assert "Total de la facture" in text and "160,00 $" in text
    assert "Solde restant" in text and "110,00 $" in text and "PAIEMENT PARTIEL" in text
    assert "PAYÉE EN TOTALITÉ" not in text

    text = pdf_text(invoices.render_receipt_pdf(last), tmp_path).replace("\u00a0", " ")
    assert "No R2017-0003" in text and "3 mai 2017" in text and "virement bancaire (TX-88)" in text
    assert "Payé auparavant, en 1 versement" in text and "50,00 $" in text
    assert "FACTURE PAYÉE EN TOTALITÉ" in text and "0,00 $" in text and "PAIEMENT PARTIEL" not in text


def test_a_credit_note_is_credited_to_the_member_and_prints_its_reason(rates, tmp_path):
    other = issue_invoice(member=MemberFactory(name="Coop Annulée"), fiscal_year=Y2017, today=DAY)
    with pytest.raises(BillingError, match="Indiquez pourquoi"):
        cancel_invoice(invoice=other, reason="  ", today=DAY)
    note = cancel_invoice(invoice=other, reason="Fermeture de la coopérative", today=DAY)
    text = pdf_text(invoices.render_document_pdf(note), tmp_path).replace("\u00a0", " ")
    assert "NOTE DE CRÉDIT" in text and "NC2017-0001" in text and "−160,00 $" in text
    assert "CRÉDITÉ À" in text and "FACTURÉ À" not in text
    assert "Motif : Fermeture de la coopérative" in text
    assert "FACTURE F2017-0001 ANNULÉE" in text
    assert "EN RETARD" not in text and "Paiement" not in text


def test_the_invoice_says_mailed_to_the_address_above_only_under_a_postal_address(rates, tmp_path):
    identity = NetworkIdentity.objects.create(name="Pôle d’essai", address="Québec (Québec)")
    member = MemberFactory(name="Coop Postale")
    vague = issue_invoice(member=member, fiscal_year=Y2017, today=DAY)
    text = pdf_text(invoices.render_document_pdf(vague), tmp_path).replace("\u00a0", " ")
    assert "Par chèque à l’ordre de « Pôle d’essai », avec le numéro de la facture." in text
    assert "adresse ci-dessus" not in text
    identity.address = "155, boulevard Charest Est\nQuébec (Québec) G1K 3G6"
    identity.save()
    DuesRate.objects.create(fiscal_year=FiscalYear(2018), category="regular", amount=Decimal("160.00"))
    postal = issue_invoice(member=member, fiscal_year=FiscalYear(2018), today=DAY)
    text = pdf_text(invoices.render_document_pdf(postal), tmp_path).replace("\u00a0", " ")
    assert "G1K 3G6" in text and "posté à l’adresse ci-dessus" in text


def test_the_invoice_prints_the_members_billing_details_no_and_typographic_apostrophes(rates, tmp_path):
    from members.tests.factories import RepresentativeFactory

    NetworkIdentity.objects.create(name="Pôle d'essai", address="1, rue du Port\nQuébec (Québec) G1K 1A1")
    member = MemberFactory(name="Coop l'Érablière", address="12, rue Saint-Jean\nQuébec (Québec) G1R 1N8",
                           email="info@erabliere.exemple.org")
    person = RepresentativeFactory(member=member, first_name="Julie", last_name="Gagnon", role="trésorière",
                                   email="julie@erabliere.exemple.org")
    invoice = issue_invoice(member=member, fiscal_year=Y2017, today=DAY, issued_by=person.user)
    text = pdf_text(invoices.render_document_pdf(invoice), tmp_path).replace("\u00a0", " ")
    assert "FACTURÉ À" in text and "12, rue Saint-Jean" in text
    assert "À l’attention de Julie Gagnon, trésorière" in text and "julie@erabliere.exemple.org" in text
    assert "No F2017-0001" in text and "N°" not in text
    # The names are printed as recorded; every word of the document itself uses ’.
    assert "'" not in text.replace("Pôle d'essai", "").replace("Coop l'Érablière", "")


def test_an_overdue_invoice_is_marked_late_and_a_paid_one_is_not(rates, tmp_path):
    invoice = issue_invoice(member=MemberFactory(name="Coop Lente"), fiscal_year=Y2017, today=DAY)
    record_payment(invoice=invoice, paid_on=datetime.date(2017, 4, 20), amount=Decimal("60.00"))
    late = invoices.document_context(invoice, today=datetime.date(2017, 6, 1))
    assert late["overdue"]
    text = pdf_text(invoices.render_document_pdf(invoice), tmp_path).replace("\u00a0", " ")  # today: long after
    assert "EN RETARD" in text and "Cette facture était due le 10 mai 2017 : il reste 100,00 $ à payer." in text
    assert not invoices.document_context(invoice, today=datetime.date(2017, 5, 10))["overdue"]
    record_payment(invoice=invoice, paid_on=datetime.date(2017, 6, 2), amount=Decimal("100.00"))
    text = pdf_text(invoices.render_document_pdf(invoice), tmp_path).replace("\u00a0", " ")
    assert "EN RETARD" not in text and "PAYÉ" in text


def test_the_invoice_header_is_the_networks_identity_of_the_day(rates, tmp_path):
    from pole.models import NetworkIdentity

    identity = NetworkIdentity.objects.create(
        name="Réseau d'essai", short_name="RE", address="1, rue du Port\nQuébec (Québec)", phone="418 555-0100",
        email="info@reseau.exemple.org",
    )
    invoice = issue_invoice(member=MemberFactory(name="Coop Identité"), fiscal_year=Y2017, today=DAY)
    assert invoice.issuer_name == "Réseau d'essai"
    assert invoice.issuer_address == "1, rue du Port\nQuébec (Québec)\n418 555-0100 · info@reseau.exemple.org"
    identity.name = "Nouveau nom du réseau"
    identity.save()
    text = pdf_text(invoices.render_document_pdf(Invoice.objects.get(pk=invoice.pk)), tmp_path)
    assert "Réseau d'essai" in text and "1, rue du Port" in text and "Nouveau nom" not in text


@pytest.mark.django_db(transaction=True)
def test_the_migration_numbers_the_receipts_of_past_payments_in_the_order_paid():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("members", "0012_french_order")], [("members", "0013_i24_receipts_billing_details")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    member = old.get_model("members", "Member").objects.create(name="Coop ancienne")
    invoice_model, payment_model = old.get_model("members", "Invoice"), old.get_model("members", "Payment")
    invoice = invoice_model.objects.create(
        kind="invoice", fiscal_year=2016, number=1, member=member, issued_on=datetime.date(2016, 4, 1),
        description="Cotisation", subtotal=Decimal("150.00"), total=Decimal("150.00"), issuer_name="Pôle",
        member_name="Coop ancienne",
    )
    for day, amount in [(datetime.date(2017, 4, 2), "50.00"), (datetime.date(2016, 5, 1), "60.00"),
                        (datetime.date(2016, 6, 1), "40.00")]:
        payment_model.objects.create(invoice=invoice, paid_on=day, amount=Decimal(amount))

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    rows = new.get_model("members", "Payment").objects.order_by("paid_on").values_list("receipt_year", "receipt_number")
    assert [(year.start_year, number) for year, number in rows] == [(2016, 1), (2016, 2), (2017, 1)]
    counters = new.get_model("members", "DocumentCounter").objects.filter(kind="receipt")
    assert sorted((c.fiscal_year.start_year, c.last_number) for c in counters) == [(2016, 2), (2017, 1)]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.skipif(
    not __import__("os").environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs PostgreSQL (DATABASE_URL)"
)
@pytest.mark.django_db(transaction=True)
def test_payments_recorded_at_once_take_receipt_numbers_without_duplicate_or_gap():
    import threading

    from django.db import connection

    DuesRate.objects.create(fiscal_year=Y2017, category=Member.Category.REGULAR, amount=Decimal("160.00"))
    bills = [issue_invoice(member=MemberFactory(name=f"Coop {index}"), fiscal_year=Y2017, today=DAY) for index in range(8)]
    barrier = threading.Barrier(len(bills))
    errors = []

    def pay(invoice):
        try:
            barrier.wait()
            record_payment(invoice=invoice, paid_on=datetime.date(2017, 5, 1), amount=Decimal("10.00"))
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay, args=(bill,)) for bill in bills]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(Payment.objects.values_list("receipt_number", flat=True)) == list(range(1, len(bills) + 1))
    assert DocumentCounter.objects.get(kind="receipt", fiscal_year=Y2017).last_number == len(bills)


@pytest.mark.parametrize(
    ("address", "postal"),
    [
        ("155, boulevard Charest Est\nQuébec (Québec) G1K 3G6\n418 555-0100", True),
        ("155, boulevard Charest Est\nQuébec (Québec) g1k3g6", True),
        ("Québec (Québec) G1K 3G6\n418 555-0100 · info@exemple.org", False),  # no street line above the code
        ("Québec (Québec)\n418 555-0100 · info@exemple.org", False),
        ("", False),
    ],
)
def test_a_postal_address_is_a_postal_code_under_a_street_line(address, postal):
    assert invoices.has_postal_address(address) is postal
