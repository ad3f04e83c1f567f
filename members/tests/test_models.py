import datetime

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from members.models import BoardMandate, Member, Membership, StaffMember, Territory, User
from members.roles import DIRECTION, PERSONNEL
from members.tests.factories import (
    BoardMandateFactory,
    ContactFactory,
    MemberFactory,
    MembershipFactory,
    StaffMemberFactory,
    TerritoryFactory,
    UserFactory,
)
from pole.fiscal_years import FiscalYear

pytestmark = pytest.mark.django_db


# Users


def test_user_is_identified_by_email():
    assert User.USERNAME_FIELD == "email"
    assert "username" not in {field.name for field in User._meta.get_fields()}
    assert User.REQUIRED_FIELDS == []


def test_create_user_lowercases_the_email():
    user = User.objects.create_user("Marie.Tremblay@Exemple.ORG", "mot-de-passe")
    user.refresh_from_db()
    assert user.email == "marie.tremblay@exemple.org"
    assert user.check_password("mot-de-passe")
    assert (user.is_staff, user.is_superuser) == (False, False)


def test_create_user_requires_an_email():
    with pytest.raises(ValueError, match="An e-mail address is required"):
        User.objects.create_user("", "mot-de-passe")


def test_create_superuser_is_staff_and_superuser():
    user = User.objects.create_superuser("admin@exemple.org", "mot-de-passe")
    assert (user.is_staff, user.is_superuser) == (True, True)


def test_login_with_the_email_in_another_case(rf):
    User.objects.create_user("marie@exemple.org", "mot-de-passe")
    user = authenticate(rf.get("/"), email="Marie@Exemple.org", password="mot-de-passe")
    assert user is not None and user.email == "marie@exemple.org"


