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
