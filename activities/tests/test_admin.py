"""The activities admin as staff use it daily: filters, the « Dupliquer » action, query counts."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Activity
from activities.services import duplicate_activities
from activities.tests.factories import ActivityFactory, MeasureFactory, ObjectiveFactory
from members.tests.factories import TerritoryFactory, UserFactory
from partners.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:activities_activity_changelist"


def changelist(client, **params):
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def run_action(client, action, activities):
    return client.post(reverse(CHANGELIST), {"action": action, "_selected_action": [a.pk for a in activities]})


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# « Dupliquer »


def test_duplicate_copies_the_activity_with_its_objectives_partners_and_measures(personnel_client):
    objectives = ObjectiveFactory.create_batch(2)
    partners = OrganisationFactory.create_batch(2)
    source = ActivityFactory(
        title="Rencontre-conférence pour les acheteurs institutionnels",
        start_date=datetime.date(2016, 4, 5),
        end_date=datetime.date(2016, 4, 6),
        participants=35,
        participants_label="participants",
        objectives=objectives,
        partners=partners,
    )
    MeasureFactory(activity=source, label="acheteurs institutionnels", value=23, order=0)
    MeasureFactory(activity=source, label="rencontres d’affaires individuelles", value=47, order=1)

    response = run_action(personnel_client, "duplicate", [source])

    copy = Activity.objects.exclude(pk=source.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:activities_activity_change", args=[copy.pk])
    assert messages_of(response) == ["1 activité dupliquée\u00a0; modifiez la copie."]
    assert copy.title == "Rencontre-conférence pour les acheteurs institutionnels (copie)"
    assert (copy.start_date, copy.end_date, copy.territory, copy.place, copy.role) == (
        source.start_date,
        source.end_date,
        source.territory,
        source.place,
        source.role,
    )
    assert (copy.participants, copy.participants_label) == (35, "participants")
    assert set(copy.objectives.all()) == set(objectives)
    assert set(copy.partners.all()) == set(partners)
    assert [(m.label, m.value, m.order) for m in copy.measures.all()] == [
        ("acheteurs institutionnels", 23, 0),
        ("rencontres d’affaires individuelles", 47, 1),
    ]
    # The original keeps its own rows.
    assert source.measures.count() == 2
    assert set(source.objectives.all()) == set(objectives)


def test_duplicate_several_lists_the_copies_for_editing(personnel_client):
    first = ActivityFactory(title="Formation en comptabilité", start_date=datetime.date(2016, 4, 13))
    second = ActivityFactory(title="Salon des fournisseurs", start_date=datetime.date(2016, 11, 7))
    ActivityFactory(title="Autre", start_date=datetime.date(2016, 5, 1))

    response = run_action(personnel_client, "duplicate", [first, second])

    copies = list(Activity.objects.filter(title__endswith="(copie)"))
    assert messages_of(response) == ["2 activités dupliquées\u00a0; modifiez les copies."]
    assert [c.title for c in copies] == ["Formation en comptabilité (copie)", "Salon des fournisseurs (copie)"]
    listed = personnel_client.get(response["Location"]).context["cl"].result_list
    assert list(listed) == copies[::-1]  # the list shows the newest activities first


def test_duplicating_again_numbers_the_copies(personnel_client):
    source = ActivityFactory(title="Formation", start_date=datetime.date(2016, 4, 13))
    run_action(personnel_client, "duplicate", [source])
    run_action(personnel_client, "duplicate", [source])
    titles = sorted(Activity.objects.values_list("title", flat=True))
    assert titles == ["Formation", "Formation (copie 2)", "Formation (copie)"]


def test_duplicate_keeps_a_long_title_within_its_length():
    source = ActivityFactory(title="x" * 255)
    (copy,) = duplicate_activities(activities=Activity.objects.filter(pk=source.pk))
    assert copy.title == "x" * 247 + " (copie)"
    assert len(copy.title) == 255


def test_duplicate_queries_do_not_grow_with_the_activities(django_assert_num_queries):
    objectives = ObjectiveFactory.create_batch(2)
    sources = []
    for _ in range(10):
        sources.append(ActivityFactory(objectives=objectives, partners=[OrganisationFactory()]))
        MeasureFactory.create_batch(2, activity=sources[-1])
    with CaptureQueriesContext(connection) as two:
        duplicate_activities(activities=Activity.objects.filter(pk__in=[a.pk for a in sources[:2]]))
    with django_assert_num_queries(len(two.captured_queries)):
        copies = duplicate_activities(activities=Activity.objects.filter(pk__in=[a.pk for a in sources]))
    assert len(copies) == 10
    assert Activity.objects.count() == 22


def test_duplicate_is_offered_only_to_who_may_add_activities(client):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename__in=["view_activity", "delete_activity"]))
    client.force_login(viewer)
    ActivityFactory()
    response = client.get(reverse(CHANGELIST))
    choices = dict(response.context["action_form"].fields["action"].choices)
    assert "delete_selected" in choices
    assert "duplicate" not in choices


def test_personnel_is_offered_duplicate(personnel_client):
    ActivityFactory()
    response = personnel_client.get(reverse(CHANGELIST))
    assert dict(response.context["action_form"].fields["action"].choices)["duplicate"] == "Dupliquer"


# Filters


def test_missing_participants_filter_keeps_activities_with_neither_a_count_nor_a_measure(personnel_client):
    no_count = ActivityFactory(title="A", participants=None)
    with_measure = ActivityFactory(title="B", participants=None)
    MeasureFactory(activity=with_measure)
    ActivityFactory(title="C", participants=0)
    ActivityFactory(title="D", participants=12)
    assert changelist(personnel_client, manque="participants") == [no_count]


def test_missing_objective_filter(personnel_client):
    objective = ObjectiveFactory()
    without = ActivityFactory(title="A")
    ActivityFactory(title="B", objectives=[objective])
    assert changelist(personnel_client, manque="objectif") == [without]


def test_missing_territory_filter_combines_with_the_fiscal_year(personnel_client):
    kept = ActivityFactory(title="A", territory=None, start_date=datetime.date(2016, 4, 1))
    ActivityFactory(title="B", territory=None, start_date=datetime.date(2015, 4, 1))
    ActivityFactory(title="C", start_date=datetime.date(2016, 4, 1))
    assert changelist(personnel_client, manque="territoire", exercice="2016-2017") == [kept]


def test_missing_data_filter_offers_the_activity_checks_in_french(personnel_client):
    response = personnel_client.get(reverse(CHANGELIST))
    spec = next(f for f in response.context["cl"].filter_specs if getattr(f, "parameter_name", None) == "manque")
    assert spec.title == "données manquantes"
    assert [str(label) for _, label in spec.lookup_choices] == [
        "aucun participant",
        "aucun objectif",
        "aucun territoire",
    ]


def test_unknown_missing_data_value_filters_nothing_out(personnel_client):
    rows = ActivityFactory.create_batch(2)
    assert sorted(a.pk for a in changelist(personnel_client, manque="nimporte")) == sorted(a.pk for a in rows)


def test_objective_role_and_territory_filters(personnel_client):
    objective = ObjectiveFactory()
    kept = ActivityFactory(title="A", objectives=[objective], role=Activity.Role.CO_REALISATION)
    ActivityFactory(title="B", objectives=[objective], role=Activity.Role.REPRESENTATION)
    ActivityFactory(title="C", role=Activity.Role.CO_REALISATION)
    assert changelist(personnel_client, objectives__id__exact=objective.pk, role__exact="co_realisation") == [kept]
    assert changelist(personnel_client, territory__id__exact=kept.territory_id) == [kept]


def test_search_and_date_hierarchy(personnel_client):
    kept = ActivityFactory(title="Salon des fournisseurs", start_date=datetime.date(2016, 11, 7))
    ActivityFactory(title="Salon de l'emploi", start_date=datetime.date(2015, 11, 7))
    ActivityFactory(title="Formation", start_date=datetime.date(2016, 11, 8))
    assert changelist(personnel_client, q="salon", start_date__year=2016) == [kept]


# Query counts


def _activity(i):
    activity = ActivityFactory(
        start_date=datetime.date(2016, 4, 1) + datetime.timedelta(days=i * 7),
        objectives=ObjectiveFactory.create_batch(2),
        partners=[OrganisationFactory()],
        territory=None if i % 2 else TerritoryFactory(),
    )
    MeasureFactory.create_batch(2, activity=activity)
    return activity


@pytest.mark.parametrize("params", ["", "?exercice=2016-2017", "?manque=territoire&exercice=2016-2017"])
def test_activity_changelist_queries_do_not_grow_with_the_rows(personnel_client, assert_constant_queries, params):
    response = assert_constant_queries(personnel_client, reverse(CHANGELIST) + params, _activity)
    assert len(response.context["cl"].result_list) == (10 if "manque" in params else 20)
