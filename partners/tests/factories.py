import factory
from factory.django import DjangoModelFactory

from partners.models import Affiliation, CommitteeSeat, Organisation, Partnership
from pole.fiscal_years import FiscalYear


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    website = factory.Sequence(lambda n: f"https://organisation{n}.exemple.org")


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = Partnership

    organisation = factory.SubFactory(OrganisationFactory)
    fiscal_year = FiscalYear(2016)
    category = Partnership.Category.PUBLIC
    amount = None
    order = 0


class AffiliationFactory(DjangoModelFactory):
    class Meta:
        model = Affiliation

    organisation = factory.SubFactory(OrganisationFactory)
    fiscal_year = FiscalYear(2016)


class CommitteeSeatFactory(DjangoModelFactory):
    class Meta:
        model = CommitteeSeat

    name = factory.Sequence(lambda n: f"Comité {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    fiscal_year = FiscalYear(2016)
