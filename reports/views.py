import datetime
import re
import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST, require_safe

from pole.celery import enqueue_after_commit
from pole.fiscal_years import FiscalYear
from pole.formatting import format_date, format_file_size
from pole.page_cache import public_page
from reports.models import AnnualReport, Publication, ReportVersion
from reports.pdf import render_report_html, render_report_pdf
from reports.publishing import latest_publication, latest_version
from reports.readiness import readiness_check
from reports.report import build_report_context, get_report
from reports.services import create_annual_report, fiscal_years_with_data, request_publication

# Who may see what (DESIGN.md, Roles):
# - a published report: anyone, including anonymous visitors;
# - an unpublished one, or a year without a report: staff who may view annual
#   reports (Personnel, Direction); everyone else gets a 404, so drafts are not
#   even known to exist;
# - the readiness check, creating a year's report, publishing a version and following a
#   publication: Direction (permission reports.publish_annualreport);
# - earlier published versions' files: staff who may view annual reports.

STAFF_PERMISSION = "reports.view_annualreport"
# The publish form's one-time key (``secrets.token_hex(16)``); anything else is ignored.
REQUEST_KEY = re.compile(r"[0-9a-f]{32}")
# How long the readiness page announces a publication that has just ended.
JUST_DONE = datetime.timedelta(minutes=15)


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


@public_page
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
# The public report page shows it in a frame of the site's own page (same origin only).
ARCHIVED_PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "frame-ancestors {ancestors}; base-uri 'none'; form-action 'none'"
)


def _archived_file(version, kind, *, download_name=None, framed=False, inline_name=None):
    """Serve a version's file byte for byte; as a download named ``download_name`` when given.

    ``framed`` lets the site's own pages show the HTML file in a frame; ``inline_name`` names
    the file a visitor saves while it opens in the browser.
    """
    field = version.pdf if kind == "pdf" else version.html
    with field.open("rb") as file:
        data = file.read()
    if kind == "pdf":
        response = HttpResponse(data, content_type="application/pdf")
    else:
        response = HttpResponse(data, content_type="text/html; charset=utf-8")
        response["Content-Security-Policy"] = ARCHIVED_PAGE_POLICY.format(ancestors="'self'" if framed else "'none'")
    if download_name:
        response["Content-Disposition"] = f'attachment; filename="{download_name}"'
    elif inline_name:
        response["Content-Disposition"] = f'inline; filename="{inline_name}"'
    return response


@public_page
def annual_report(request, label):
    """The report page: a published report's latest version as adopted; a draft rendered live (staff).

    A published version shows inside the site's own page (its menu, the PDF, the way back),
    the archived file in a frame, byte for byte (``annual_report_file``). Staff may see a
    published year live with ``?direct=1`` (what the next version would be).
    """
    fiscal_year, report = _visible_report(request, label)
    version = latest_version(report)
    live = request.GET.get("direct") == "1" and request.user.has_perm(STAFF_PERMISSION)
    if version is not None and not live:
        return render(
            request,
            "reports/annual_report_page.html",
            {
                "fiscal_year": fiscal_year,
                "version": version,
                "published_on": format_date(timezone.localdate(version.published_at)),
                "pdf_size": format_file_size(version.pdf_size),
                "html_size": format_file_size(version.html_size),
                "can_check": request.user.has_perm("reports.publish_annualreport"),
                "can_see_live": request.user.has_perm(STAFF_PERMISSION),
            },
        )
    context = build_report_context(fiscal_year, report)
    context["can_check"] = request.user.has_perm("reports.publish_annualreport")
    return HttpResponse(render_report_html(context, request=request))


