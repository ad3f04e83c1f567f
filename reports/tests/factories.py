import factory
from factory.django import DjangoModelFactory

from activities.tests.factories import ObjectiveFactory
from pole.fiscal_years import FiscalYear
from reports.models import AnnualReport, DeclaredFigure, Figure, ReportMessage, ReportVersion, SectionIntro, Signatory


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


class ReportVersionFactory(DjangoModelFactory):
    """A stored version with small files (their content is not a rendered report): for access tests."""

    class Meta:
        model = ReportVersion

    report = factory.SubFactory(AnnualReportFactory)
    number = 1
    pdf = factory.django.FileField(filename="rapport.pdf", data=b"%PDF-1.7\n%%EOF\n")
    pdf_sha256 = "0" * 64
    pdf_size = 15
    page_count = 1
    html = factory.django.FileField(filename="rapport.html", data=b"<!DOCTYPE html><title>Rapport</title>")
    html_sha256 = "0" * 64
    html_size = 37
    print_digest = "0" * 64
