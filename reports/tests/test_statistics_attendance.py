"""An activity with registrations counts its attendance as its participants (DESIGN.md, extended)."""

import datetime

import pytest

from activities import registrations
from activities.attendance import activity_attendance, member_attendance
from activities.models import Activity, Registration
from activities.tests.factories import ActivityFactory, ObjectiveFactory, RegistrationFactory
from members.tests.factories import MemberFactory
from pole.fiscal_years import FiscalYear
from reports.report import build_report_context
from reports.statistics import activity_totals, year_figures

pytestmark = pytest.mark.django_db

Y2016 = FiscalYear(2016)
DAY = datetime.date(2016, 5, 10)


def attended(activity, *, present, absent=0, walk_ins=0, waiting=0, cancelled_present=0, member=None):
    """Give ``activity`` registrants: ``present`` of them present, the rest in the other states."""
    for _ in range(present):
        RegistrationFactory(activity=activity, present=True, member=member)
    for _ in range(absent):
        RegistrationFactory(activity=activity)
    for _ in range(walk_ins):
        RegistrationFactory(activity=activity, present=True, walk_in=True, email="")
    for _ in range(waiting):
        RegistrationFactory(activity=activity, status=Registration.Status.WAITING)
    for _ in range(cancelled_present):
        RegistrationFactory(activity=activity, status=Registration.Status.CANCELLED)


def test_attendance_replaces_the_typed_number_once_there_are_registrations():
    objective, other = ObjectiveFactory(), ObjectiveFactory()
    ActivityFactory(start_date=DAY, participants=35, objectives=[objective])  # typed, no registration
    with_registrations = ActivityFactory(start_date=DAY, participants=99, objectives=[objective, other])
    attended(with_registrations, present=3, absent=2, walk_ins=2, waiting=4, cancelled_present=1)
    totals = activity_totals(Y2016)
    # 35 typed + (3 present + 2 walk-ins); the 99 typed is not counted, nor the absent or waiting.
    assert totals["participants"] == 35 + 5
    rows = {row.objective: row.participants for row in totals["by_objective"]}
    assert rows == {objective: 40, other: 5}


def test_only_cancelled_registrations_leave_the_typed_number():
    activity = ActivityFactory(start_date=DAY, participants=12)
    RegistrationFactory(activity=activity, status=Registration.Status.CANCELLED)
    assert activity_totals(Y2016)["participants"] == 12


def test_an_activity_with_registrations_and_nobody_present_counts_zero_not_its_typed_number():
    activity = ActivityFactory(start_date=DAY, participants=50)
    RegistrationFactory(activity=activity)
    assert activity_totals(Y2016)["participants"] == 0


def test_representations_attendance_is_not_counted():
    activity = ActivityFactory(start_date=DAY, role=Activity.Role.REPRESENTATION, participants=None)
    attended(activity, present=4)
    assert activity_totals(Y2016)["participants"] == 0


def test_the_report_prints_the_attendance_of_an_activity():
    objective = ObjectiveFactory()
    activity = ActivityFactory(start_date=DAY, title="Atelier compté", participants=99, objectives=[objective])
    attended(activity, present=6, walk_ins=1)
    context = build_report_context(Y2016)
    lines = [line for section in context["sections"] for line in section.activities]
    assert [line["outcome"] for line in lines if line["title"] == "Atelier compté"] == ["7 participants"]


def test_year_figures_query_count_is_unchanged_by_registrations(django_assert_num_queries):
    objective = ObjectiveFactory()
    for _ in range(3):
        attended(ActivityFactory(start_date=DAY, objectives=[objective]), present=2, walk_ins=1)
    with django_assert_num_queries(6):
        figures = year_figures(Y2016)
    assert figures.participants == 9
    for _ in range(10):
        attended(ActivityFactory(start_date=DAY, objectives=[objective]), present=3)
    with django_assert_num_queries(6):
        assert year_figures(Y2016).participants == 39


def test_activity_attendance_counts_distinct_member_organisations_present(django_assert_num_queries):
    activity = ActivityFactory(start_date=DAY)
    rucher, abeille = MemberFactory(), MemberFactory()
    attended(activity, present=2, member=rucher)
    attended(activity, present=1, member=abeille, absent=0)
    attended(activity, present=1, walk_ins=1, absent=2, waiting=1)
    RegistrationFactory(activity=activity, member=MemberFactory())  # registered, not present
    with django_assert_num_queries(1):
        summary = activity_attendance(activity)
    assert (summary.confirmed, summary.waiting, summary.present, summary.walk_ins) == (8, 1, 5, 1)
    assert summary.member_organisations == 2
    assert summary.registered_present == 4


def test_member_attendance_counts_the_year_only(django_assert_num_queries):
    member = MemberFactory()
    this_year = [ActivityFactory(start_date=DAY), ActivityFactory(start_date=DAY + datetime.timedelta(days=3))]
    attended(this_year[0], present=2, member=member)
    attended(this_year[1], present=1, member=member)
    attended(ActivityFactory(start_date=datetime.date(2015, 6, 1)), present=4, member=member)
    with django_assert_num_queries(1):
        assert member_attendance(member, Y2016) == {"persons": 3, "activities": 2}


def test_checking_in_changes_the_figure():
    activity = ActivityFactory(start_date=DAY, participants=None)
    people = [RegistrationFactory(activity=activity) for _ in range(3)]
    assert activity_totals(Y2016)["participants"] == 0
    registrations.set_present(registration=people[0], present=True)
    registrations.set_present(registration=people[2], present=True)
    assert activity_totals(Y2016)["participants"] == 2