@require_safe
@xframe_options_sameorigin
@public_page
def annual_report_file(request, label):
    """Public: the published version's self-contained HTML file, byte for byte, as adopted.

    The report page frames it; saved from the browser, it is named like the PDF. A year
    without a published version has no such file (404).
    """
    fiscal_year, report = _visible_report(request, label)
    version = latest_version(report)
    if version is None:
        raise Http404(_("No published version of this annual report."))
    return _archived_file(version, "html", framed=True, inline_name=f"rapport-annuel-{fiscal_year.label}.html")


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
    """Start publishing the year's report (a new version) and return at once to the readiness page.

    The rendering runs in a task (reports/tasks.py); the page follows it and ends on the new
    version or on the reason it failed. A click while one runs, or the same click sent twice
    (its form's ``request_key``), starts nothing more.
    """
    fiscal_year = _fiscal_year(label)
    report = get_object_or_404(AnnualReport, fiscal_year=fiscal_year)
    key = request.POST.get("request_key", "")
    publication, created = request_publication(
        report=report, by=request.user, key=key if REQUEST_KEY.fullmatch(key) else None
    )
    if not created and publication.is_active:
        messages.info(request, _("A publication of this report is already in progress: here it is."))
    return redirect(reverse("reports:readiness", args=[fiscal_year.label]) + "#publication")


def published_message(version):
    return _("Version %(number)s of the %(year)s report is published: the public pages now serve it.") % {
        "number": version.number,
        "year": version.report.fiscal_year.label,
    }


def publication_message(publication):
    """What the page says of a publication, in French: in progress, published, or why it failed."""
    if publication.status == Publication.Status.QUEUED:
        return _("Publication in progress… requested at %(time)s, waiting for a worker.") % {
            "time": format_time(publication.requested_at)
        }
    if publication.status == Publication.Status.RUNNING:
        return _(
            "Publication in progress… the archival PDF and the HTML file are being made (started at %(time)s)."
        ) % {"time": format_time(publication.started_at)}
    if publication.status == Publication.Status.DONE:
        return published_message(publication.version)
    return _("The publication requested at %(time)s did not go through: nothing was published.") % {
        "time": format_time(publication.requested_at)
    }


def format_time(moment):
    return formats.time_format(timezone.localtime(moment), "TIME_FORMAT")


@login_required
@permission_required("reports.publish_annualreport", raise_exception=True)
def publication_status(request, label):
    """The year's latest publication, as JSON, for the readiness page's script that follows it."""
    fiscal_year = _fiscal_year(label)
    publication = latest_publication(get_report(fiscal_year))
    if publication is None:
        data = {"state": "none", "active": False, "message": ""}
    else:
        data = {
            "state": publication.status,
            "active": publication.is_active,
            "message": str(publication_message(publication)),
            "version": publication.version.number if publication.version_id else None,
            "publication": publication.pk,
        }
    response = JsonResponse(data)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@permission_required("reports.publish_annualreport", raise_exception=True)
@never_cache
def readiness(request, label):
    """The readiness check; right after publishing, it opens on the new version's confirmation.

    Never cached: going back to it after publishing (or after an edit in another tab) reads it afresh.
    """
    fiscal_year = _fiscal_year(label)
    context = readiness_check(fiscal_year)
    publication = latest_publication(context["report"])
    if context["can_preview"] and not settings.CELERY_TASK_ALWAYS_EAGER and latest_version(context["report"]) is None:
        # A worker renders the draft's PDF into the cache while the Direction reads this page:
        # « Télécharger le PDF » is then served at once (reports/tasks.py). Without workers the
        # link renders it, as before, rather than this page waiting for it.
        enqueue_after_commit("reports.tasks.prepare_report_pdf", fiscal_year.label)
    context.update(
        {
            "publication": publication,
            "publication_message": publication_message(publication) if publication else "",
            "publication_failed": publication is not None and publication.status == Publication.Status.FAILED,
            # Just published (the page the click or the script lands on): said in a box of its own.
            "publication_done": publication is not None
            and publication.status == Publication.Status.DONE
            and publication.finished_at > timezone.now() - JUST_DONE,
            # One key per rendering of the page: each of its publish buttons is one click.
            "request_key": secrets.token_hex(16),
        }
    )
    # Just published: the new version, its pages and size, and what comes next — said once to each
    # person, and on each page that followed the publication (its script reloads it with
    # ?publiee=<pk>, then drops the parameter); the page read again shows the versions' table alone.
    seen = request.session.get("publications_confirmed", [])
    followed = request.GET.get("publiee") == str(publication.pk) if publication else False
    if context["publication_done"] and (publication.pk not in seen or followed):
        context["just_published"] = publication.version
        context["publication_followed"] = followed  # its script drops ?publiee= from the address
        request.session["publications_confirmed"] = [*seen[-9:], publication.pk]
    else:
        context["just_published"] = None
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
