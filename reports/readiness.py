"""What the director checks before exporting a year's report: figures and missing data."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from activities.models import Activity
from members.models import BoardMandate, Member, StaffMember
from partners.models import Partnership
from pole.fiscal_years import FiscalYear
from reports.models import DECLARED_ONLY_FIGURES, Figure
from reports.report import format_figure, get_report
from reports.statistics import year_figures


def _admin_url(instance):
    meta = instance._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[instance.pk])


def _missing(instance, label, problems):
    return {"label": label, "problems": problems, "url": _admin_url(instance)}


def readiness_check(fiscal_year):
    """Return the declared figures beside the computed ones, and every record missing data."""
    fiscal_year = FiscalYear.parse(fiscal_year)
    report = get_report(fiscal_year)
    figures = year_figures(fiscal_year)
    declared = {d.figure: d for d in report.declared_figures.all()} if report else {}

    figure_rows = []
    for figure, label in Figure.choices:
        computed = figures.value(figure)
        entry = declared.get(figure)
        figure_rows.append(
            {
                "label": label,
                "computed": "—" if figure in DECLARED_ONLY_FIGURES else format_figure(figure, computed),
                "declared": format_figure(figure, entry.value) if entry else "",
                "note": entry.note if entry else "",
                "differs": bool(entry) and figure not in DECLARED_ONLY_FIGURES and entry.value != computed,
            }
        )

    activities = []
    for activity in (
        Activity.objects.in_fiscal_year(fiscal_year)
        .select_related("territory")
        .annotate(objective_count=Count("objectives"), measure_count=Count("measures"))
        .order_by("start_date")
    ):
        problems = []
        if not activity.objective_count:
            problems.append(_("no objective"))
        if activity.participants is None and not activity.measure_count:
            problems.append(_("no participants"))
        if activity.territory is None:
            problems.append(_("no territory"))
        if problems:
            activities.append(_missing(activity, str(activity), problems))

    members = []
    incomplete = Q(founding_year__isnull=True) | Q(legal_form="") | Q(setting="")
    for member in Member.objects.filter(incomplete, memberships__fiscal_year=fiscal_year):
        problems = []
        if member.founding_year is None:
            problems.append(_("no founding year"))
        if not member.legal_form:
            problems.append(_("no legal form"))
        if not member.setting:
            problems.append(_("no setting (urban or rural)"))
        members.append(_missing(member, member.name, problems))

    partners = [
        _missing(p.organisation, p.organisation.name, [_("no logo")])
        for p in Partnership.objects.in_fiscal_year(fiscal_year).select_related("organisation__member")
        if not p.organisation.display_logo
    ]
    people = [
        _missing(person, person.name, [_("no photo")])
        for model in (BoardMandate, StaffMember)
        for person in model.objects.in_fiscal_year(fiscal_year).filter(photo="")
    ]
    return {
        "fiscal_year": fiscal_year,
        "report": report,
        "figure_rows": figure_rows,
        "activities": activities,
        "members": members,
        "partners": partners,
        "people": people,
        "problem_count": len(activities) + len(members) + len(partners) + len(people),
    }
