import datetime

import factory
from factory.django import DjangoModelFactory

from activities.models import (
    Activity,
    Campaign,
    CampaignMetric,
    Measure,
    Objective,
    Project,
    ProjectYear,
    Registration,
)
from members.tests.factories import TerritoryFactory
from pole.fiscal_years import FiscalYear


class ObjectiveFactory(DjangoModelFactory):
    class Meta:
        model = Objective

    name = factory.Sequence(lambda n: f"Objectif {n}")
    order = factory.Sequence(lambda n: n)


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    start_date = datetime.date(2016, 4, 13)
    title = factory.Sequence(lambda n: f"Formation {n}")
    territory = factory.SubFactory(TerritoryFactory)
    place = "Saint-Raymond"
    role = Activity.Role.REALISATION
    participants = 5

    @factory.post_generation
    def objectives(self, create, objectives, **kwargs):
        """``ActivityFactory(objectives=[objective, …])`` links existing objectives."""
        if create and objectives:
            self.objectives.set(objectives)

    @factory.post_generation
    def partners(self, create, partners, **kwargs):
        if create and partners:
            self.partners.set(partners)


class MeasureFactory(DjangoModelFactory):
    class Meta:
        model = Measure

    activity = factory.SubFactory(ActivityFactory)
    label = factory.Sequence(lambda n: f"acheteurs institutionnels {n}")
    value = 23


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project

    objective = factory.SubFactory(ObjectiveFactory)
    title = factory.Sequence(lambda n: f"Projet {n}")
    first_fiscal_year = FiscalYear(2016)
    last_fiscal_year = None


class ProjectYearFactory(DjangoModelFactory):
    class Meta:
        model = ProjectYear

    project = factory.SubFactory(ProjectFactory)
    fiscal_year = factory.LazyAttribute(lambda text: text.project.first_fiscal_year)
    body = factory.LazyAttribute(lambda text: f"Ce que {text.project.title} a fait en {text.fiscal_year}.")


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign

    objective = factory.SubFactory(ObjectiveFactory)
    name = factory.Sequence(lambda n: f"Semaines de l'économie sociale {n}")
    fiscal_year = FiscalYear(2016)
    start_date = datetime.date(2016, 10, 3)
    end_date = datetime.date(2016, 10, 16)


class CampaignMetricFactory(DjangoModelFactory):
    class Meta:
        model = CampaignMetric

    campaign = factory.SubFactory(CampaignFactory)
    label = factory.Sequence(lambda n: f"publications Facebook {n}")
    value = 17


def in_days(days):
    from django.utils import timezone

    return timezone.localdate() + datetime.timedelta(days=days)


class EventFactory(ActivityFactory):
    """An upcoming activity open for registration, in three weeks (the current date's)."""

    start_date = factory.LazyFunction(lambda: in_days(21))
    start_time = datetime.time(9, 0)
    end_time = datetime.time(12, 0)
    participants = None
    registration_open = True
    capacity = 20
    title = factory.Sequence(lambda n: f"Atelier {n}")


class RegistrationFactory(DjangoModelFactory):
    class Meta:
        model = Registration

    activity = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Personne {n}")
    email = factory.Sequence(lambda n: f"inscrit{n}@exemple.org")
    organisation = "Coop Test"
    status = Registration.Status.CONFIRMED
