"""Publishing freezes a year's report: its PDF and self-contained HTML are rendered once and kept.

An annual report is adopted at the annual general meeting; after that it must not change.
Each publication stores a numbered ``ReportVersion`` (files, SHA-256, size, page count, who
and when). The public pages serve the latest version's files byte for byte; drafts keep
rendering live. ``drift`` tells whether the live data would now print differently from the
published version, and what changed, in the words of a director.
"""

import datetime
import hashlib
import io
import logging
from dataclasses import dataclass, field

import pikepdf
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from activities.models import Activity, ProjectYear
from pole.celery import enqueue_after_commit
from pole.formatting import format_date
from reports.models import AnnualReport, Figure, Publication, ReportVersion
from reports.pdf import render_report_html, render_report_pdf
from reports.report import build_report_context, get_report, tile_label
from reports.standalone import render_standalone_html

logger = logging.getLogger(__name__)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def print_digest(context):
    """The SHA-256 of the print HTML, which holds every printed datum and the images' addresses."""
    return sha256(render_report_html(context, for_print=True, stylesheets_given=True).encode("utf-8"))


def count_pages(pdf):
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return len(document.pages)


def report_snapshot(fiscal_year, context):
    """What a director reads in a report, as plain data: figures, activities, messages, projects.

    Two queries besides the context; stored with each version to describe later changes.
    """
    activities = {
        str(activity.pk): {"date": activity.start_date.isoformat(), "title": activity.title, "role": activity.role}
        for activity in Activity.objects.in_fiscal_year(fiscal_year).only("pk", "start_date", "title", "role")
    }
    projects = {
        str(text.project_id): {"title": text.project.title, "body": text.body}
        for text in ProjectYear.objects.filter(fiscal_year=fiscal_year).select_related("project")
    }
    return {
        "figures": {str(row["label"]): row["value"] for row in context["year_over_year"]},
        "tiles": {str(tile.label): tile.text for tile in [*context["portrait_tiles"], *context["highlight_tiles"]]},
        "activities": activities,
        "messages": {str(message["heading"]): message["title"] for message in context["messages"]},
        "message_texts": {str(message["heading"]): message["paragraphs"] for message in context["messages"]},
        "projects": projects,
    }


def _activity_label(entry):
    day = format_date(datetime.date.fromisoformat(entry["date"]))
    return f"{day} — {entry['title']}"


def _figure_values(snapshot):
    """A snapshot's printed figures, one per figure: ``{key: (name, text)}``.

    The year-over-year table (« Croissance du membership (%) ») and the tiles (« croissance du
    membership ») print the same figures under two wordings; both are read back to the figure
    they show, so that a change is told once. A label this version of the code does not know
    (a snapshot taken in another language, a wording since changed) stays a figure of its own.
    """
    names = {}
    for figure in Figure:
        name = str(figure.label).removesuffix(" (%)")
        names[str(figure.label).casefold()] = (figure.value, name)
        names[str(tile_label(figure)).casefold()] = (figure.value, name)
    values = {}
    # The table first: it names every figure; tiles add the figures only declared (social media…).
    for group in ("figures", "tiles"):
        for label, text in snapshot.get(group, {}).items():
            key, name = names.get(label.casefold(), (label, label))
            values.setdefault(key, (name, text))
    return values


