import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pole.fiscal_years import FiscalYearField
from pole.images import SafeImageField
from pole.storage import private_storage

DEFAULT_TAGLINE = "Votre regroupement d'affaires des coopératives, des mutuelles et des entreprises associatives"


class Figure(models.TextChoices):
    """Every figure the report can print; the statistics module computes all but the last two."""

    MEMBERS = "members", _("members")
    AVERAGE_AGE = "average_age", _("average age (years)")
    RURAL_SHARE = "rural_share", _("rural share (%)")
    BUSINESS_GROUPS = "business_groups", _("business groups")
    ASSOCIATIVE_SHARE = "associative_share", _("associative share (%)")
    MEMBERSHIP_GROWTH = "membership_growth", _("membership growth (%)")
    NEW_MEMBERS = "new_members", _("new members")
    ACTIVITIES = "activities", _("activities")
    PARTICIPANTS = "participants", _("participants")
    SOCIAL_MEDIA = "social_media", _("social media (%)")
    BUSINESSES_REACHED = "businesses_reached", _("businesses reached")


# Figures only a person can give: the data holds nothing to compute them from.
DECLARED_ONLY_FIGURES = {Figure.SOCIAL_MEDIA, Figure.BUSINESSES_REACHED}


class AnnualReport(models.Model):
    """The editorial part of one fiscal year's annual report."""

    fiscal_year = FiscalYearField(_("fiscal year"), unique=True)
    tagline = models.CharField(_("tagline"), max_length=255, default=DEFAULT_TAGLINE, blank=True)
    cover_photo = SafeImageField(
        _("cover photo"),
        upload_to="reports/covers/",
        blank=True,
        help_text=_("Optional. A landscape photo fills the cover's middle; without one, shapes in the network's colours do."),
    )
    cover_photo_credit = models.CharField(_("cover photo credit"), max_length=200, blank=True)
    cover_photo_description = models.CharField(
        _("cover photo description"),
        max_length=255,
        blank=True,
        help_text=_("What the photo shows, for readers who cannot see it."),
    )
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("A published report can be read by anyone.")
    )
    published_at = models.DateTimeField(_("published on"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-fiscal_year"]
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        permissions = [("publish_annualreport", _("Can publish and export annual reports"))]

    def __str__(self):
        return _("Annual report %(year)s") % {"year": self.fiscal_year}


class ReportMessage(models.Model):
    """A signed message opening the report (presidents', director's)."""

    class Kind(models.TextChoices):
        PRESIDENTS = "presidents", _("Message from the presidents")
        DIRECTOR = "director", _("Message from the director")

    report = models.ForeignKey(
        AnnualReport, verbose_name=_("annual report"), on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(_("message"), max_length=20, choices=Kind.choices)
    heading = models.CharField(
        _("heading"), max_length=100, blank=True, help_text=_("Leave empty for « Mot des présidents » etc.")
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Separate paragraphs with an empty line."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["report", "order", "id"]
        verbose_name = _("report message")
        verbose_name_plural = _("report messages")
        constraints = [
            models.UniqueConstraint(fields=["report", "kind"], name="reports_reportmessage_unique_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.report.fiscal_year}"


class Signatory(models.Model):
    """A person signing a message, with the role printed under the name."""

    message = models.ForeignKey(
        ReportMessage, verbose_name=_("message"), on_delete=models.CASCADE, related_name="signatories"
    )
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=150)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["message", "order", "id"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")

    def __str__(self):
        return f"{self.name}, {self.role}"


class SectionIntro(models.Model):
    """The introduction of an objective's section in one report: title, text, photo."""

    report = models.ForeignKey(
        AnnualReport, verbose_name=_("annual report"), on_delete=models.CASCADE, related_name="section_intros"
    )
    objective = models.ForeignKey(
        "activities.Objective", verbose_name=_("objective"), on_delete=models.CASCADE, related_name="section_intros"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True, help_text=_("Separate paragraphs with an empty line."))
    photo = SafeImageField(_("photo"), upload_to="reports/", blank=True)
    photo_caption = models.CharField(_("photo caption"), max_length=300, blank=True)

    class Meta:
        ordering = ["report", "objective__order"]
        verbose_name = _("section introduction")
        verbose_name_plural = _("section introductions")
        constraints = [
            models.UniqueConstraint(fields=["report", "objective"], name="reports_sectionintro_unique_objective"),
        ]

    def __str__(self):
        return f"{self.objective} — {self.report.fiscal_year}"


class DeclaredFigure(models.Model):
    """A figure the report prints in place of the computed one, or that data cannot give."""

    report = models.ForeignKey(
        AnnualReport, verbose_name=_("annual report"), on_delete=models.CASCADE, related_name="declared_figures"
    )
    figure = models.CharField(_("figure"), max_length=30, choices=Figure.choices)
    value = models.DecimalField(_("declared value"), max_digits=12, decimal_places=1)
    note = models.CharField(_("source or reason"), max_length=255, blank=True)

    class Meta:
        ordering = ["report", "figure"]
        verbose_name = _("declared figure")
        verbose_name_plural = _("declared figures")
        constraints = [
            models.UniqueConstraint(fields=["report", "figure"], name="reports_declaredfigure_unique_figure"),
            models.CheckConstraint(
                condition=Q(value__gte=0) | Q(figure=Figure.MEMBERSHIP_GROWTH),
                name="reports_declaredfigure_value_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.get_figure_display()}: {self.value}"


def version_upload_to(version, filename):
    """An archived file under a random folder of the private storage: only the views serve it."""
    return f"reports/versions/{secrets.token_hex(16)}/{filename}"


class ReportVersion(models.Model):
    """A published state of a year's report, frozen: the PDF and the self-contained HTML rendered once.

    The public pages serve the latest version's files byte for byte, whatever is edited
    afterwards. ``print_digest`` (SHA-256 of the print HTML) and ``snapshot`` (what a
    director reads: figures, activities, texts) let the readiness check tell whether the
    live data would now print differently, and what changed.
    """

    report = models.ForeignKey(
        AnnualReport, verbose_name=_("annual report"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    published_at = models.DateTimeField(_("published on"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    pdf = models.FileField(_("PDF"), upload_to=version_upload_to, storage=private_storage)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64)
    pdf_size = models.PositiveIntegerField(_("PDF size (bytes)"))
    page_count = models.PositiveSmallIntegerField(_("pages"))
    html = models.FileField(_("HTML"), upload_to=version_upload_to, storage=private_storage)
    html_sha256 = models.CharField(_("HTML SHA-256"), max_length=64)
    html_size = models.PositiveIntegerField(_("HTML size (bytes)"))
    print_digest = models.CharField(max_length=64, editable=False)
    snapshot = models.JSONField(default=dict, editable=False)

    class Meta:
        ordering = ["report", "-number"]
        verbose_name = _("published version")
        verbose_name_plural = _("published versions")
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="reports_reportversion_unique_number"),
        ]

    def __str__(self):
        return _("%(report)s, version %(number)s") % {"report": self.report, "number": self.number}


class PublicationQuerySet(models.QuerySet):
    def active(self):
        """Publications queued or running: at most one per report (a database constraint)."""
        return self.filter(status__in=[Publication.Status.QUEUED, Publication.Status.RUNNING])


class Publication(models.Model):
    """One request to publish a report (a click), carried out by a task: queued, running, done or failed.

    Publishing renders the archival PDF and the self-contained HTML, seconds or minutes of work:
    the click records this and returns at once, a worker does the rest (``reports.tasks``), and the
    readiness page follows it. At most one runs per report; the task claims it before working, and
    the version it makes is saved in the same transaction as its « done », so a task run twice, or a
    click sent twice (the same ``request_key``), makes one version.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", pgettext_lazy("publication status", "failed")

    report = models.ForeignKey(
        AnnualReport, verbose_name=_("annual report"), on_delete=models.CASCADE, related_name="publications"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested on"), default=timezone.now)
    # The form's one-time key: a second POST of the same click finds this publication.
    request_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    started_at = models.DateTimeField(_("started on"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished on"), null=True, blank=True)
    version = models.OneToOneField(
        ReportVersion,
        verbose_name=_("published version"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="publication",
    )
    error = models.TextField(_("error"), blank=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["report", "-requested_at", "-pk"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.UniqueConstraint(
                fields=["report"],
                condition=models.Q(status__in=["queued", "running"]),
                name="reports_publication_one_at_a_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(version__isnull=False),
                name="reports_publication_done_has_version",
            ),
        ]

    def __str__(self):
        return _("Publication of %(report)s (%(status)s)") % {"report": self.report, "status": self.get_status_display()}

    @property
    def is_active(self):
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
