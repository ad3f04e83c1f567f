import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from activities.models import Activity, Campaign, CampaignMetric, Measure, Objective, Project
from activities.tests.factories import (
    ActivityFactory,
    CampaignFactory,
    CampaignMetricFactory,
    MeasureFactory,
    ObjectiveFactory,
    ProjectFactory,
)
from partners.tests.factories import OrganisationFactory
from pole.fiscal_years import FiscalYear

pytestmark = pytest.mark.django_db

Role = Activity.Role


# Objectives


def test_objective_names_are_unique_whatever_the_case(violates):
    ObjectiveFactory(name="Consolidation du Pôle")
    with violates(Objective, "activities_objective_unique_name"):
        ObjectiveFactory(name="CONSOLIDATION DU PôLE")


def test_objectives_list_in_their_order():
    ObjectiveFactory(name="Renforcer les compétences", order=2)
    ObjectiveFactory(name="Consolidation du Pôle", order=1)
    assert [str(o) for o in Objective.objects.all()] == ["Consolidation du Pôle", "Renforcer les compétences"]


# Activities: constraints and validation


def test_activity_date_and_title_are_unique_together(violates):
    ActivityFactory(start_date=datetime.date(2016, 4, 13), title="Formation en comptabilité")
    with violates(Activity, "activities_activity_unique_date_title"):
        ActivityFactory(start_date=datetime.date(2016, 4, 13), title="Formation en comptabilité")


def test_same_title_on_another_day_is_another_activity():
    ActivityFactory(start_date=datetime.date(2016, 4, 13), title="Formation en comptabilité")
    ActivityFactory(start_date=datetime.date(2016, 4, 14), title="Formation en comptabilité")
    assert Activity.objects.count() == 2


def test_activity_cannot_end_before_it_starts(violates):
    with violates(Activity, "activities_activity_end_after_start"):
        ActivityFactory(start_date=datetime.date(2016, 11, 17), end_date=datetime.date(2016, 11, 7))


def test_activity_participants_cannot_be_negative_in_the_database():
    activity = ActivityFactory()
    # The column's own positive check and the named constraint both refuse it;
    # which one the database reports first differs between SQLite and PostgreSQL.
    with pytest.raises(IntegrityError), transaction.atomic():
        Activity.objects.filter(pk=activity.pk).update(participants=-1)


@pytest.mark.parametrize(
    ("factory", "model", "field", "name"),
    [
        (ActivityFactory, Activity, "participants", "activities_activity_participants_not_negative"),
        (MeasureFactory, Measure, "value", "activities_measure_value_not_negative"),
        (CampaignMetricFactory, CampaignMetric, "value", "activities_campaignmetric_value_not_negative"),
    ],
)
def test_named_constraint_refuses_a_negative_count(factory, model, field, name):
    row = factory()
    setattr(row, field, -1)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        row.validate_constraints()
    assert caught.value.messages == [f"Constraint “{name}” is violated."]


@pytest.mark.parametrize("factory", [MeasureFactory, CampaignMetricFactory])
def test_negative_measure_or_metric_is_refused_by_the_database(factory):
    row = factory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(value=-1)


def test_unknown_participants_are_allowed():
    activity = ActivityFactory(participants=None)
    activity.full_clean()


def test_activity_clean_refuses_an_end_before_the_start():
    activity = ActivityFactory.build(
        start_date=datetime.date(2016, 11, 17), end_date=datetime.date(2016, 11, 7), territory=None
    )
    with pytest.raises(ValidationError) as caught:
        activity.full_clean()
    assert list(caught.value.message_dict) == ["end_date"]


def test_activity_clean_accepts_a_one_day_span():
    activity = ActivityFactory.build(
        start_date=datetime.date(2016, 11, 7), end_date=datetime.date(2016, 11, 7), territory=None
    )
    activity.full_clean()


def test_activity_clean_refuses_a_caption_without_photo():
    activity = ActivityFactory.build(photo_caption="Les participants", territory=None)
    with pytest.raises(ValidationError) as caught:
        activity.full_clean()
    assert list(caught.value.message_dict) == ["photo_caption"]


def test_activity_str_shows_date_and_title():
    activity = ActivityFactory.build(start_date=datetime.date(2016, 4, 13), title="Formation en comptabilité")
    assert str(activity) == "2016-04-13 — Formation en comptabilité"


def test_activity_fiscal_year_is_that_of_its_start():
    assert ActivityFactory.build(start_date=datetime.date(2017, 3, 31)).fiscal_year == FiscalYear(2016)
    assert ActivityFactory.build(start_date=datetime.date(2017, 4, 1)).fiscal_year == FiscalYear(2017)


