import factory
from factory.django import DjangoModelFactory

from activities.tests.factories import ObjectiveFactory
from pole.fiscal_years import FiscalYear
from reports.models import AnnualReport, DeclaredFigure, Figure, ReportMessage, SectionIntro, Signatory


class AnnualReportFactory(DjangoModelFactory):
    class Meta:
        model = AnnualReport
        django_get_or_create = ["fiscal_year"]

    fiscal_year = factory.Sequence(lambda n: FiscalYear(1990 + n))


class ReportMessageFactory(DjangoModelFactory):
    class Meta:
        model = ReportMessage

    report = factory.SubFactory(AnnualReportFactory)
    kind = ReportMessage.Kind.PRESIDENTS
    title = "Une année de croissance"
    body = "Premier paragraphe.\n\nDeuxième paragraphe."


class SignatoryFactory(DjangoModelFactory):
    class Meta:
        model = Signatory

    message = factory.SubFactory(ReportMessageFactory)
    name = factory.Sequence(lambda n: f"Signataire {n}")
    role = "Coprésident"


class SectionIntroFactory(DjangoModelFactory):
    class Meta:
        model = SectionIntro

    report = factory.SubFactory(AnnualReportFactory)
    objective = factory.SubFactory(ObjectiveFactory)
    title = "Consolidation du Pôle"


class DeclaredFigureFactory(DjangoModelFactory):
    class Meta:
        model = DeclaredFigure

    report = factory.SubFactory(AnnualReportFactory)
    figure = Figure.SOCIAL_MEDIA
    value = 37
