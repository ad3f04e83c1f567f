"""The figures of DESIGN.md ("Fiscal years and statistics"), exact on small hand-built data."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import Activity
from activities.tests.factories import ActivityFactory, ObjectiveFactory
from members.models import Member
from members.tests.factories import MemberFactory
from pole.fiscal_years import FiscalYear
from reports.models import Figure
from reports.statistics import (
    COMPUTED_FIGURES,
    activity_totals,
    member_portrait,
    members_by_legal_form,
    percentage,
    round_half_up,
    year_figures,
)

Y2016 = FiscalYear(2016)  # 2016-2017


# --- round_half_up and percentage -------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (0, 0),
        (Fraction(1, 2), 1),
        (Fraction(3, 2), 2),
        (Fraction(5, 2), 3),
        (Fraction(25, 2), 13),
        (Fraction(-5, 2), -2),
        (Fraction(-1, 2), 0),
        (Decimal("16.5"), 17),
        (Decimal("16.49"), 16),
        (12.4, 12),
        (12.6, 13),
        (7, 7),
    ],
)
def test_round_half_up(value, expected):
    assert round_half_up(value) == expected
    assert isinstance(round_half_up(value), int)


@pytest.mark.parametrize(
    "part, whole, expected",
    [
        (1, 8, 13),  # 12.5 % → 13
        (3, 8, 38),  # 37.5 % → 38
        (1, 3, 33),
        (2, 3, 67),
        (3, 5, 60),
        (0, 4, 0),
        (4, 4, 100),
        (1, 4, 25),
        (-1, 8, -12),  # −12.5 % → −12 (halves up)
        (1, 200, 1),  # 0.5 % → 1
        (0, 0, None),
        (5, 0, None),
    ],
)
def test_percentage(part, whole, expected):
    assert percentage(part, whole) == expected


# --- helpers ------------------------------------------------------------------------


def member(*years, **fields):
    """A member holding one membership for each fiscal year (start years) given."""
    return MemberFactory(fiscal_years=list(years), **fields)


def activity(day, objectives=(), **fields):
    fields.setdefault("participants", 10)
    return ActivityFactory(start_date=day, objectives=list(objectives), **fields)


# --- activities ----------------------------------------------------------------------


@pytest.mark.django_db
def test_fiscal_year_boundaries_decide_on_the_start_date():
    activity(datetime.date(2016, 3, 31), participants=1)  # 2015-2016
    activity(datetime.date(2016, 4, 1), participants=2)  # first day of 2016-2017
    activity(datetime.date(2017, 3, 31), participants=4)  # last day of 2016-2017
    activity(datetime.date(2017, 4, 1), participants=8)  # 2017-2018
    # Ends in the next fiscal year, starts in this one: counted in this one.
    activity(datetime.date(2017, 3, 20), end_date=datetime.date(2017, 4, 10), participants=16)

    figures = year_figures("2016-2017")
    assert (figures.activities, figures.participants) == (3, 2 + 4 + 16)
    assert (year_figures(2015).activities, year_figures(2015).participants) == (1, 1)
    assert (year_figures(2017).activities, year_figures(2017).participants) == (1, 8)


@pytest.mark.django_db
def test_activity_serving_two_objectives_counts_in_both_rows_and_once_in_totals():
    skills, sales, notoriety = ObjectiveFactory(order=1), ObjectiveFactory(order=2), ObjectiveFactory(order=3)
    activity(datetime.date(2016, 5, 1), [skills, sales], participants=10)
    activity(datetime.date(2016, 6, 1), [skills], participants=5)
    activity(datetime.date(2016, 7, 1), [], participants=3)  # no objective: totals only

    figures = activity_totals(Y2016)
    assert figures["activities"] == 3
    assert figures["participants"] == 18
    rows = {row.objective: (row.activities, row.participants) for row in figures["by_objective"]}
    assert rows == {skills: (2, 15), sales: (1, 10), notoriety: (0, 0)}
    # Every objective is listed, in their order.
    assert [row.objective for row in figures["by_objective"]] == [skills, sales, notoriety]


@pytest.mark.django_db
def test_representation_is_not_reported_co_realisation_is():
    objective = ObjectiveFactory()
    activity(datetime.date(2016, 5, 1), [objective], participants=10, role=Activity.Role.REALISATION)
    activity(datetime.date(2016, 5, 2), [objective], participants=20, role=Activity.Role.CO_REALISATION)
    activity(datetime.date(2016, 5, 3), [objective], participants=400, role=Activity.Role.REPRESENTATION)

    figures = year_figures(Y2016)
    assert (figures.activities, figures.participants) == (2, 30)
    assert [(row.activities, row.participants) for row in figures.by_objective] == [(2, 30)]


@pytest.mark.django_db
def test_unknown_participants_count_as_zero():
    objective = ObjectiveFactory()
    activity(datetime.date(2016, 5, 1), [objective], participants=None)
    figures = year_figures(Y2016)
    assert (figures.activities, figures.participants) == (1, 0)
    assert [(row.activities, row.participants) for row in figures.by_objective] == [(1, 0)]

    activity(datetime.date(2016, 5, 2), [objective], participants=7)
    figures = year_figures(Y2016)
    assert (figures.activities, figures.participants) == (2, 7)
    assert [(row.activities, row.participants) for row in figures.by_objective] == [(2, 7)]


@pytest.mark.django_db
def test_year_without_anything():
    ObjectiveFactory()
    figures = year_figures("2016-2017")
    assert figures.members == 0
    assert figures.members_previous == 0
    assert figures.average_age is None
    assert figures.rural_share is None
    assert figures.associative_share is None
    assert figures.membership_growth is None
    assert figures.business_groups == 0
    assert figures.new_members == 0
    assert figures.activities == 0
    assert figures.participants == 0
    assert [(row.activities, row.participants) for row in figures.by_objective] == [(0, 0)]


# --- members -------------------------------------------------------------------------


@pytest.mark.django_db
def test_membership_growth_against_the_previous_year():
    for _ in range(4):
        member(2015, 2016)
    member(2016)  # 4 members in 2015-2016, 5 in 2016-2017
    member(2014)  # an older year does not count as "previous"

    portrait = member_portrait("2016-2017")
    assert portrait["members"] == 5
    assert portrait["members_previous"] == 4
    assert portrait["membership_growth"] == 25


@pytest.mark.django_db
def test_membership_decline_is_negative_and_rounds_halves_up():
    for _ in range(7):
        member(2015, 2016)
    member(2015)  # 8 then 7: −12.5 % → −12
    assert member_portrait(Y2016)["membership_growth"] == -12


@pytest.mark.django_db
def test_no_previous_members_gives_no_growth():
    member(2016)
    member(2016)
    portrait = member_portrait(Y2016)
    assert portrait["members_previous"] == 0
    assert portrait["membership_growth"] is None


@pytest.mark.django_db
def test_rural_share_rounds_halves_up():
    member(2016, setting=Member.Setting.RURAL)
    for _ in range(7):
        member(2016, setting=Member.Setting.URBAN)
    member(2015, setting=Member.Setting.RURAL)  # not a member in 2016-2017
    assert member_portrait(Y2016)["rural_share"] == 13  # 1 of 8 = 12.5 %


@pytest.mark.django_db
def test_average_age_rounds_halves_up_and_ignores_unknown_founding_years():
    # Ages at the end year (2017): 17 and 16 → 16.5 → 17.
    member(2016, founding_year=2000)
    member(2016, founding_year=2001)
    member(2016, founding_year=None)  # ignored, not counted as 0 nor as 2017
    member(2015, founding_year=1900)  # not a member in 2016-2017
    assert member_portrait(Y2016)["average_age"] == 17
    assert member_portrait(Y2016)["members"] == 3


@pytest.mark.django_db
def test_average_age_below_half_rounds_down():
    # Ages 17, 16, 16 → 16.33 → 16.
    member(2016, founding_year=2000)
    member(2016, founding_year=2001)
    member(2016, founding_year=2001)
    assert member_portrait(Y2016)["average_age"] == 16


@pytest.mark.django_db
def test_average_age_is_none_without_any_founding_year():
    member(2016, founding_year=None)
    assert member_portrait(Y2016)["average_age"] is None


@pytest.mark.django_db
def test_new_members_are_those_whose_first_membership_is_in_the_year():
    member(2015, 2016)  # renewed
    member(2014, 2016)  # came back after a gap: not new
    member(2016)  # new
    member(2016, 2017)  # new, and renewed later
    member(2017)  # new the year after
    member(2015)  # left

    assert member_portrait(Y2016)["new_members"] == 2
    assert member_portrait(Y2016)["members"] == 4
    assert member_portrait(FiscalYear(2017))["new_members"] == 1
    assert member_portrait(FiscalYear(2015))["new_members"] == 2


@pytest.mark.django_db
def test_business_groups_and_associative_share():
    member(2016, category=Member.Category.BUSINESS_GROUP, legal_form=Member.LegalForm.ASSOCIATION)
    member(2016, category=Member.Category.BUSINESS_GROUP, legal_form=Member.LegalForm.COOPERATIVE)
    member(2016, category=Member.Category.REGULAR, legal_form=Member.LegalForm.ASSOCIATION)
    member(2016, category=Member.Category.AMBASSADOR, legal_form=Member.LegalForm.ASSOCIATION)
    member(2016, category=Member.Category.SUPPLIER, legal_form=Member.LegalForm.MUTUAL)
    member(2015, category=Member.Category.BUSINESS_GROUP, legal_form=Member.LegalForm.ASSOCIATION)

    portrait = member_portrait(Y2016)
    assert portrait["members"] == 5
    assert portrait["business_groups"] == 2
    assert portrait["associative_share"] == 60


@pytest.mark.django_db
def test_members_by_legal_form_lists_every_form():
    member(2016, legal_form=Member.LegalForm.ASSOCIATION)
    member(2016, legal_form=Member.LegalForm.ASSOCIATION)
    member(2016, legal_form=Member.LegalForm.COOPERATIVE)
    member(2015, legal_form=Member.LegalForm.MUTUAL)

    rows = {row.legal_form: row.members for row in members_by_legal_form(Y2016)}
    assert rows == {
        Member.LegalForm.COOPERATIVE: 1,
        Member.LegalForm.MUTUAL: 0,
        Member.LegalForm.ASSOCIATION: 2,
        Member.LegalForm.COMPANY: 0,
    }

    member(2016, legal_form="")
    rows = members_by_legal_form(Y2016)
    assert (rows[-1].legal_form, rows[-1].members) == ("", 1)


@pytest.mark.django_db
def test_year_figures_value_gives_computed_figures_only():
    member(2016, founding_year=2007)
    activity(datetime.date(2016, 5, 1), [ObjectiveFactory()], participants=12)
    figures = year_figures(Y2016)
    assert figures.value(Figure.MEMBERS) == 1
    assert figures.value(Figure.AVERAGE_AGE) == 10
    assert figures.value(Figure.PARTICIPANTS) == 12
    assert figures.value(Figure.SOCIAL_MEDIA) is None
    assert figures.value(Figure.BUSINESSES_REACHED) is None
    assert COMPUTED_FIGURES == set(Figure.values) - {Figure.SOCIAL_MEDIA, Figure.BUSINESSES_REACHED}


# --- query counts --------------------------------------------------------------------


def _populate(count, objectives):
    for index in range(count):
        member(
            2015,
            2016,
            founding_year=1980 + index % 30,
            setting=Member.Setting.RURAL if index % 3 else Member.Setting.URBAN,
            legal_form=Member.LegalForm.ASSOCIATION if index % 2 else Member.LegalForm.COOPERATIVE,
        )
        member(2016)
        activity(datetime.date(2016, 4, 1) + datetime.timedelta(days=index), objectives, participants=index)


def _count_queries(fiscal_year):
    with CaptureQueriesContext(connection) as queries:
        year_figures(fiscal_year)
    return len(queries)


@pytest.mark.django_db
def test_year_figures_query_count_does_not_grow_with_the_data():
    objectives = [ObjectiveFactory(), ObjectiveFactory()]
    _populate(1, objectives)
    small = _count_queries(Y2016)
    _populate(49, objectives)
    assert year_figures(Y2016).activities == 50
    assert _count_queries(Y2016) == small


@pytest.mark.django_db
def test_year_figures_issues_six_queries(django_assert_num_queries):
    objectives = [ObjectiveFactory(), ObjectiveFactory()]
    _populate(5, objectives)
    with django_assert_num_queries(6):
        year_figures("2016-2017")
    with django_assert_num_queries(5):
        year_figures("2016-2017", objectives=objectives)


# --- what the records cannot tell ------------------------------------------------------


@pytest.mark.django_db
def test_a_year_without_records_gives_no_figure_rather_than_zeros():
    figures = year_figures(Y2016)
    for figure in COMPUTED_FIGURES:
        assert figures.value(figure) is None, figure


@pytest.mark.django_db
def test_new_members_and_growth_need_an_earlier_year_of_records():
    member(2016)
    member(2016)
    figures = year_figures(Y2016)
    assert (figures.value(Figure.MEMBERS), figures.new_members) == (2, 2)
    # The first year of records: every member would look new, and there is nothing to grow from.
    assert figures.value(Figure.NEW_MEMBERS) is None
    assert figures.value(Figure.MEMBERSHIP_GROWTH) is None
    member(2015, 2016)
    figures = year_figures(Y2016)
    assert (figures.value(Figure.NEW_MEMBERS), figures.value(Figure.MEMBERSHIP_GROWTH)) == (2, 200)


@pytest.mark.django_db
def test_a_year_of_representations_only_has_zero_activities_as_a_fact():
    objective = ObjectiveFactory()
    activity(datetime.date(2016, 5, 1), [objective], participants=40, role=Activity.Role.REPRESENTATION)
    figures = year_figures(Y2016)
    assert (figures.value(Figure.ACTIVITIES), figures.value(Figure.PARTICIPANTS)) == (0, 0)
    assert figures.activities_recorded