def test_two_users_cannot_share_an_email():
    User.objects.create_user("marie@exemple.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("marie@exemple.org")


def test_user_clean_normalises_the_email():
    user = User(email="  Luc@Exemple.ORG ")
    user.clean()
    assert user.email == "luc@exemple.org"


def test_user_str_is_the_full_name_or_else_the_email():
    assert str(User(email="marie@exemple.org", first_name="Marie", last_name="Tremblay")) == "Marie Tremblay"
    assert str(User(email="marie@exemple.org")) == "marie@exemple.org"


# Role groups (created by reports/migrations/0002_role_groups.py)


@pytest.mark.parametrize(
    "permission",
    [
        "activities.add_activity",
        "activities.change_activity",
        "activities.add_measure",
        "activities.add_project",
        "activities.change_campaign",
        "members.add_member",
        "members.change_member",
        "members.add_membership",
        "members.change_contact",
        "members.add_boardmandate",
        "members.change_boardmandate",
        "members.add_staffmember",
        "members.change_staffmember",
        "partners.add_partnership",
        "partners.change_partnership",
        "partners.add_organisation",
        "reports.view_annualreport",
        "activities.view_objective",
    ],
)
def test_personnel_may(personnel_user, permission):
    assert personnel_user.has_perm(permission)


@pytest.mark.parametrize(
    "permission",
    [
        "reports.change_annualreport",
        "reports.add_annualreport",
        "reports.publish_annualreport",
        "reports.change_declaredfigure",
        "members.add_user",
        "members.change_user",
        "members.view_user",
        "activities.change_objective",
        "auth.change_group",
    ],
)
def test_personnel_may_not(personnel_user, permission):
    assert not personnel_user.has_perm(permission)


@pytest.mark.parametrize(
    "permission",
    [
        "reports.change_annualreport",
        "reports.add_annualreport",
        "reports.publish_annualreport",
        "reports.change_reportmessage",
        "reports.add_declaredfigure",
        "members.add_user",
        "members.change_user",
        "activities.change_objective",
        "activities.add_activity",
        "members.change_member",
        "partners.change_partnership",
        "auth.view_group",
    ],
)
def test_direction_may(direction_user, permission):
    assert direction_user.has_perm(permission)


def test_direction_may_not_change_groups(direction_user):
    assert not direction_user.has_perm("auth.change_group")


def test_direction_holds_every_permission_of_personnel():
    from django.contrib.auth.models import Group

    personnel = set(Group.objects.get(name=PERSONNEL).permissions.values_list("id", flat=True))
    direction = set(Group.objects.get(name=DIRECTION).permissions.values_list("id", flat=True))
    assert personnel < direction


# Territories


def test_territory_names_are_unique_whatever_the_case(violates):
    TerritoryFactory(name="Portneuf")
    with violates(Territory, "members_territory_unique_name"):
        TerritoryFactory(name="PORTNEUF")


# Members


def test_member_names_are_unique_whatever_the_case(violates):
    MemberFactory(name="Coopérative funéraire des Deux Rives")
    with violates(Member, "members_member_unique_name"):
        # Only ASCII letters change case: SQLite's LOWER() leaves « É » as it is.
        MemberFactory(name="coopérative funéraire des deux rives")


def test_member_founding_year_must_be_plausible(violates):
    with violates(Member, "members_member_founding_year_plausible"):
        MemberFactory(founding_year=1700)


def test_member_clean_refuses_a_founding_year_in_the_future():
    member = MemberFactory.build(founding_year=timezone.localdate().year + 1, territory=None)
    with pytest.raises(ValidationError) as caught:
        member.full_clean()
    assert list(caught.value.message_dict) == ["founding_year"]


def test_member_clean_accepts_this_year_as_founding_year():
    member = MemberFactory.build(founding_year=timezone.localdate().year, territory=None)
    member.full_clean()


def test_member_clean_refuses_a_name_differing_only_by_case():
    MemberFactory(name="Coop Les Jardins")
    member = MemberFactory.build(name="COOP les jardins", territory=None)
    with pytest.raises(ValidationError) as caught:
        member.full_clean()
    assert list(caught.value.message_dict) == ["name"]


def test_member_clean_collapses_spaces_before_looking_for_a_duplicate():
    MemberFactory(name="Coop Les Jardins")
    member = MemberFactory.build(name="  Coop   Les Jardins ", territory=None)
    with pytest.raises(ValidationError) as caught:
        member.full_clean()
    assert list(caught.value.message_dict) == ["name"]
    assert member.name == "Coop Les Jardins"


def test_member_clean_lets_a_member_keep_its_own_name():
    member = MemberFactory(name="Coop Les Jardins")
    member.name = "COOP LES JARDINS"
    member.full_clean()


def test_member_age_is_counted_at_the_end_of_the_fiscal_year():
    member = MemberFactory.build(founding_year=2000)
    assert member.age_in(FiscalYear(2016)) == 17
    assert member.age_in("2016-2017") == 17
    assert MemberFactory.build(founding_year=None).age_in(FiscalYear(2016)) is None


def test_member_in_fiscal_year_keeps_members_of_that_year_once():
    both = MemberFactory(name="Both", fiscal_years=[2015, 2016])
    MemberFactory(name="Earlier", fiscal_years=[2015])
    MemberFactory(name="Later", fiscal_years=[2017])
    MemberFactory(name="Never")
    assert list(Member.objects.in_fiscal_year(FiscalYear(2016))) == [both]
    assert list(Member.objects.in_fiscal_year("2015-2016").values_list("name", flat=True)) == ["Both", "Earlier"]


def test_member_with_first_year_gives_the_first_membership():
    MemberFactory(name="Ancien", fiscal_years=[2016, 2014, 2015])
    MemberFactory(name="Nouveau", fiscal_years=[2016])
    MemberFactory(name="Jamais")
    first = dict(Member.objects.with_first_year().values_list("name", "first_fiscal_year"))
    assert first == {"Ancien": FiscalYear(2014), "Nouveau": FiscalYear(2016), "Jamais": None}


def test_first_year_after_in_fiscal_year_still_sees_earlier_memberships():
    MemberFactory(name="Ancien", fiscal_years=[2015, 2016])
    MemberFactory(name="Nouveau", fiscal_years=[2016])
    first = dict(
        Member.objects.in_fiscal_year(FiscalYear(2016)).with_first_year().values_list("name", "first_fiscal_year")
    )
    assert first == {"Ancien": FiscalYear(2015), "Nouveau": FiscalYear(2016)}


def test_first_year_before_in_fiscal_year_sees_earlier_memberships():
    MemberFactory(name="Ancien", fiscal_years=[2015, 2016])
    MemberFactory(name="Nouveau", fiscal_years=[2016])
    MemberFactory(name="Parti", fiscal_years=[2014])
    first = dict(
        Member.objects.with_first_year().in_fiscal_year(FiscalYear(2016)).values_list("name", "first_fiscal_year")
    )
    assert first == {"Ancien": FiscalYear(2015), "Nouveau": FiscalYear(2016)}


def test_member_with_membership_count():
    MemberFactory(name="Ancien", fiscal_years=[2014, 2015, 2016])
    ContactFactory.create_batch(2, member=Member.objects.get())
    assert Member.objects.with_membership_count().get().membership_count == 3


# Memberships


def test_one_membership_per_member_and_year(violates):
    member = MemberFactory()
    MembershipFactory(member=member, fiscal_year=FiscalYear(2016))
    with violates(Membership, "members_membership_unique_member_year"):
        MembershipFactory(member=member, fiscal_year=FiscalYear(2016))


def test_same_member_may_hold_memberships_in_two_years():
    member = MemberFactory(fiscal_years=[2015, 2016])
    assert member.memberships.count() == 2


def test_membership_dues_cannot_be_negative(violates):
    with violates(Membership, "members_membership_dues_not_negative"):
        MembershipFactory(dues=-1)


def test_membership_str_names_member_and_year():
    membership = MembershipFactory(member__name="Coop Les Jardins", fiscal_year=FiscalYear(2016))
    assert str(membership) == "Coop Les Jardins — 2016-2017"


def test_memberships_list_newest_year_first():
    member = MemberFactory(fiscal_years=[2014, 2016, 2015])
    assert [m.fiscal_year for m in member.memberships.all()] == [FiscalYear(2016), FiscalYear(2015), FiscalYear(2014)]


# Contacts


def test_contact_str_is_the_person_name():
    assert str(ContactFactory.build(first_name="Luc", last_name="Gagnon")) == "Luc Gagnon"


def test_deleting_a_contact_user_keeps_the_contact():
    contact = ContactFactory(user=UserFactory())
    contact.user.delete()
    contact.refresh_from_db()
    assert contact.user is None


# Board mandates and staff


def test_board_mandate_cannot_end_before_it_starts(violates):
    with violates(BoardMandate, "members_boardmandate_end_after_start"):
        BoardMandateFactory(start_date=datetime.date(2016, 6, 1), end_date=datetime.date(2016, 5, 31))


def test_board_mandate_may_end_the_day_it_starts():
    BoardMandateFactory(start_date=datetime.date(2016, 6, 1), end_date=datetime.date(2016, 6, 1))


def test_staff_member_cannot_leave_before_arriving(violates):
    with violates(StaffMember, "members_staffmember_end_after_start"):
        StaffMemberFactory(start_date=datetime.date(2016, 6, 1), end_date=datetime.date(2016, 5, 31))


@pytest.mark.parametrize("factory", [BoardMandateFactory, StaffMemberFactory])
def test_period_clean_refuses_an_end_before_the_start(factory):
    row = factory.build(start_date=datetime.date(2016, 6, 1), end_date=datetime.date(2016, 5, 31))
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    assert list(caught.value.message_dict) == ["end_date"]


def test_board_mandates_in_fiscal_year_are_those_overlapping_it():
    def mandate(name, start, end):
        return BoardMandateFactory(name=name, start_date=start, end_date=end)

    mandate("ended the day before", datetime.date(2014, 6, 1), datetime.date(2016, 3, 31))
    mandate("ended on the first day", datetime.date(2014, 6, 1), datetime.date(2016, 4, 1))
    mandate("started on the last day", datetime.date(2017, 3, 31), None)
    mandate("started the day after", datetime.date(2017, 4, 1), None)
    mandate("spans the year", datetime.date(2015, 6, 1), datetime.date(2018, 6, 1))
    mandate("within the year", datetime.date(2016, 6, 1), datetime.date(2016, 12, 1))
    mandate("no dates", None, None)
    mandate("no start, ended before", None, datetime.date(2016, 3, 31))
    mandate("no start, still on", None, None)
    names = set(BoardMandate.objects.in_fiscal_year("2016-2017").values_list("name", flat=True))
    assert names == {
        "ended on the first day",
        "started on the last day",
        "spans the year",
        "within the year",
        "no dates",
        "no start, still on",
    }


def test_staff_in_fiscal_year_uses_the_same_overlap():
    StaffMemberFactory(name="Parti", start_date=datetime.date(2010, 1, 1), end_date=datetime.date(2016, 3, 31))
    StaffMemberFactory(name="En poste", start_date=datetime.date(2010, 1, 1), end_date=None)
    assert list(StaffMember.objects.in_fiscal_year(FiscalYear(2016)).values_list("name", flat=True)) == ["En poste"]


def test_board_mandate_str_shows_the_role():
    mandate = BoardMandateFactory.build(name="Marie Tremblay", role=BoardMandate.Role.TREASURER_F)
    with translation.override("en"):
        assert str(mandate) == "Marie Tremblay (treasurer)"


def test_staff_member_str_shows_the_title():
    assert (
        str(StaffMemberFactory.build(name="Luc Gagnon", title="Directeur général")) == "Luc Gagnon (Directeur général)"
    )


def test_board_and_staff_list_in_their_order():
    BoardMandateFactory(name="B", order=2)
    BoardMandateFactory(name="A", order=3)
    BoardMandateFactory(name="C", order=1)
    assert list(BoardMandate.objects.values_list("name", flat=True)) == ["C", "B", "A"]
