"""The annual report's tasks: publishing (the archival PDF and the self-contained HTML), and its watchdog."""

import logging

from celery import shared_task

from reports import publishing

logger = logging.getLogger(__name__)


@shared_task(name="reports.tasks.publish_report")
def publish_report(pk):
    """Carry out the publication ``pk`` (queued by the click); run twice, it publishes once."""
    publication = publishing.run_publication(pk)
    return publication.status if publication is not None else None


@shared_task(name="reports.tasks.resume_publications")
def resume_publications():
    """Every five minutes: fail the publications cut short, queue again those no worker took."""
    stale, requeued = publishing.resume_publications()
    if stale or requeued:
        logger.info("Publications: %s interrupted, %s queued again", stale, requeued)
    return {"interrupted": stale, "requeued": requeued}


@shared_task(name="reports.tasks.prepare_report_pdf")
def prepare_report_pdf(label):
    """Render a draft year's PDF into the cache, so that its « Télécharger le PDF » is served at once.

    Queued when the Direction opens the year's readiness page (with workers only: without a
    broker it would hold the page). An unchanged report is found in the cache in milliseconds
    (reports/pdf.py keys it by what it prints), so running this twice costs nothing. A published
    year's PDF is its archived file, made at publication: nothing to do. Return what it did.
    """
    from django.conf import settings
    from django.utils import translation

    from pole.fiscal_years import FiscalYear
    from reports.pdf import render_report_pdf
    from reports.report import build_report_context, get_report

    fiscal_year = FiscalYear.parse(label)
    report = get_report(fiscal_year)
    if publishing.latest_version(report) is not None:
        return "published"
    # The language the readiness page's link downloads it in: the site's, French.
    with translation.override(settings.LANGUAGE_CODE):
        render_report_pdf(fiscal_year, context=build_report_context(fiscal_year, report))
    return "ready"
