import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from activities.tests.factories import ObjectiveFactory
from pole.fiscal_years import FiscalYear
from reports.models import (
    DECLARED_ONLY_FIGURES,
    DEFAULT_TAGLINE,
    AnnualReport,
    DeclaredFigure,
    Figure,
    ReportMessage,
    SectionIntro,
)
from reports.tests.factories import (
    AnnualReportFactory,
    DeclaredFigureFactory,
    ReportMessageFactory,
    SectionIntroFactory,
    SignatoryFactory,
)

pytestmark = pytest.mark.django_db


def test_one_annual_report_per_fiscal_year():
    AnnualReport.objects.create(fiscal_year=FiscalYear(2016))
    with pytest.raises(IntegrityError), transaction.atomic():
        AnnualReport.objects.create(fiscal_year=FiscalYear(2016))


def test_new_report_is_unpublished_with_the_network_tagline():
    report = AnnualReport.objects.create(fiscal_year=FiscalYear(2016))
    report.refresh_from_db()
    assert report.is_published is False
    assert report.published_at is None
    assert report.tagline == DEFAULT_TAGLINE
    assert report.fiscal_year == FiscalYear(2016)


def test_reports_list_newest_year_first():
    for year in (2015, 2017, 2016):
        AnnualReportFactory(fiscal_year=FiscalYear(year))
    assert [r.fiscal_year for r in AnnualReport.objects.all()] == [FiscalYear(2017), FiscalYear(2016), FiscalYear(2015)]


def test_annual_report_str_names_the_year():
    report = AnnualReportFactory.build(fiscal_year=FiscalYear(2016))
    with translation.override("en"):
        assert str(report) == "Annual report 2016-2017"


def test_annual_report_has_a_publish_permission():
    with translation.override("en"):
        permissions = [(codename, str(name)) for codename, name in AnnualReport._meta.permissions]
    assert permissions == [("publish_annualreport", "Can publish and export annual reports")]


def test_one_message_of_each_kind_per_report(violates):
    report = AnnualReportFactory()
    ReportMessageFactory(report=report, kind=ReportMessage.Kind.PRESIDENTS)
    ReportMessageFactory(report=report, kind=ReportMessage.Kind.DIRECTOR)
    with violates(ReportMessage, "reports_reportmessage_unique_kind"):
        ReportMessageFactory(report=report, kind=ReportMessage.Kind.PRESIDENTS)


def test_message_signatories_keep_their_order():
    message = ReportMessageFactory()
    SignatoryFactory(message=message, name="Second", order=2)
    SignatoryFactory(message=message, name="Premier", order=1)
    assert [s.name for s in message.signatories.all()] == ["Premier", "Second"]


def test_message_and_signatory_str():
    message = ReportMessageFactory(report__fiscal_year=FiscalYear(2016), kind=ReportMessage.Kind.DIRECTOR)
    with translation.override("en"):
        assert str(message) == "Message from the director — 2016-2017"
    assert str(SignatoryFactory.build(name="Luc Gagnon", role="Directeur général")) == "Luc Gagnon, Directeur général"


def test_one_section_introduction_per_objective_and_report(violates):
    report = AnnualReportFactory()
    objective = ObjectiveFactory()
    SectionIntroFactory(report=report, objective=objective)
    with violates(SectionIntro, "reports_sectionintro_unique_objective"):
        SectionIntroFactory(report=report, objective=objective)


def test_section_introductions_follow_the_objectives_order():
    report = AnnualReportFactory()
    SectionIntroFactory(report=report, objective=ObjectiveFactory(name="Deuxième", order=2))
    SectionIntroFactory(report=report, objective=ObjectiveFactory(name="Premier", order=1))
    assert [intro.objective.name for intro in report.section_intros.all()] == ["Premier", "Deuxième"]


def test_one_declared_value_per_figure_and_report(violates):
    report = AnnualReportFactory()
    DeclaredFigureFactory(report=report, figure=Figure.SOCIAL_MEDIA)
    with violates(DeclaredFigure, "reports_declaredfigure_unique_figure"):
        DeclaredFigureFactory(report=report, figure=Figure.SOCIAL_MEDIA, value=40)


def test_declared_figure_cannot_be_negative(violates):
    with violates(DeclaredFigure, "reports_declaredfigure_value_not_negative"):
        DeclaredFigureFactory(figure=Figure.MEMBERS, value=-1)


def test_declared_membership_growth_may_be_negative():
    figure = DeclaredFigureFactory(figure=Figure.MEMBERSHIP_GROWTH, value=-12)
    figure.refresh_from_db()
    assert figure.value == -12


def test_declared_figure_keeps_one_decimal():
    figure = DeclaredFigureFactory(figure=Figure.AVERAGE_AGE, value="17.5")
    figure.refresh_from_db()
    assert str(figure.value) == "17.5"


def test_declared_figure_validation_refuses_a_negative_count():
    figure = DeclaredFigureFactory.build(report=AnnualReportFactory(), figure=Figure.PARTICIPANTS, value=-3)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        figure.validate_constraints()
    assert caught.value.messages == ["Constraint “reports_declaredfigure_value_not_negative” is violated."]


def test_only_social_media_and_businesses_reached_are_declared_only():
    assert DECLARED_ONLY_FIGURES == {Figure.SOCIAL_MEDIA, Figure.BUSINESSES_REACHED}


def test_declared_figure_str():
    figure = DeclaredFigureFactory.build(figure=Figure.SOCIAL_MEDIA, value=37)
    with translation.override("en"):
        assert str(figure) == "social media (%): 37"


def test_deleting_a_report_deletes_its_content():
    report = AnnualReportFactory()
    SignatoryFactory(message=ReportMessageFactory(report=report))
    SectionIntroFactory(report=report)
    DeclaredFigureFactory(report=report)
    report.delete()
    assert (ReportMessage.objects.count(), SectionIntro.objects.count(), DeclaredFigure.objects.count()) == (0, 0, 0)
