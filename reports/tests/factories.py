import io

import factory
from django.core.files.base import ContentFile
from factory.django import DjangoModelFactory
from PIL import Image

from activities.tests.factories import ObjectiveFactory
from members.models import BoardMandate, StaffMember
from partners.models import Organisation
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


def _picture(size, colour, image_format):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format=image_format)
    return buffer.getvalue()


def give_portraits_and_logos():
    """A portrait for every board member and staff member, a logo for every partner, and a
    photo for every activity and section introduction that has a caption.

    The demo has none (the seed's pictures are not reproduced, and a report never shows a
    picture that is not the event); a network that has them prints them, and the tests of
    images, alternative texts and sizes need them. Plain colour fields: test data only.
    """
    from activities.models import Activity
    from reports.models import SectionIntro

    for holder in [*Activity.objects.exclude(photo_caption=""), *SectionIntro.objects.exclude(photo_caption="")]:
        holder.photo.save("photo.jpg", ContentFile(_picture((900, 600), "#1d6f86", "JPEG")), save=True)
    for person in [*BoardMandate.objects.all(), *StaffMember.objects.all()]:
        person.photo_consent = True
        person.photo.save("portrait.jpg", ContentFile(_picture((300, 300), "#3d6b7a", "JPEG")), save=True)
    for organisation in Organisation.objects.filter(partnerships__isnull=False).distinct():
        organisation.logo.save("logo.png", ContentFile(_picture((480, 320), "#b35e2d", "PNG")), save=True)
