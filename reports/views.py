from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from pole.fiscal_years import FiscalYear
from reports.models import AnnualReport, ReportVersion
from reports.pdf import render_report_html, render_report_pdf
from reports.publishing import latest_version
from reports.readiness import readiness_check
from reports.report import build_report_context, get_report
from reports.services import create_annual_report, fiscal_years_with_data, publish_report

# Who may see what (DESIGN.md, Roles):
# - a published report: anyone, including anonymous visitors;
# - an unpublished one, or a year without a report: staff who may view annual
#   reports (Personnel, Direction); everyone else gets a 404, so drafts are not
#   even known to exist;
# - the readiness check, creating a year's report and publishing a version: Direction
#   (permission reports.publish_annualreport);
# - earlier published versions' files: staff who may view annual reports.

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


# The archived HTML file carries its styles, fonts and images inline (it is read from disk as
# well); served by the app, it gets a policy of its own that allows exactly that, and no script.
ARCHIVED_PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)


def _archived_file(version, kind, *, download_name=None):
    """Serve a version's file byte for byte; as a download named ``download_name`` when given."""
    field = version.pdf if kind == "pdf" else version.html
    with field.open("rb") as file:
        data = file.read()
    if kind == "pdf":
        response = HttpResponse(data, content_type="application/pdf")
    else:
        response = HttpResponse(data, content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = ARCHIVED_PAGE_POLICY
    if download_name:
        response["Content-Disposition"] = f'attachment; filename="{download_name}"'
    return response


def annual_report(request, label):
    """The report page: a published report's latest version as adopted; a draft rendered live (staff).

    Staff may see a published year live with ``?direct=1`` (what the next version would be).
    """
    fiscal_year, report = _visible_report(request, label)
    version = latest_version(report)
    live = request.GET.get("direct") == "1" and request.user.has_perm(STAFF_PERMISSION)
    if version is not None and not live:
        return _archived_file(version, "html")
    context = build_report_context(fiscal_year, report)
    context["can_check"] = request.user.has_perm("reports.publish_annualreport")
    return HttpResponse(render_report_html(context, request=request))


def annual_report_pdf(request, label):
    """The PDF: a published report's latest version, byte for byte; a draft rendered live (staff)."""
    fiscal_year, report = _visible_report(request, label)
    version = latest_version(report)
    if version is not None:
        return _archived_file(version, "pdf", download_name=f"rapport-annuel-{fiscal_year.label}.pdf")
    pdf = render_report_pdf(fiscal_year, context=build_report_context(fiscal_year, report))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="rapport-annuel-{fiscal_year.label}.pdf"'
    return response


@login_required
@permission_required(STAFF_PERMISSION, raise_exception=True)
def version_file(request, label, number, kind):
    """Staff: any published version's PDF or HTML, with its number in the file name."""
    fiscal_year = _fiscal_year(label)
    version = get_object_or_404(ReportVersion, report__fiscal_year=fiscal_year, number=number)
    return _archived_file(version, kind, download_name=f"rapport-annuel-{fiscal_year.label}-v{number}.{kind}")


@login_required
@permission_required("reports.publish_annualreport", raise_exception=True)
@require_POST
def publish(request, label):
    """Publish the year's report (a new version when the data changed since the last one)."""
    fiscal_year = _fiscal_year(label)
    report = get_object_or_404(AnnualReport, fiscal_year=fiscal_year)
    version = publish_report(report=report, by=request.user)
    # The readiness page, read afresh, confirms the version once (and says what comes next).
    request.session[JUST_PUBLISHED] = version.pk
    return redirect(f"{reverse('reports:readiness', args=[fiscal_year.label])}#publication-title")


# The session key naming the version the Direction has just published, shown once by the readiness page.
JUST_PUBLISHED = "reports_just_published"


@login_required
@permission_required("reports.publish_annualreport", raise_exception=True)
@never_cache
def readiness(request, label):
    """The readiness check; right after publishing, it opens on the new version's confirmation.

    Never cached: going back to it after publishing (or after an edit in another tab) reads it afresh.
    """
    fiscal_year = _fiscal_year(label)
    context = readiness_check(fiscal_year)
    published = request.session.pop(JUST_PUBLISHED, None)
    context["just_published"] = next(
        (version for version in context["versions"] if version.pk == published), None
    )
    return render(request, "reports/readiness.html", context)


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