def describe_changes(before, after):
    """List, in a director's words, what differs between two snapshots; each change once."""
    changes = []
    old_figures = _figure_values(before)
    for key, (name, value) in _figure_values(after).items():
        old = old_figures.get(key)
        if old is not None and old[1] != value:
            changes.append(
                _("%(figure)s: %(old)s → %(new)s") % {"figure": name[:1].upper() + name[1:], "old": old[1], "new": value}
            )
    old_activities, new_activities = before.get("activities", {}), after.get("activities", {})
    for key, entry in new_activities.items():
        old = old_activities.get(key)
        if old is None:
            changes.append(_("Activity added: %(activity)s") % {"activity": _activity_label(entry)})
        elif old["title"] != entry["title"]:
            changes.append(
                _("Activity renamed: « %(old)s » → « %(new)s »") % {"old": old["title"], "new": entry["title"]}
            )
        elif old["date"] != entry["date"] or old["role"] != entry["role"]:
            changes.append(_("Activity changed: %(activity)s") % {"activity": _activity_label(entry)})
    for key, entry in old_activities.items():
        if key not in new_activities:
            changes.append(_("Activity removed: %(activity)s") % {"activity": _activity_label(entry)})
    for heading, title in after.get("messages", {}).items():
        if heading not in before.get("messages", {}):
            changes.append(_("Message added: %(heading)s") % {"heading": heading})
        elif before["messages"][heading] != title or before.get("message_texts", {}).get(heading) != after.get(
            "message_texts", {}
        ).get(heading):
            changes.append(_("Message rewritten: %(heading)s") % {"heading": heading})
    for heading in before.get("messages", {}):
        if heading not in after.get("messages", {}):
            changes.append(_("Message removed: %(heading)s") % {"heading": heading})
    old_projects, new_projects = before.get("projects", {}), after.get("projects", {})
    for key, entry in new_projects.items():
        if key not in old_projects:
            changes.append(_("Project added: %(project)s") % {"project": entry["title"]})
        elif old_projects[key] != entry:
            changes.append(_("Project text changed: %(project)s") % {"project": entry["title"]})
    for key, entry in old_projects.items():
        if key not in new_projects:
            changes.append(_("Project removed: %(project)s") % {"project": entry["title"]})
    return changes


@dataclass
class Drift:
    """How the live data would print against the latest published version."""

    version: ReportVersion
    differs: bool
    changes: list = field(default_factory=list)

    @property
    def layout_only(self):
        """The print differs but no figure, activity, message or project does: photos, layout, the app."""
        return self.differs and not self.changes


def drift(report, *, context=None):
    """Return the ``Drift`` of ``report`` against its latest version, or None if it has none."""
    version = report.versions.order_by("-number").first()
    if version is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        context = context or build_report_context(report.fiscal_year)
        if print_digest(context) == version.print_digest:
            return Drift(version, differs=False)
        return Drift(
            version,
            differs=True,
            changes=describe_changes(version.snapshot, report_snapshot(report.fiscal_year, context)),
        )


