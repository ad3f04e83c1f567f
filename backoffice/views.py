"""The site's home page: the network presented to anyone who arrives (public)."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from activities.selectors import calendar_activities
from members.selectors import directory_members, directory_scope
from pole.formatting import format_period
from pole.page_cache import public_page
from reports.models import AnnualReport, Figure
from reports.report import format_figure, printed_values, tile_label
from reports.statistics import year_figures


@require_safe
@public_page
def home(request):
    """Public: the network presented — who it is, its latest published report and its key
    figures, its next events, the member directory, and the way in for staff and members.

    A fixed number of queries: the latest report, the year's figures (reports.statistics),
    the next three events, the directory's scope and count.
    """
    latest = (
        AnnualReport.objects.filter(is_published=True).prefetch_related("declared_figures").order_by("-fiscal_year").first()
    )
    figures = []
    if latest is not None:
        declared = {d.figure: d.value for d in latest.declared_figures.all()}
        values = printed_values(year_figures(latest.fiscal_year), declared)
        for figure in (Figure.MEMBERS, Figure.ACTIVITIES, Figure.PARTICIPANTS, Figure.NEW_MEMBERS):
            if values.get(figure) is not None:
                figures.append({"text": format_figure(figure, values[figure]), "label": tile_label(figure)})
    scope = directory_scope()
    upcoming, _past, _fiscal_year = calendar_activities()
    events = [
        {"pk": activity.pk, "when": format_period(activity.start_date, activity.end_date), "title": activity.title}
        for activity in upcoming[:3]
    ]
    return render(
        request,
        "backoffice/home.html",
        {
            "events": events,
            "latest_report": latest,
            "figures": figures,
            "directory_count": directory_members(scope).count() if scope.fiscal_years else 0,
        },
    )
