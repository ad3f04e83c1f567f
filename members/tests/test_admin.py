"""The members admin as staff use it daily: filters, « Renouveler pour l'exercice suivant », query counts."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from members.billing.renewals import renew_memberships
from members.models import Member, Membership
from members.tests.factories import (
    BoardMandateFactory,
    ContactFactory,
    MemberFactory,
    MembershipFactory,
    UserFactory,
)
from pole.fiscal_years import FiscalYear

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:members_member_changelist"


def changelist(client, **params):
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def renew(client, members, query=""):
    return client.post(reverse(CHANGELIST) + query, {"action": "renew", "_selected_action": [m.pk for m in members]})


def years_of(member):
    return [m.fiscal_year.label for m in member.memberships.order_by("fiscal_year")]


# « Renouveler pour l'exercice suivant »


def test_renew_creates_the_year_after_the_latest_membership_and_skips_members_already_renewed(
    personnel_client, fixed_today
):
    fixed_today(datetime.date(2016, 9, 15))  # fiscal year 2016-2017
    renewing = MemberFactory(name="A", fiscal_years=[2015, 2016])
    lapsed = MemberFactory(name="B", fiscal_years=[2014])
    newcomer = MemberFactory(name="C")
    renewed = MemberFactory(name="D", fiscal_years=[2016, 2017])

    response = renew(personnel_client, [renewing, lapsed, newcomer, renewed])

    assert response.status_code == 302
    assert years_of(renewing) == ["2015-2016", "2016-2017", "2017-2018"]
    assert years_of(lapsed) == ["2014-2015", "2015-2016"]
    assert years_of(newcomer) == ["2016-2017"]
    assert years_of(renewed) == ["2016-2017", "2017-2018"]
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "3 adhésions créées (2015-2016\u00a0: 1, 2016-2017\u00a0: 1, 2017-2018\u00a0: 1)\u00a0; "
        "1 membre ignoré\u00a0: déjà renouvelé pour l’exercice suivant."
    ]


def test_renewing_twice_does_not_run_a_year_further(personnel_client, fixed_today):
    fixed_today(datetime.date(2017, 3, 31))  # last day of 2016-2017
    member = MemberFactory(fiscal_years=[2016])
    renew(personnel_client, [member])
    response = renew(personnel_client, [member])
    assert years_of(member) == ["2016-2017", "2017-2018"]
    assert [str(m) for m in get_messages(response.wsgi_request)][-1] == (
        "0 adhésion créée\u00a0; 1 membre ignoré\u00a0: déjà renouvelé pour l’exercice suivant."
    )


def test_renew_leaves_dues_and_payment_empty(fixed_today):
    fixed_today(datetime.date(2016, 9, 15))
    member = MemberFactory()
    MembershipFactory(member=member, fiscal_year=FiscalYear(2016), dues=150, paid_on=datetime.date(2016, 5, 2))
    result = renew_memberships(members=Member.objects.all())
    renewal = Membership.objects.get(member=member, fiscal_year=FiscalYear(2017))
    assert (renewal.dues, renewal.paid_on) == (None, None)
    assert (result.created_count, result.skipped) == (1, 0)


def test_renew_from_a_list_filtered_on_an_earlier_year_still_starts_from_the_latest(personnel_client, fixed_today):
    fixed_today(datetime.date(2016, 9, 15))
    member = MemberFactory(fiscal_years=[2015, 2016])
    renew(personnel_client, [member], query="?exercice=2015-2016")
    assert years_of(member) == ["2015-2016", "2016-2017", "2017-2018"]


def test_renew_queries_do_not_grow_with_the_members(django_assert_num_queries, fixed_today):
    fixed_today(datetime.date(2016, 9, 15))
    few = [MemberFactory(fiscal_years=[2015]) for _ in range(2)]
    many = [MemberFactory(fiscal_years=[2015]) for _ in range(20)]
    with django_assert_num_queries(5):  # savepoint, members, latest years, insert, release
        renew_memberships(members=Member.objects.filter(pk__in=[m.pk for m in few]))
    with django_assert_num_queries(5):
        result = renew_memberships(members=Member.objects.filter(pk__in=[m.pk for m in many]))
    assert result.created_count == 20


def test_renew_is_offered_only_to_who_may_add_memberships(client):
    clerk = UserFactory(is_staff=True)
    clerk.user_permissions.set(
        Permission.objects.filter(codename__in=["view_member", "change_member", "delete_member"])
    )
    client.force_login(clerk)
    MemberFactory()
    choices = dict(client.get(reverse(CHANGELIST)).context["action_form"].fields["action"].choices)
    assert "delete_selected" in choices
    assert "renew" not in choices
    member = MemberFactory()
    response = renew(client, [member])
    assert response.status_code == 302
    assert not Membership.objects.filter(member=member).exists()


def test_personnel_is_offered_renew(personnel_client):
    MemberFactory()
    choices = dict(personnel_client.get(reverse(CHANGELIST)).context["action_form"].fields["action"].choices)
    assert choices["renew"] == "Renouveler pour l’exercice suivant"


# Filters


@pytest.mark.parametrize(
    ("key", "blank"),
    [
        ("territoire", {"territory": None}),
        ("forme-juridique", {"legal_form": ""}),
        ("milieu", {"setting": ""}),
        ("annee-fondation", {"founding_year": None}),
    ],
)
def test_missing_data_filter_keeps_the_years_members_lacking_it(personnel_client, key, blank):
    kept = MemberFactory(name="A", fiscal_years=[2016], **blank)
    MemberFactory(name="B", fiscal_years=[2015], **blank)
    MemberFactory(name="C", fiscal_years=[2016])
    assert changelist(personnel_client, manque=key, exercice="2016-2017") == [kept]


def test_membership_year_category_legal_form_and_setting_filters(personnel_client):
    kept = MemberFactory(
        name="A",
        fiscal_years=[2016],
        category=Member.Category.BUSINESS_GROUP,
        legal_form=Member.LegalForm.ASSOCIATION,
        setting=Member.Setting.RURAL,
    )
    MemberFactory(name="B", fiscal_years=[2016], category=Member.Category.BUSINESS_GROUP, setting=Member.Setting.RURAL)
    MemberFactory(
        name="C",
        fiscal_years=[2015],
        category=Member.Category.BUSINESS_GROUP,
        legal_form=Member.LegalForm.ASSOCIATION,
        setting=Member.Setting.RURAL,
    )
    params = {
        "exercice": "2016-2017",
        "category__exact": "business_group",
        "legal_form__exact": "association",
        "setting__exact": "rural",
    }
    assert changelist(personnel_client, **params) == [kept]


# Query counts: the daily changelists must not grow with their rows.


def _member(i):
    member = MemberFactory(fiscal_years=[2015, 2016], founding_year=None if i % 2 else 1990)
    ContactFactory.create_batch(2, member=member)


@pytest.mark.parametrize("params", ["", "?exercice=2016-2017&manque=annee-fondation"])
def test_member_changelist_queries_do_not_grow_with_the_rows(personnel_client, assert_constant_queries, params):
    response = assert_constant_queries(personnel_client, reverse(CHANGELIST) + params, _member)
    assert len(response.context["cl"].result_list) == (10 if params else 20)


@pytest.mark.parametrize(
    ("url_name", "build"),
    [
        ("admin:members_membership_changelist", lambda i: MembershipFactory(fiscal_year=FiscalYear(2000 + i))),
        ("admin:members_contact_changelist", lambda i: ContactFactory(user=UserFactory())),
        ("admin:members_boardmandate_changelist", lambda i: BoardMandateFactory()),
    ],
    ids=["memberships", "contacts", "board"],
)
def test_changelist_queries_do_not_grow_with_the_rows(personnel_client, assert_constant_queries, url_name, build):
    response = assert_constant_queries(personnel_client, reverse(url_name), build)
    assert len(response.context["cl"].result_list) == 20


def test_the_board_year_filter_offers_the_years_someone_was_in_office(personnel_client, fixed_today):
    from members.tests.factories import BoardMandateFactory

    fixed_today(datetime.date(2019, 6, 1))
    BoardMandateFactory(start_date=datetime.date(2014, 6, 15), end_date=datetime.date(2016, 6, 14))
    BoardMandateFactory(start_date=datetime.date(2018, 6, 15), end_date=None)  # still in office
    response = personnel_client.get(reverse("admin:members_boardmandate_changelist"))
    (year_filter,) = [
        spec for spec in response.context["cl"].filter_specs if getattr(spec, "parameter_name", "") == "exercice"
    ]
    assert [label for _value, label in year_filter.lookup_choices] == [
        "2019-2020",
        "2018-2019",
        "2016-2017",
        "2015-2016",
        "2014-2015",
    ]
