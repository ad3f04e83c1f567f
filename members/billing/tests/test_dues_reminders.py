"""Opening a renewal campaign and the daily reminders (members/billing/renewals.py, send_dues_reminders)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import TestCase

from members.billing.invoices import issue_invoice, record_payment
from members.billing.renewals import CampaignError, due_reminders, open_campaign
from members.models import DuesNotice, DuesRate, RenewalCampaign
from members.tests.factories import ContactFactory, MemberFactory, RepresentativeFactory
from pole.fiscal_years import FiscalYear

pytestmark = pytest.mark.django_db

Y2016, Y2017 = FiscalYear(2016), FiscalYear(2017)
OPENED = datetime.date(2017, 4, 3)
BASE_URL = "https://pole.exemple.org"


@pytest.fixture
def members(db, settings):
    settings.POLE_DUES_REMINDER_DAYS = [7, 14]
    DuesRate.objects.create(fiscal_year=Y2017, category="regular", amount=Decimal("160.00"))
    represented = {}
    for name in ("Coop A", "Coop B", "Coop C"):
        member = MemberFactory(name=name, fiscal_years=[Y2016])
        represented[name] = RepresentativeFactory(member=member, email=f"{name[-1].lower()}@exemple.org")
    # A member of 2016-2017 whose only contact has no account, and a member of an older year only.
    ContactFactory(member=MemberFactory(name="Coop sans compte", fiscal_years=[Y2016]), email="x@exemple.org")
    MemberFactory(name="Ancienne coop", fiscal_years=[FiscalYear(2015)])
    return represented


def opened(members):
    campaign = RenewalCampaign.objects.create(fiscal_year=Y2017)
    # The e-mails leave the outbox once each notice's transaction commits.
    with TestCase.captureOnCommitCallbacks(execute=True):
        result = open_campaign(campaign=campaign, opened_by=None, base_url=BASE_URL, today=OPENED)
    return campaign, result


def send_dues_reminders(*args, **kwargs):
    """The daily command, its e-mails sent as they are after its commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_dues_reminders", *args, **kwargs)


def test_opening_the_campaign_e_mails_last_years_members_representatives(members):
    campaign, result = opened(members)
    assert result.invited == 3
    assert [m.name for m in result.without_representative] == ["Coop sans compte"]
    assert sorted(message.to[0] for message in mail.outbox) == ["a@exemple.org", "b@exemple.org", "c@exemple.org"]
    message = mail.outbox[0]
    assert message.subject == "Renouvelez l’adhésion de Coop A pour 2017-2018"
    assert f"{BASE_URL}/membre/renouveler/2017-2018/" in message.body
    assert DuesNotice.objects.filter(kind="invitation", sent_on=OPENED).count() == 3
    campaign.refresh_from_db()
    assert campaign.opened_on == OPENED and campaign.is_open
    with pytest.raises(CampaignError, match="déjà ouverts"):
        open_campaign(campaign=campaign, opened_by=None, base_url=BASE_URL, today=OPENED)
    assert len(mail.outbox) == 3


def test_a_campaign_without_dues_cannot_open(members):
    campaign = RenewalCampaign.objects.create(fiscal_year=FiscalYear(2018))
    with pytest.raises(CampaignError, match="Fixez les cotisations 2018-2019"):
        open_campaign(campaign=campaign, opened_by=None, base_url=BASE_URL, today=OPENED)
    campaign.refresh_from_db()
    assert campaign.opened_on is None and not mail.outbox


def kinds(reminders):
    return sorted((r.member.name, r.kind) for r in reminders)


