"""The demo data (``load_demo``) reproduces the printed 2016-2017 report."""

import datetime
import io
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import translation

from activities.models import Activity, Measure
from activities.tests.factories import ObjectiveFactory
from demo import data as demo_data
from demo.loader import load_demo
from members.models import BoardMandate, Contact, Member, StaffMember
from members.tests.factories import MemberFactory, TerritoryFactory
from partners.models import Affiliation, CommitteeSeat, Partnership
from pole.fiscal_years import FiscalYear
from reports.models import AnnualReport, DeclaredFigure
from reports.statistics import year_figures

Y2016 = FiscalYear(2016)


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("load_demo", "--no-archive", stdout=io.StringIO())


def _model_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_portrait_equals_the_printed_one(demo):
    figures = year_figures("2016-2017")
    assert figures.average_age == 22
    assert figures.rural_share == 15
    assert figures.business_groups == 4
    assert figures.associative_share == 60
    assert figures.membership_growth == 35


def test_activities_of_the_year(demo):
    figures = year_figures(Y2016)
    assert figures.activities == 25
    assert figures.participants == 1540
    assert Activity.objects.in_fiscal_year(Y2016).reported().count() == len(demo_data.ACTIVITIES) == 25

    forum = Activity.objects.get(title="Forum Intercoop")
    assert forum.start_date == datetime.date(2017, 2, 15)
    assert forum.participants == 175
    assert [o.name for o in forum.objectives.all()] == ["Augmenter les ventes des entreprises"]
    sales = next(row for row in figures.by_objective if row.objective.name == "Augmenter les ventes des entreprises")
    assert (sales.activities, sales.participants) == (8, 360)


def test_activity_with_a_measure(demo):
    activity = Activity.objects.get(title="Rencontre-conférence pour les acheteurs institutionnels")
    assert activity.start_date == datetime.date(2016, 4, 5)
    assert activity.participants == 35
    assert [(m.label, m.value) for m in activity.measures.all()] == [("acheteurs institutionnels", 23)]


def test_ckia_interviews_span_eleven_days(demo):
    activity = Activity.objects.get(title="Série d'entrevues à CKIA")
    assert (activity.start_date, activity.end_date) == (datetime.date(2016, 11, 7), datetime.date(2016, 11, 17))
    assert activity.participants is None


def test_loading_twice_changes_nothing(demo):
    before = _model_counts()
    # The report's 25 activities and the two upcoming events of the calendar.
    assert before["activities.Activity"] == 25 + len(demo_data.DEMO_EVENTS)
    load_demo()
    assert _model_counts() == before
    assert Member.objects.filter(name="Coopérative funéraire des Deux Rives").count() == 1
    assert Measure.objects.filter(label="acheteurs institutionnels").count() == 1


def test_the_demo_ships_no_picture_it_would_have_to_invent(db, media_root):
    """A report never shows an image that is not the event: the demo has no photo of its events
    (nor portraits or logos), so nothing on disk, and no activity, intro or report holds a picture."""
    from activities.models import Activity
    from reports.models import AnnualReport, SectionIntro

    load_demo()
    assert not [p for p in media_root.rglob("*") if p.is_file()]
    assert not Activity.objects.exclude(photo="").exists()
    assert not SectionIntro.objects.exclude(photo="").exists()
    assert not AnnualReport.objects.exclude(cover_photo="").exists()


