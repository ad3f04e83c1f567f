"""Retention anonymises and never changes a figure: the 2016-2017 report is published, the rules
run as if years had passed (and a person is erased on request), and every figure of every year
stays as it was, with no drift from the published version."""

import dataclasses
import datetime
import io
import os
import re

import pytest
from axes.models import AccessLog
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Registration
from activities.privacy import ANONYMOUS_NAME
from demo.loader import load_demo
from members.models import Contact, Member
from members.tests.factories import RepresentativeFactory, UserFactory
from pole.fiscal_years import FiscalYear
from pole.models import OutboxMessage
from pole.privacy import erase_person
from reports.models import AnnualReport
from reports.publishing import drift, publish
from reports.statistics import year_figures

pytestmark = pytest.mark.slow

YEAR = FiscalYear(2016)
LATER = (datetime.date.today() + datetime.timedelta(days=365 * 10)).isoformat()


def every_year():
    """Every fiscal year with data, from the first membership to the current year."""
    first = min(
        Member.objects.exclude(memberships=None).values_list("memberships__fiscal_year", flat=True)
    ).start_year
    return [FiscalYear(year) for year in range(first - 1, FiscalYear.current().start_year + 1)]


def all_figures():
    return {str(year): dataclasses.asdict(year_figures(year)) for year in every_year()}


@pytest.fixture
def published(db, settings):
    settings.DEBUG = True
    load_demo()
    # A 2016-2017 activity run with registrations (its participants are those marked present):
    # a member's representative, a non-member with needs, one who cancelled.
    activity = Activity.objects.in_fiscal_year(YEAR).reported().order_by("start_date").first()
    coop = Member.objects.filter(memberships__fiscal_year=YEAR).order_by("pk").first()
    marie = RepresentativeFactory(member=coop, first_name="Marie", last_name="Témoin", email="marie@temoin.coop")
    for name, email, member, status, present in [
        ("Marie Témoin", "marie@temoin.coop", coop, "confirmed", True),
        ("Paul Passant", "paul@ailleurs.org", None, "confirmed", True),
        ("Zoé Absente", "zoe@ailleurs.org", None, "cancelled", False),
    ]:
        Registration.objects.create(
            activity=activity, name=name, email=email, member=member, organisation="" if member else "Ailleurs",
            phone="418 555-0123", needs="Sans arachides", status=status, present=present,
            client_address="203.0.113.7", created_at=timezone.make_aware(datetime.datetime(2016, 5, 1, 9)),
        )
    # This year's events: a non-member registrant marked present counts in this year's participants.
    this_year = Registration.objects.filter(
        activity__start_date__gte=FiscalYear.current().start_date, status="confirmed", member=None
    ).order_by("pk")
    assert this_year.exists()
    Registration.objects.filter(pk=this_year.first().pk).update(present=True)
    AccessLog.objects.create(username="marie@temoin.coop", ip_address="203.0.113.7", user_agent="Firefox",
                             attempt_time=timezone.make_aware(datetime.datetime(2017, 1, 5, 9)))
    OutboxMessage.objects.create(sender="Pôle <a@b.org>", recipients="paul@ailleurs.org", subject="Merci",
                                 body="Bonjour Paul", message_id="<1@b.org>", status="sent",
                                 sent_at=timezone.now(), created_at=timezone.make_aware(datetime.datetime(2016, 5, 2)))
    report = AnnualReport.objects.get(fiscal_year=YEAR)
    version = publish(report=report, by=UserFactory(is_staff=True))
    return report, version, marie


def show(label, figures):
    """``POLE_SHOW_FIGURES=1 pytest -s``: print every figure, for the README's note."""
    if os.environ.get("POLE_SHOW_FIGURES"):
        print(f"\n--- {label}")
        for year, values in figures.items():
            print(year, {key: value for key, value in values.items() if key != "fiscal_year"})


def assert_nothing_drifts(report, client):
    found = drift(AnnualReport.objects.get(pk=report.pk))
    assert (found.differs, found.changes) == (False, [])
    direction = UserFactory(is_staff=True, groups=["Direction"])
    client.force_login(direction)
    page = client.get(reverse("reports:readiness", args=[YEAR.label])).content.decode()
    assert "Les données actuelles s’impriment exactement comme la version 1." in page


def test_ten_years_of_retention_change_no_figure_of_any_year_and_nothing_drifts(published, client):
    report, version, marie = published
    before = all_figures()
    show("before", before)

    out = io.StringIO()
    call_command("apply_retention", "--dry-run", "--now", LATER, stdout=out)
    assert "(--dry-run\u00a0: rien n’est changé)" in out.getvalue()
    assert int(re.search(r"non-member-registrants\u00a0: (\d+) enregistrements? seraient? modifiés?", out.getvalue())[1]) >= 2
    assert Registration.objects.filter(name="Paul Passant", needs="Sans arachides").exists()

    out = io.StringIO()
    call_command("apply_retention", "--now", LATER, stdout=out)

    # It did its work: needs gone, non-members anonymised, addresses and login records erased,
    # the contacts of organisations gone for years anonymised with their accounts closed.
    assert not Registration.objects.exclude(needs="").exists()
    assert not Registration.objects.filter(client_address__isnull=False).exists()
    assert not Registration.objects.filter(email__in=["paul@ailleurs.org", "zoe@ailleurs.org"]).exists()
    assert Registration.objects.filter(name=ANONYMOUS_NAME, member=None).count() >= 2
    assert not AccessLog.objects.exists() and not OutboxMessage.objects.filter(recipients="paul@ailleurs.org").exists()
    marie.refresh_from_db()
    assert (marie.first_name, marie.email, marie.phone, marie.user) == ("Personne", "", "", None)
    assert not Contact.history.filter(email="marie@temoin.coop").exists()
    assert not any("marie@temoin.coop" in str(row) for row in Contact.objects.values_list("email", flat=True))

    # Run again: nothing left to do.
    out = io.StringIO()
    call_command("apply_retention", "--now", LATER, stdout=out)
    assert "0 enregistrement anonymisé ou supprimé." in out.getvalue(), out.getvalue()

    after = all_figures()
    show("after ten years of retention", after)
    assert after[str(FiscalYear.current())]["participants"] >= 1  # this year's present registrant still counts
    assert after == before
    assert_nothing_drifts(report, client)


def test_erasure_on_request_changes_no_figure_and_nothing_drifts(published, client):
    report, version, marie = published
    before = all_figures()
    counts = erase_person("Marie@Temoin.coop", now=timezone.now())
    assert counts["registrations"] == 1 and counts["contacts"] == 1 and counts["logins"] == 1
    assert not Registration.objects.filter(email="marie@temoin.coop").exists()
    assert Registration.objects.filter(name="Paul Passant").exists()  # nobody else
    marie.refresh_from_db()
    assert marie.email == "" and marie.last_name == "anonymisée"
    assert all_figures() == before
    assert_nothing_drifts(report, client)