def test_activities_list_by_date_then_title():
    ActivityFactory(start_date=datetime.date(2016, 5, 1), title="B")
    ActivityFactory(start_date=datetime.date(2016, 5, 1), title="A")
    ActivityFactory(start_date=datetime.date(2016, 4, 13), title="C")
    assert list(Activity.objects.values_list("title", flat=True)) == ["C", "A", "B"]


# Activities: fiscal year and reported roles


def test_activity_on_31_march_belongs_to_the_ending_year():
    activity = ActivityFactory(start_date=datetime.date(2017, 3, 31))
    assert list(Activity.objects.in_fiscal_year(FiscalYear(2016))) == [activity]
    assert list(Activity.objects.in_fiscal_year(FiscalYear(2017))) == []


def test_activity_on_1_april_belongs_to_the_next_year():
    activity = ActivityFactory(start_date=datetime.date(2017, 4, 1))
    assert list(Activity.objects.in_fiscal_year("2016-2017")) == []
    assert list(Activity.objects.in_fiscal_year("2017-2018")) == [activity]


def test_activity_spanning_two_years_counts_in_the_year_it_starts():
    activity = ActivityFactory(start_date=datetime.date(2017, 3, 30), end_date=datetime.date(2017, 4, 2))
    assert list(Activity.objects.in_fiscal_year(FiscalYear(2016))) == [activity]
    assert list(Activity.objects.in_fiscal_year(FiscalYear(2017))) == []


def test_reported_activities_of_a_year_leave_out_representation():
    first_day = ActivityFactory(start_date=datetime.date(2016, 4, 1), title="Premier jour", role=Role.REALISATION)
    last_day = ActivityFactory(start_date=datetime.date(2017, 3, 31), title="Dernier jour", role=Role.CO_REALISATION)
    ActivityFactory(start_date=datetime.date(2016, 10, 1), title="Représentation", role=Role.REPRESENTATION)
    ActivityFactory(start_date=datetime.date(2016, 3, 31), title="Année d'avant")
    ActivityFactory(start_date=datetime.date(2017, 4, 1), title="Année d'après")
    assert list(Activity.objects.in_fiscal_year(FiscalYear(2016)).reported()) == [first_day, last_day]


def test_for_listing_fetches_related_rows_in_a_fixed_number_of_queries(django_assert_num_queries):
    objective = ObjectiveFactory()
    partner = OrganisationFactory()
    for day in range(1, 6):
        activity = ActivityFactory(start_date=datetime.date(2016, 5, day), objectives=[objective], partners=[partner])
        MeasureFactory.create_batch(2, activity=activity)
    # activities with territory, then objectives, measures and partners: one query each
    with django_assert_num_queries(4):
        activities = list(Activity.objects.for_listing())
        printed = [
            (a.territory.name, [o.name for o in a.objectives.all()], len(a.measures.all()), len(a.partners.all()))
            for a in activities
        ]
    assert [row[1:] for row in printed] == [([objective.name], 2, 1)] * 5


# Measures


def test_measure_label_is_unique_per_activity(violates):
    activity = ActivityFactory()
    MeasureFactory(activity=activity, label="acheteurs institutionnels")
    with violates(Measure, "activities_measure_unique_label"):
        MeasureFactory(activity=activity, label="acheteurs institutionnels")


def test_same_measure_label_on_two_activities():
    MeasureFactory(label="acheteurs institutionnels")
    MeasureFactory(label="acheteurs institutionnels")
    assert Measure.objects.count() == 2


def test_measure_str_is_value_then_label():
    assert str(MeasureFactory.build(value=23, label="acheteurs institutionnels")) == "23 acheteurs institutionnels"


def test_measures_list_in_their_order():
    activity = ActivityFactory()
    MeasureFactory(activity=activity, label="b", order=2)
    MeasureFactory(activity=activity, label="a", order=1)
    assert [m.label for m in activity.measures.all()] == ["a", "b"]


# Projects


def test_project_titles_are_unique_whatever_the_case(violates):
    ProjectFactory(title="Transition écologique")
    with violates(Project, "activities_project_unique_title"):
        ProjectFactory(title="TRANSITION écologique")


def test_project_last_year_cannot_precede_the_first(violates):
    with violates(Project, "activities_project_last_year_after_first"):
        ProjectFactory(first_fiscal_year=FiscalYear(2016), last_fiscal_year=FiscalYear(2015))