def test_reminders_follow_the_intervals_and_stop_once_renewed_and_paid(members):
    opened(members)
    assert due_reminders(today=OPENED + datetime.timedelta(days=6)) == []
    day = OPENED + datetime.timedelta(days=7)
    assert kinds(due_reminders(today=day)) == [
        ("Coop A", "renewal_reminder"),
        ("Coop B", "renewal_reminder"),
        ("Coop C", "renewal_reminder"),
    ]
    send_dues_reminders("--today", day.isoformat(), "--base-url", BASE_URL, stdout=io.StringIO())
    assert len(mail.outbox) == 6
    # Coop A renews and pays; Coop B renews and does not pay; the next reminder waits 14 days.
    paid = issue_invoice(member=members["Coop A"].member, fiscal_year=Y2017, today=day)
    record_payment(invoice=paid, paid_on=day, amount=paid.total)
    unpaid = issue_invoice(member=members["Coop B"].member, fiscal_year=Y2017, today=day)
    assert unpaid.due_on == day + datetime.timedelta(days=30)
    assert due_reminders(today=day + datetime.timedelta(days=13)) == []
    assert kinds(due_reminders(today=day + datetime.timedelta(days=14))) == [("Coop C", "renewal_reminder")]
    # After its due date, Coop B gets a payment reminder, then one every 7 days (the first interval).
    after_due = unpaid.due_on + datetime.timedelta(days=1)
    reminders = due_reminders(today=after_due)
    assert kinds(reminders) == [("Coop B", "payment_reminder"), ("Coop C", "renewal_reminder")]
    send_dues_reminders("--today", after_due.isoformat(), stdout=io.StringIO())
    message = next(m for m in mail.outbox if m.to == ["b@exemple.org"] and "échue" in m.subject)
    assert message.subject == "Rappel\u00a0: la facture F2017-0002 est échue"
    assert "160,00\u00a0$" in message.body
    assert due_reminders(today=after_due + datetime.timedelta(days=6)) == []
    assert kinds(due_reminders(today=after_due + datetime.timedelta(days=7))) == [("Coop B", "payment_reminder")]


def test_never_twice_the_same_day_and_dry_run_sends_nothing(members):
    opened(members)
    day = (OPENED + datetime.timedelta(days=7)).isoformat()
    out = io.StringIO()
    send_dues_reminders( "--dry-run", "--today", day, stdout=out)
    text = out.getvalue()
    assert "Rappel aujourd’hui (3)\u00a0:" in text
    assert (
        "  - Coop A — pas renouvelé — rappel de renouvellement (dernier courriel de cotisation le 3 avril 2017)"
        " → a@exemple.org"
    ) in text
    assert text.endswith("3\u00a0rappels à envoyer\u00a0; rien n’est envoyé (--dry-run).\n")
    assert len(mail.outbox) == 3 and DuesNotice.objects.count() == 3
    send_dues_reminders("--today", day, stdout=io.StringIO())
    out = io.StringIO()
    send_dues_reminders( "--today", day, stdout=out)
    assert "0\u00a0rappel envoyé." in out.getvalue()
    assert len(mail.outbox) == 6 and DuesNotice.objects.filter(sent_on=day).count() == 3
    out = io.StringIO()
    call_command("send_dues_reminders", "--dry-run", "--today", day, stdout=out)
    assert "Déjà écrit aujourd’hui (3)\u00a0:" in out.getvalue()


def dry_run(day):
    out = io.StringIO()
    call_command("send_dues_reminders", "--dry-run", "--today", day.isoformat(), stdout=out)
    return out.getvalue()


