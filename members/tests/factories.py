import datetime

import factory
from factory.django import DjangoModelFactory

from members.models import BoardMandate, Contact, Member, Membership, Sector, StaffMember, Territory, User
from pole.fiscal_years import FiscalYear


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.org")
    first_name = "Marie"
    last_name = factory.Sequence(lambda n: f"Tremblay{n}")
    password = factory.django.Password("mot-de-passe-de-test")

    @factory.post_generation
    def groups(self, create, names, **kwargs):
        """``UserFactory(groups=["Personnel"])`` puts the user in existing groups by name."""
        if create and names:
            from django.contrib.auth.models import Group

            self.groups.set(Group.objects.filter(name__in=names))


class TerritoryFactory(DjangoModelFactory):
    class Meta:
        model = Territory

    name = factory.Sequence(lambda n: f"Territoire {n}")
    order = factory.Sequence(lambda n: n)


class SectorFactory(DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("key",)

    name = factory.Sequence(lambda n: f"Secteur {n}")
    key = factory.LazyAttribute(lambda sector: Sector.key_for(sector.name))


def sector_named(name):
    """The sector called ``name`` (created if new), or None for an empty name."""
    return SectorFactory(name=name) if name else None


class MemberFactory(DjangoModelFactory):
    """``MemberFactory(sector="Apiculture")`` takes a sector's name as well as a ``Sector``."""

    class Meta:
        model = Member
        skip_postgeneration_save = True

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        if isinstance(kwargs.get("sector"), str):
            kwargs["sector"] = sector_named(kwargs["sector"])
        return kwargs

    name = factory.Sequence(lambda n: f"Coopérative {n}")
    legal_form = Member.LegalForm.COOPERATIVE
    category = Member.Category.REGULAR
    founding_year = 2000
    territory = factory.SubFactory(TerritoryFactory)
    setting = Member.Setting.URBAN
    sector = "Alimentation"

    @factory.post_generation
    def fiscal_years(self, create, years, **kwargs):
        """``MemberFactory(fiscal_years=[2015, 2016])`` gives one membership per year."""
        if create and years:
            for year in years:
                Membership.objects.create(member=self, fiscal_year=FiscalYear.parse(year))


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    member = factory.SubFactory(MemberFactory)
    fiscal_year = FiscalYear(2016)
    dues = 100
    paid_on = datetime.date(2016, 5, 2)


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    member = factory.SubFactory(MemberFactory)
    first_name = "Luc"
    last_name = factory.Sequence(lambda n: f"Gagnon{n}")
    role = "Directeur général"
    email = factory.Sequence(lambda n: f"contact{n}@exemple.org")


class BoardMandateFactory(DjangoModelFactory):
    class Meta:
        model = BoardMandate

    name = factory.Sequence(lambda n: f"Administratrice {n}")
    role = BoardMandate.Role.DIRECTOR_F
    organisation = "Coopérative funéraire"
    start_date = datetime.date(2015, 6, 10)
    end_date = None
    order = factory.Sequence(lambda n: n)


class StaffMemberFactory(DjangoModelFactory):
    class Meta:
        model = StaffMember

    name = factory.Sequence(lambda n: f"Employé {n}")
    title = "Agent de développement et de communications"
    start_date = datetime.date(2014, 9, 1)
    end_date = None
    order = factory.Sequence(lambda n: n)


class RepresentativeFactory(ContactFactory):
    """A contact holding an active, non-staff portal account under the contact's e-mail.

    The account's password is ``mot-de-passe-de-test`` (UserFactory's).
    """

    user = factory.SubFactory(
        UserFactory,
        email=factory.SelfAttribute("..email"),
        first_name=factory.SelfAttribute("..first_name"),
        last_name=factory.SelfAttribute("..last_name"),
    )


def _invitation_token_hash(invitation):
    from members.models import Invitation

    return Invitation.hash_token(invitation.token)


def _in_a_week():
    from django.utils import timezone

    return timezone.now() + datetime.timedelta(days=7)


class InvitationFactory(DjangoModelFactory):
    """A pending invitation whose link token is ``token-<n>``."""

    class Meta:
        model = "members.Invitation"
        exclude = ["token"]

    contact = factory.SubFactory(ContactFactory)
    email = factory.SelfAttribute("contact.email")
    token = factory.Sequence(lambda n: f"token-{n}")
    token_hash = factory.LazyAttribute(_invitation_token_hash)
    expires_at = factory.LazyFunction(_in_a_week)