def test_project_clean_refuses_a_last_year_before_the_first():
    project = ProjectFactory.build(first_fiscal_year=FiscalYear(2016), last_fiscal_year=FiscalYear(2015))
    project.objective = ObjectiveFactory()
    with pytest.raises(ValidationError) as caught:
        project.full_clean()
    assert list(caught.value.message_dict) == ["last_fiscal_year"]


def test_project_of_one_year_is_valid():
    project = ProjectFactory(first_fiscal_year=FiscalYear(2016), last_fiscal_year=FiscalYear(2016))
    project.full_clean()


def test_projects_in_fiscal_year_are_those_running_during_it():
    def project(title, first, last):
        return ProjectFactory(
            title=title,
            first_fiscal_year=FiscalYear(first),
            last_fiscal_year=FiscalYear(last) if last else None,
        )

    project("ended the year before", 2014, 2015)
    project("ended that year", 2014, 2016)
    project("only that year", 2016, 2016)
    project("started that year", 2016, None)
    project("still going", 2015, None)
    project("starts the year after", 2017, None)
    titles = set(Project.objects.in_fiscal_year("2016-2017").values_list("title", flat=True))
    assert titles == {"ended that year", "only that year", "started that year", "still going"}


def test_project_announced_as_new_is_new_in_its_first_year_only():
    project = ProjectFactory.build(first_fiscal_year=FiscalYear(2016), announce_as_new=True)
    assert project.is_new_in("2016-2017") is True
    assert project.is_new_in(FiscalYear(2017)) is False


def test_project_not_announced_as_new_is_never_new():
    project = ProjectFactory.build(first_fiscal_year=FiscalYear(2016), announce_as_new=False)
    assert project.is_new_in(FiscalYear(2016)) is False


# Campaigns


def test_campaign_name_is_unique_per_year(violates):
    CampaignFactory(name="Semaines de l'économie sociale", fiscal_year=FiscalYear(2016))
    with violates(Campaign, "activities_campaign_unique_name_year"):
        CampaignFactory(name="Semaines de l'économie sociale", fiscal_year=FiscalYear(2016))


def test_campaign_cannot_end_before_it_starts(violates):
    with violates(Campaign, "activities_campaign_end_after_start"):
        CampaignFactory(start_date=datetime.date(2016, 10, 16), end_date=datetime.date(2016, 10, 3))


def test_campaign_metric_label_is_unique_per_campaign(violates):
    campaign = CampaignFactory()
    CampaignMetricFactory(campaign=campaign, label="publications Facebook")
    with violates(CampaignMetric, "activities_campaignmetric_unique_label"):
        CampaignMetricFactory(campaign=campaign, label="publications Facebook")


@pytest.mark.parametrize("start", [datetime.date(2016, 3, 31), datetime.date(2017, 4, 1)])
def test_campaign_clean_refuses_a_start_outside_its_fiscal_year(start):
    campaign = CampaignFactory.build(
        fiscal_year=FiscalYear(2016), start_date=start, end_date=None, objective=ObjectiveFactory()
    )
    with pytest.raises(ValidationError) as caught:
        campaign.full_clean()
    assert list(caught.value.message_dict) == ["start_date"]
    assert "2016-2017" in caught.value.message_dict["start_date"][0]


@pytest.mark.parametrize("start", [datetime.date(2016, 4, 1), datetime.date(2017, 3, 31)])
def test_campaign_clean_accepts_a_start_on_the_bounds_of_its_fiscal_year(start):
    campaign = CampaignFactory.build(
        fiscal_year=FiscalYear(2016), start_date=start, end_date=None, objective=ObjectiveFactory()
    )
    campaign.full_clean()


def test_campaign_clean_refuses_an_end_before_the_start():
    campaign = CampaignFactory.build(
        start_date=datetime.date(2016, 10, 16), end_date=datetime.date(2016, 10, 3), objective=ObjectiveFactory()
    )
    with pytest.raises(ValidationError) as caught:
        campaign.full_clean()
    assert list(caught.value.message_dict) == ["end_date"]


def test_campaigns_in_fiscal_year():
    kept = CampaignFactory(fiscal_year=FiscalYear(2016))
    CampaignFactory(fiscal_year=FiscalYear(2015), start_date=None, end_date=None)
    assert list(Campaign.objects.in_fiscal_year("2016-2017")) == [kept]


def test_campaign_and_metric_str():
    campaign = CampaignFactory.build(name="Semaines de l'économie sociale", fiscal_year=FiscalYear(2016))
    assert str(campaign) == "Semaines de l'économie sociale (2016-2017)"
    assert str(CampaignMetricFactory.build(value=15000, label="personnes rejointes")) == "15000 personnes rejointes"