def test_the_dry_run_lists_every_member_without_renewal_or_payment_and_why(members, monkeypatch):
    opened(members)
    day = OPENED + datetime.timedelta(days=20)
    # Coop A renewed and paid: nothing to chase. Coop B's invoice is not due yet.
    paid = issue_invoice(member=members["Coop A"].member, fiscal_year=Y2017, today=OPENED)
    record_payment(invoice=paid, paid_on=OPENED, amount=paid.total)
    issue_invoice(member=members["Coop B"].member, fiscal_year=Y2017, today=day)
    # Coop C was reminded two days ago: its next reminder waits for the second interval (14 days).
    DuesNotice.objects.create(
        member=members["Coop C"].member, fiscal_year=Y2017, kind="renewal_reminder",
        sent_on=day - datetime.timedelta(days=2), recipients="c@exemple.org",
    )
    # A member whose representative's account came after the opening gets the invitation now;
    # a member whose dues were waived is not chased; one whose representative unsubscribed is left alone.
    late = RepresentativeFactory(member=MemberFactory(name="Coop arrivée", fiscal_years=[Y2016]), email="z@exemple.org")
    MemberFactory(name="Coop honoraire", fiscal_years=[Y2016, Y2017])
    RepresentativeFactory(member=MemberFactory(name="Coop désabonnée", fiscal_years=[Y2016]), email="d@exemple.org")
    monkeypatch.setattr(
        "members.billing.renewals.unsubscribed_addresses", lambda addresses: {"d@exemple.org"} & addresses
    )

    text = dry_run(day)

    assert text.startswith(
        "Renouvellements 2017-2018, au 23 avril 2017\u00a0: 5 membres sans renouvellement ou sans paiement.\n"
    )
    sections = text.split("\n\n")
    assert sections[1] == (
        "Rappel aujourd’hui (1)\u00a0:\n"
        "  - Coop arrivée — pas renouvelé — invitation à renouveler (aucun courriel reçu au sujet de 2017-2018)"
        " → z@exemple.org"
    )
    assert sections[2].startswith("Sans adresse (1)\u00a0: invitez une personne-ressource au portail")
    assert (
        "  - Coop sans compte — pas renouvelé — aucune personne-ressource n’a de compte au portail\u00a0: invitez "
    ) in sections[2]
    assert "<x@exemple.org>" in sections[2]
    assert sections[3].splitlines()[1:] == [
        "  - Coop B — facture F2017-0002 impayée (solde 160,00\u00a0$, échéance le 23 mai 2017) — pas encore\u00a0:"
        " la facture est due le 23 mai 2017",
        "  - Coop C — pas renouvelé — pas encore (dernier courriel de cotisation le 21 avril 2017)\u00a0:"
        " prochain rappel le 5 mai 2017",
    ]
    assert sections[4] == (
        "Désabonnés (1)\u00a0:\n"
        "  - Coop désabonnée — pas renouvelé — désabonné des courriels de cotisation\u00a0: d@exemple.org"
    )
    for absent in ("Coop A ", "Coop honoraire", "Ancienne coop"):
        assert absent not in text
    assert text.endswith("1\u00a0rappel à envoyer\u00a0; rien n’est envoyé (--dry-run).\n")
    assert not mail.outbox[3:]  # only the opening's three invitations

    # The real run sends exactly what the dry run announced, and says who could not be reached.
    out = io.StringIO()
    send_dues_reminders("--today", day.isoformat(), "--base-url", BASE_URL, stdout=out)
    assert [message.to for message in mail.outbox[3:]] == [[late.email]]
    assert mail.outbox[-1].subject == "Renouvelez l’adhésion de Coop arrivée pour 2017-2018"
    assert "1 membre sans adresse n’a pas reçu de rappel\u00a0: --dry-run le nomme." in out.getvalue()


def test_a_member_without_any_contact_is_told_to_get_one(members):
    opened(members)
    MemberFactory(name="Coop muette", fiscal_years=[Y2016], email="info@muette.coop")
    text = dry_run(OPENED + datetime.timedelta(days=1))
    assert (
        "  - Coop muette — pas renouvelé — aucune personne-ressource n’a d’adresse courriel\u00a0: ajoutez-en une aux"
        " personnes-ressources du membre — courriel de l’organisation\u00a0: info@muette.coop"
    ) in text


def test_a_bad_day_is_refused(db):
    with pytest.raises(CommandError, match="--today"):
        call_command("send_dues_reminders", "--today", "demain", stdout=io.StringIO())


def test_reminders_use_a_fixed_number_of_queries(members, django_assert_max_num_queries):
    opened(members)
    for index in range(10):
        member = MemberFactory(name=f"Coop {index:02d}", fiscal_years=[Y2016])
        RepresentativeFactory(member=member)
        DuesNotice.objects.create(member=member, fiscal_year=Y2017, kind="invitation", sent_on=OPENED,
                                  recipients="x")
    # Seven: the unsubscribed addresses are one of them.
    with django_assert_max_num_queries(7):
        assert len(due_reminders(today=OPENED + datetime.timedelta(days=7))) == 13
