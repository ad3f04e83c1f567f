"""What the director checks before exporting a year's report: figures and missing data."""

from django.urls import reverse
from django.utils.translation import gettext as _

from activities.models import Activity
from members.models import BoardMandate, Member, StaffMember
from partners.models import Partnership
from pole.fiscal_years import FiscalYear
from reports.missing_data import activity_checks, member_checks, partnership_checks, records_missing
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

    # The same definitions as the dashboard's and the admin lists' « données manquantes ».
    activities = [
        _missing(activity, str(activity), activity.missing)
        for activity in records_missing(
            Activity.objects.in_fiscal_year(fiscal_year).select_related("territory").order_by("start_date"),
            activity_checks(),
        )
    ]
    members = [
        _missing(member, member.name, member.missing)
        for member in records_missing(Member.objects.in_fiscal_year(fiscal_year).order_by("name"), member_checks())
    ]
    partners = [
        _missing(partnership.organisation, partnership.organisation.name, partnership.missing)
        for partnership in records_missing(
            Partnership.objects.in_fiscal_year(fiscal_year).select_related("organisation"), partnership_checks()
        )
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
