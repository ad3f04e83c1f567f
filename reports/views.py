from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pole.fiscal_years import FiscalYear
from reports.models import AnnualReport
from reports.pdf import render_report_html, render_report_pdf
from reports.readiness import readiness_check
from reports.report import build_report_context, get_report
from reports.services import create_annual_report, fiscal_years_with_data

# Who may see what (DESIGN.md, Roles):
# - a published report: anyone, including anonymous visitors;
# - an unpublished one, or a year without a report: staff who may view annual
#   reports (Personnel, Direction); everyone else gets a 404, so drafts are not
#   even known to exist;
# - the readiness check, and creating a year's report from it: Direction (permission
#   reports.publish_annualreport).

STAFF_PERMISSION = "reports.view_annualreport"


def _fiscal_year(label):
    try:
        return FiscalYear.parse(label)
    except ValueError:
        raise Http404(_("No such fiscal year.")) from None


def _visible_report(request, label):
    fiscal_year = _fiscal_year(label)
    report = get_report(fiscal_year)
    if report and report.is_published:
        return fiscal_year, report
    if request.user.has_perm(STAFF_PERMISSION) and fiscal_year in fiscal_years_with_data():
        return fiscal_year, report
    raise Http404(_("No annual report for this fiscal year."))


def report_list(request):
    """Public: the published reports; staff: every fiscal year with data, published or not."""
    published = set(AnnualReport.objects.filter(is_published=True).values_list("fiscal_year", flat=True))
    if request.user.has_perm(STAFF_PERMISSION):
        years = sorted(fiscal_years_with_data() | published, reverse=True)
    else:
        years = sorted(published, reverse=True)
    rows = [{"fiscal_year": year, "is_published": year in published} for year in years]
    return render(request, "reports/report_list.html", {"rows": rows})


def annual_report(request, label):
    fiscal_year, report = _visible_report(request, label)
    context = build_report_context(fiscal_year, report)
    context["can_check"] = request.user.has_perm("reports.publish_annualreport")
    return HttpResponse(render_report_html(context, request=request))


def annual_report_pdf(request, label):
    fiscal_year, report = _visible_report(request, label)
    pdf = render_report_pdf(fiscal_year, context=build_report_context(fiscal_year, report))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="rapport-annuel-{fiscal_year.label}.pdf"'
    return response


@login_required
@permission_required("reports.publish_annualreport", raise_exception=True)
def readiness(request, label):
    fiscal_year = _fiscal_year(label)
    return render(request, "reports/readiness.html", readiness_check(fiscal_year))


@login_required
@permission_required("reports.publish_annualreport", raise_exception=True)
@require_POST
def create_report(request, label):
    """Create the fiscal year's annual report (from the readiness check) and open it in the admin."""
    fiscal_year = _fiscal_year(label)
    report, created = create_annual_report(fiscal_year=fiscal_year)
    if created:
        messages.success(request, _("The %(year)s annual report is created: write its messages.") % {"year": label})
    return redirect(reverse("admin:reports_annualreport_change", args=[report.pk]))