@transaction.atomic
def publish(*, report, by=None, published_at=None):
    """Render ``report`` once (archival PDF, self-contained HTML), store it as the next version, publish it.

    The report is rendered in the site's language (French), whoever publishes. Returns the
    new ``ReportVersion``.
    """
    fiscal_year = report.fiscal_year
    with translation.override(settings.LANGUAGE_CODE):
        context = build_report_context(fiscal_year, get_report(fiscal_year))
        pdf = render_report_pdf(fiscal_year, context=context, archival=True, use_cache=False)
        html = render_standalone_html(fiscal_year, context=context).encode("utf-8")
        digest = print_digest(context)
        snapshot = report_snapshot(fiscal_year, context)
    number = (report.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = ReportVersion(
        report=report,
        number=number,
        published_at=published_at or timezone.now(),
        published_by=by,
        pdf_sha256=sha256(pdf),
        pdf_size=len(pdf),
        page_count=count_pages(pdf),
        html_sha256=sha256(html),
        html_size=len(html),
        print_digest=digest,
        snapshot=snapshot,
    )
    stem = f"rapport-annuel-{fiscal_year.label}-v{number}"
    version.pdf.save(f"{stem}.pdf", ContentFile(pdf), save=False)
    version.html.save(f"{stem}.html", ContentFile(html), save=False)
    version.save()
    report.is_published = True
    report.published_at = version.published_at
    report.save(update_fields=["is_published", "published_at", "updated_at"])
    return version


def latest_version(report):
    """The version the public sees: the latest, when the report is published; else None."""
    if report is None or not report.is_published:
        return None
    return report.versions.order_by("-number").first()


# --- Publishing as a task: one click, one publication, one version ----------------------------

# A publication running longer than this was cut short (its worker died): it is marked failed so
# that the Direction can start another. Publishing the demo year takes seconds, `--scale 20` about
# ten; this leaves room for a far larger year on a busy worker.
STALE_RUNNING = datetime.timedelta(minutes=30)
# A publication queued longer than this while no worker took it is queued again (its message was
# lost, or the broker was away when it was clicked): the claim makes a second message harmless.
REQUEUE_AFTER = datetime.timedelta(minutes=2)


class PublicationInterrupted(Exception):
    """The publication was marked failed while it ran: its version is rolled back."""


def _queue(publication):
    enqueue_after_commit("reports.tasks.publish_report", publication.pk)


def give_up_stale_publications(*, now=None):
    """Mark failed the publications running since longer than ``STALE_RUNNING``; return their number."""
    now = now or timezone.now()
    return Publication.objects.filter(status=Publication.Status.RUNNING, started_at__lt=now - STALE_RUNNING).update(
        status=Publication.Status.FAILED,
        finished_at=now,
        error="Interrupted: the publication did not finish (the worker stopped).",
    )


def request_publication(*, report, by=None, key=None):
    """Record a request to publish ``report`` and queue its task; return ``(publication, created)``.

    The click's answer does not wait for the rendering. While a publication of the report is
    queued or running, no other starts: that one is returned (``created`` False); so is the
    publication of the same ``key`` (the form's one-time key, a click sent twice).
    """
    with transaction.atomic():
        AnnualReport.objects.select_for_update().get(pk=report.pk)
        if key:
            same_click = Publication.objects.filter(request_key=key).first()
            if same_click is not None:
                return same_click, False
        give_up_stale_publications()
        running = report.publications.active().first()
        if running is not None:
            return running, False
        try:
            with transaction.atomic():
                publication = Publication.objects.create(report=report, requested_by=by, request_key=key or None)
        except IntegrityError:
            # A request in parallel (SQLite does not lock the row): its publication is this click's.
            existing = Publication.objects.filter(request_key=key).first() if key else None
            return existing or report.publications.active().get(), False
        _queue(publication)
    return publication, True


def run_publication(pk):
    """Carry out the publication ``pk`` if it is still queued; return it, or None if another run has it.

    Claimed first (queued → running, one conditional UPDATE), so a task run twice publishes once;
    the version and the publication's « done » are saved in one transaction, so a publication
    ends with exactly one version or none. A failure is recorded on the publication (and logged),
    never raised: the readiness page shows it with a button to try again.
    """
    claimed = Publication.objects.filter(pk=pk, status=Publication.Status.QUEUED).update(
        status=Publication.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    publication = Publication.objects.select_related("report", "requested_by").get(pk=pk)
    try:
        with transaction.atomic():
            version = publish(report=publication.report, by=publication.requested_by)
            finished = Publication.objects.filter(pk=pk, status=Publication.Status.RUNNING).update(
                status=Publication.Status.DONE, version=version, finished_at=timezone.now()
            )
            if not finished:
                raise PublicationInterrupted(f"Publication {pk} was marked failed while it ran.")
    except Exception as error:  # noqa: BLE001 — recorded for the Direction, who can try again
        logger.exception("Publication %s of %s failed", pk, publication.report)
        Publication.objects.filter(pk=pk, status=Publication.Status.RUNNING).update(
            status=Publication.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{error.__class__.__name__}: {error}"[:2000],
        )
    publication.refresh_from_db()
    return publication


def resume_publications(*, now=None):
    """Mark failed the publications cut short; queue again those waiting too long. Return both counts."""
    now = now or timezone.now()
    stale = give_up_stale_publications(now=now)
    waiting = list(Publication.objects.filter(status=Publication.Status.QUEUED, requested_at__lt=now - REQUEUE_AFTER))
    for publication in waiting:
        _queue(publication)
    return stale, len(waiting)


def latest_publication(report):
    """The report's latest publication request (to follow or to report on), or None."""
    if report is None:
        return None
    return report.publications.select_related("version", "requested_by").order_by("-requested_at", "-pk").first()