def test_command_refuses_without_debug_unless_forced(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo")
    assert Activity.objects.count() == 0

    call_command("load_demo", "--no-archive", "--force", stdout=io.StringIO())
    assert Activity.objects.count() == 25 + len(demo_data.DEMO_EVENTS)


def test_board_and_staff(demo):
    board = list(BoardMandate.objects.in_fiscal_year(Y2016))
    assert [m.name for m in board] == [name for name, _role in demo_data.BOARD]
    assert len(board) == 14
    with translation.override("fr-ca"):
        roles = {m.name: m.get_role_display() for m in board}
    assert roles["Sylviane Pilote"] == "vice-présidente"
    assert roles["Claire Dubé"] == "trésorière"
    assert roles["Catherine Benoit"] == "administratrice"
    assert roles["Charles Demers"] == "coprésident"

    staff = list(StaffMember.objects.in_fiscal_year(Y2016))
    assert [(s.name, s.title) for s in staff] == demo_data.STAFF


def test_affiliations_committees_partners(demo):
    assert Affiliation.objects.in_fiscal_year(Y2016).count() == 6
    assert [a.organisation.name for a in Affiliation.objects.in_fiscal_year(Y2016)] == demo_data.AFFILIATIONS_2016
    assert CommitteeSeat.objects.in_fiscal_year(Y2016).count() == 11
    assert Partnership.objects.in_fiscal_year(Y2016).count() == len(demo_data.PARTNERSHIPS_2016)


def test_declared_figures(demo):
    report = AnnualReport.objects.get(fiscal_year=Y2016)
    assert report.is_published  # as at the June 2017 AGM
    declared = {d.figure: d.value for d in DeclaredFigure.objects.filter(report=report)}
    assert declared == {
        "social_media": Decimal(37),
        "businesses_reached": Decimal(125),
        "activities": Decimal(26),
        "participants": Decimal(1650),
    }


def login_request():
    """The request the login throttling (django-axes) needs to count a login attempt."""
    return RequestFactory().post("/connexion/")


@pytest.mark.parametrize("email", [account[0] for account in demo_data.DEMO_ACCOUNTS])
def test_demo_accounts_can_log_in(demo, client, email):
    assert client.login(request=login_request(), username=email, password="pole-demo")


def test_demo_account_roles(demo):
    User = get_user_model()
    direction = User.objects.get(email="direction@exemple.org")
    personnel = User.objects.get(email="personnel@exemple.org")
    member_user = User.objects.get(email="membre@exemple.org")
    assert direction.is_staff and direction.has_perm("reports.publish_annualreport")
    assert personnel.is_staff and personnel.has_perm("reports.view_annualreport")
    assert not personnel.has_perm("reports.publish_annualreport")
    assert not member_user.is_staff
    contact = Contact.objects.get(user=member_user)
    assert contact.member.name == "Coopérative funéraire des Deux Rives"
    assert contact.email == "membre@exemple.org"


def test_custom_password(db, settings, client):
    settings.DEBUG = True
    call_command("load_demo", "--no-archive", "--password", "autre-secret", stdout=io.StringIO())
    assert client.login(request=login_request(), username="direction@exemple.org", password="autre-secret")
    assert not client.login(request=login_request(), username="direction@exemple.org", password="pole-demo")


def test_demo_events_fill_the_calendar_in_the_current_fiscal_year(demo):
    """Two upcoming events of the current fiscal year, one full with a waiting list; 2016-2017 untouched."""
    from django.utils import timezone

    from activities.models import Registration

    today = timezone.localdate()
    events = list(Activity.objects.filter(registration_open=True).order_by("start_date"))
    assert [event.title for event in events] == [row["title"] for row in demo_data.DEMO_EVENTS]
    for event in events:
        assert today <= event.start_date and event.fiscal_year == FiscalYear.current()
    statuses = sorted(Registration.objects.filter(activity=events[1]).values_list("status", flat=True))
    assert statuses == ["confirmed"] * 4 + ["waiting"]
    assert year_figures(Y2016).participants == 1540  # the events are not in the demo year


def test_demo_events_stay_within_the_fiscal_year_on_its_last_day(db):
    from demo import loader as demo

    last_day = FiscalYear(2026).end_date
    territories = {name: TerritoryFactory(name=name) for name in demo_data.TERRITORIES}
    objectives = {name: ObjectiveFactory(name=name) for name, _block in demo_data.OBJECTIVES}
    member = MemberFactory(name=demo_data.DEMO_MEMBER)
    demo._load_events(territories, objectives, {member.name: member}, today=last_day - datetime.timedelta(days=3))
    dates = sorted(Activity.objects.values_list("start_date", flat=True))
    assert dates == [last_day, last_day]
