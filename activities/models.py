import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pole.collation import french_order
from pole.fields import PhoneField
from pole.fiscal_years import FiscalYear, FiscalYearField
from pole.images import SafeImageField
from pole.text import normalize_email_identifier


class Objective(models.Model):
    """One of the network's strategic objectives; each is a section of the annual report."""

    class ReportBlock(models.TextChoices):
        NONE = "", _("activities, projects and campaigns only")
        PORTRAIT = "portrait", _("member portrait and highlights")
        NETWORK = "network", _("affiliations and committees")

    name = models.CharField(_("name"), max_length=150)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    report_block = models.CharField(
        _("also shows in the report"),
        max_length=20,
        choices=ReportBlock.choices,
        blank=True,
        help_text=_("Extra content printed in this objective's section of the annual report."),
    )

    class Meta:
        ordering = ["order", french_order("name")]
        verbose_name = _("strategic objective")
        verbose_name_plural = _("strategic objectives")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="activities_objective_unique_name"),
        ]

    def __str__(self):
        return self.name


class ActivityQuerySet(models.QuerySet):
    def in_fiscal_year(self, fiscal_year):
        """Keep activities starting in ``fiscal_year`` (the start date decides)."""
        fiscal_year = FiscalYear.parse(fiscal_year)
        return self.filter(start_date__range=(fiscal_year.start_date, fiscal_year.end_date))

    def reported(self):
        """Keep activities the network carried out or co-organised (not mere representation)."""
        return self.filter(role__in=Activity.REPORTED_ROLES)

    def for_listing(self):
        """Fetch what a list of activities prints: territory, objectives, measures, partners."""
        return self.select_related("territory").prefetch_related("objectives", "measures", "partners")

    def with_counted_participants(self):
        """Annotate ``counted_participants``, ``attendance`` and ``registration_count``.

        An activity with registrations (any not cancelled, walk-ins included) counts its
        attendance: the registrations marked present (walk-ins are). Without registrations, the
        number staff typed (unknown: None). Correlated subqueries, no extra query per row.
        """
        return self.annotate(
            registration_count=registration_count_expression(),
            attendance=attendance_expression(),
            counted_participants=counted_participants_expression(),
        )

    def open_for_registration(self):
        """Keep the activities whose registration is open (flag set, deadline not passed)."""
        now = timezone.now()
        return self.filter(registration_open=True).filter(
            Q(registration_deadline__isnull=True) | Q(registration_deadline__gte=now)
        )


def _registrations():
    return Registration.objects.filter(activity=OuterRef("pk")).exclude(status=Registration.Status.CANCELLED)


def registration_count_expression():
    """The activity's registrations not cancelled (walk-ins included), as a subquery."""
    counted = _registrations().order_by().values("activity").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def attendance_expression():
    """The activity's registrations marked present (walk-ins are), as a subquery."""
    present = _registrations().filter(present=True).order_by().values("activity").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(present, output_field=IntegerField()), Value(0))


def counted_participants_expression():
    """The participants an activity counts for the figures (DESIGN.md, extended).

    With registrations (not cancelled): its attendance; without: the typed number (None if unknown).
    """
    return Case(
        When(Exists(_registrations()), then=attendance_expression()),
        default=F("participants"),
        output_field=IntegerField(),
    )


class Activity(models.Model):
    """An event the network organised, co-organised or attended."""

    class Role(models.TextChoices):
        REALISATION = "realisation", _("carried out")
        CO_REALISATION = "co_realisation", _("co-organised")
        REPRESENTATION = "representation", _("representation")

    REPORTED_ROLES = (Role.REALISATION, Role.CO_REALISATION)
    # An activity belongs to the fiscal year its start date falls in (forms offer that year).
    fiscal_year_date_field = "start_date"

    start_date = models.DateField(_("date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=255)
    territory = models.ForeignKey(
        "members.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    role = models.CharField(_("network's role"), max_length=20, choices=Role.choices, default=Role.REALISATION)
    objectives = models.ManyToManyField(Objective, verbose_name=_("objectives"), related_name="activities", blank=True)
    partners = models.ManyToManyField(
        "partners.Organisation",
        verbose_name=_("co-organising partners"),
        related_name="activities",
        blank=True,
    )
    participants = models.PositiveIntegerField(
        _("participants"), null=True, blank=True, help_text=_("Number of persons; leave empty if unknown.")
    )
    participants_label = models.CharField(
        _("participants described as"),
        max_length=100,
        blank=True,
        help_text=_("Printed after the number instead of « participants », e.g. « étudiants participants »."),
    )
    description = models.TextField(_("description"), blank=True)
    photo = SafeImageField(_("photo"), upload_to="activities/", blank=True)
    photo_caption = models.CharField(_("photo caption"), max_length=300, blank=True)
    # Registration: an event of the public calendar is an activity that opens it.
    registration_open = models.BooleanField(
        _("registration open"),
        default=False,
        help_text=_("The activity is shown in the public calendar and people may register online."),
    )
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Seats; once they are taken, registrations join the waiting list. Empty: no limit."),
    )
    registration_deadline = models.DateTimeField(_("registration deadline"), null=True, blank=True)
    member_price = models.DecimalField(
        _("price for members"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("In dollars; 0 if free. Payment is recorded by staff, not taken online."),
    )
    non_member_price = models.DecimalField(
        _("price for non-members"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    non_members_allowed = models.BooleanField(_("non-members may register"), default=True)
    public_description = models.TextField(
        _("public description"), blank=True, help_text=_("Shown on the event's public page.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["start_date", french_order("title")]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.UniqueConstraint(fields=["start_date", "title"], name="activities_activity_unique_date_title"),
            models.CheckConstraint(
                condition=Q(participants__isnull=True) | Q(participants__gte=0),
                name="activities_activity_participants_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="activities_activity_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="activities_activity_capacity_positive",
            ),
            models.CheckConstraint(
                condition=Q(member_price__gte=0) & Q(non_member_price__gte=0),
                name="activities_activity_prices_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.start_date:%Y-%m-%d} — {self.title}"

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot be before the start date.")})
        if self.photo_caption and not self.photo:
            raise ValidationError({"photo_caption": _("A caption needs a photo.")})
        if self.start_time and self.end_time and not self.end_date and self.end_time < self.start_time:
            raise ValidationError({"end_time": _("The end time cannot be before the start time.")})
        if self.end_time and not self.start_time:
            raise ValidationError({"start_time": _("Give the start time too.")})

    def registration_closed_reason(self, *, now=None):
        """Why no one may register now (a translated sentence), or None when registration is open."""
        now = now or timezone.now()
        if not self.registration_open:
            return _("Registration is not open for this activity.")
        if self.registration_deadline and now > self.registration_deadline:
            return _("Registration closed on the deadline.")
        if (self.end_date or self.start_date) < timezone.localdate(now):
            return _("This activity is over.")
        return None

    @property
    def fiscal_year(self):
        return FiscalYear.containing(self.start_date)


class Measure(models.Model):
    """A labelled count of an activity: « acheteurs institutionnels » 23."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="measures"
    )
    label = models.CharField(_("label"), max_length=150)
    value = models.PositiveIntegerField(_("value"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["activity", "order", "id"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [
            models.UniqueConstraint(fields=["activity", "label"], name="activities_measure_unique_label"),
            models.CheckConstraint(condition=Q(value__gte=0), name="activities_measure_value_not_negative"),
        ]

    def __str__(self):
        return f"{self.value} {self.label}"


class FiscalYearSpanQuerySet(models.QuerySet):
    def in_fiscal_year(self, fiscal_year):
        """Keep the rows running during ``fiscal_year``."""
        fiscal_year = FiscalYear.parse(fiscal_year)
        return self.filter(
            Q(first_fiscal_year__lte=fiscal_year),
            Q(last_fiscal_year__isnull=True) | Q(last_fiscal_year__gte=fiscal_year),
        )


class Project(models.Model):
    """A narrative initiative under an objective, running over one or more fiscal years."""

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(_("title"), max_length=200)
    subtitle = models.CharField(_("subtitle"), max_length=200, blank=True)
    partners = models.ManyToManyField(
        "partners.Organisation", verbose_name=_("partners"), related_name="projects", blank=True
    )
    first_fiscal_year = FiscalYearField(_("first fiscal year"))
    last_fiscal_year = FiscalYearField(
        _("last fiscal year"), null=True, blank=True, help_text=_("Leave empty while the project goes on.")
    )
    announce_as_new = models.BooleanField(
        _("announce as a new project"),
        default=False,
        help_text=_("In its first fiscal year, the report titles it « Nouveau projet : … »."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = FiscalYearSpanQuerySet.as_manager()

    class Meta:
        ordering = ["objective__order", "order", french_order("title")]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.UniqueConstraint(Lower("title"), name="activities_project_unique_title"),
            models.CheckConstraint(
                condition=Q(last_fiscal_year__isnull=True) | Q(last_fiscal_year__gte=F("first_fiscal_year")),
                name="activities_project_last_year_after_first",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.first_fiscal_year and self.last_fiscal_year and self.last_fiscal_year < self.first_fiscal_year:
            raise ValidationError({"last_fiscal_year": _("The last fiscal year cannot precede the first.")})

    def is_new_in(self, fiscal_year):
        """Tell whether the report of ``fiscal_year`` announces the project as new."""
        return self.announce_as_new and self.first_fiscal_year == FiscalYear.parse(fiscal_year)


class ProjectYear(models.Model):
    """What a project did in one fiscal year: the text (its yearly « bilan ») and photo of that year's report.

    A year's report prints a project only with its text of that year, never an earlier
    year's: last year's prose is not this year's news.
    """

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="years")
    fiscal_year = FiscalYearField(_("fiscal year"))
    body = models.TextField(
        _("text"), help_text=_("What the project did this fiscal year. Separate paragraphs with an empty line.")
    )
    photo = SafeImageField(_("photo"), upload_to="projects/", blank=True)
    photo_caption = models.CharField(_("photo caption"), max_length=300, blank=True)

    class Meta:
        ordering = ["project", "-fiscal_year"]
        verbose_name = _("project text for a fiscal year")
        verbose_name_plural = _("project texts by fiscal year")
        constraints = [
            models.UniqueConstraint(fields=["project", "fiscal_year"], name="activities_projectyear_unique_year"),
        ]

    def __str__(self):
        return f"{self.project} — {self.fiscal_year}"

    def clean(self):
        super().clean()
        if self.photo_caption and not self.photo:
            raise ValidationError({"photo_caption": _("A caption needs a photo.")})
        project = self.project if self.project_id else None
        if project is None or self.fiscal_year is None or project.first_fiscal_year is None:
            return
        last = project.last_fiscal_year
        if self.fiscal_year < project.first_fiscal_year or (last is not None and self.fiscal_year > last):
            raise ValidationError(
                {
                    "fiscal_year": _(
                        "The project runs from %(first)s to %(last)s; its text must be of one of those years."
                    )
                    % {"first": project.first_fiscal_year, "last": last or _("today")}
                }
            )


class CampaignQuerySet(models.QuerySet):
    def in_fiscal_year(self, fiscal_year):
        return self.filter(fiscal_year=FiscalYear.parse(fiscal_year))


class Campaign(models.Model):
    """A communication campaign (e.g. Semaines de l'économie sociale) with its reach."""

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.PROTECT, related_name="campaigns"
    )
    name = models.CharField(_("name"), max_length=200)
    fiscal_year = FiscalYearField(_("fiscal year"))
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)
    official_partner = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("official partner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaigns",
    )
    body = models.TextField(_("text"), blank=True, help_text=_("Separate paragraphs with an empty line."))
    closing = models.TextField(
        _("text after the figures"), blank=True, help_text=_("Separate paragraphs with an empty line.")
    )
    photo = SafeImageField(_("photo"), upload_to="campaigns/", blank=True)
    photo_caption = models.CharField(_("photo caption"), max_length=300, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", french_order("name")]
        verbose_name = _("communication campaign")
        verbose_name_plural = _("communication campaigns")
        constraints = [
            models.UniqueConstraint(fields=["name", "fiscal_year"], name="activities_campaign_unique_name_year"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="activities_campaign_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.fiscal_year})"

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end cannot be before the start.")})
        if self.start_date and self.fiscal_year and self.start_date not in self.fiscal_year:
            raise ValidationError(
                {"start_date": _("The start must fall within the fiscal year %(year)s.") % {"year": self.fiscal_year}}
            )


class CampaignMetric(models.Model):
    """A reach figure of a campaign: « 17 publications Facebook »."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="metrics")
    label = models.CharField(_("label"), max_length=200, help_text=_("Printed after the number."))
    value = models.PositiveIntegerField(_("value"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["campaign", "order", "id"]
        verbose_name = _("campaign metric")
        verbose_name_plural = _("campaign metrics")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "label"], name="activities_campaignmetric_unique_label"),
            models.CheckConstraint(condition=Q(value__gte=0), name="activities_campaignmetric_value_not_negative"),
        ]

    def __str__(self):
        return f"{self.value} {self.label}"


def new_cancel_token():
    return secrets.token_urlsafe(32)


def holds_a_seat(now=None):
    """The condition of a registration that takes a seat: confirmed, or to confirm with its seat still held."""
    return Q(status=Registration.Status.CONFIRMED) | Q(
        status=Registration.Status.PENDING, seat_held_until__gt=now or timezone.now()
    )


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        """Keep the registrations not cancelled (confirmed, waiting, to confirm, walk-ins)."""
        return self.exclude(status=Registration.Status.CANCELLED)

    def holding_seats(self, now=None):
        """Keep the registrations that take a seat now (``holds_a_seat``)."""
        return self.filter(holds_a_seat(now))

    def confirmed(self):
        return self.filter(status=Registration.Status.CONFIRMED)

    def waiting(self):
        """The waiting list, first come first served."""
        return self.filter(status=Registration.Status.WAITING).order_by("created_at", "pk")

    def managed_by(self, *, user, contact=None):
        """Keep the registrations a logged-in person may see and cancel in the portal.

        Those made with their account or under their e-mail address (their account's or their
        contact's), and, for a representative (``contact``), every registration of their
        organisation.
        """
        emails = {normalize_email_identifier(address) for address in (user.email, getattr(contact, "email", ""))}
        condition = Q(user=user) | Q(email__in=emails - {""})
        if contact is not None:
            condition |= Q(member_id=contact.member_id)
        return self.filter(condition)


class Registration(models.Model):
    """A person registered to an activity (an event), or added at the door (walk-in)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("confirmed")
        WAITING = "waiting", _("waiting list")
        # Made by a visitor who is not logged in: waits for the link e-mailed to the address
        # (activities/registrations.py, « confirm »). It holds a seat until ``seat_held_until``.
        PENDING = "pending", _("to confirm")
        CANCELLED = "cancelled", _("cancelled")

    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.CASCADE, related_name="registrations"
    )
    name = models.CharField(_("name"), max_length=150)
    # Stored normalised (pole.text.normalize_email_identifier), so one person is one address.
    email = models.EmailField(_("e-mail"), blank=True)
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("member organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
    )
    organisation = models.CharField(
        _("organisation"), max_length=200, blank=True, help_text=_("When the organisation is not a member.")
    )
    phone = PhoneField(_("phone"), blank=True)
    needs = models.TextField(_("dietary or access needs"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    present = models.BooleanField(_("present"), default=False)
    walk_in = models.BooleanField(_("walk-in"), default=False, help_text=_("Added at the door, without registering."))
    paid = models.BooleanField(
        _("paid"), default=False, help_text=_("Payment received by staff (it is not taken online).")
    )
    cancel_token = models.CharField(max_length=64, unique=True, default=new_cancel_token, editable=False)
    client_address = models.GenericIPAddressField(null=True, blank=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered on"), default=timezone.now, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled on"), null=True, blank=True, editable=False)
    news_consent = models.BooleanField(
        _("asked for the newsletter"),
        default=False,
        editable=False,
        help_text=_("Ticked on the form of a registration to confirm: the consent is recorded once the address is."),
    )
    seat_held_until = models.DateTimeField(
        _("seat held until"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("A registration to confirm holds a free seat until then; empty when it holds none."),
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["activity", "created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            # One registration per e-mail address and activity, a cancelled one aside (one may register again).
            models.UniqueConstraint(
                fields=["activity", "email"],
                condition=~Q(status="cancelled") & ~Q(email=""),
                name="activities_registration_unique_email",
                violation_error_message=_("This e-mail address is already registered to this activity."),
            ),
            models.CheckConstraint(
                condition=Q(present=False) | Q(status="confirmed"),
                name="activities_registration_present_is_confirmed",
                violation_error_message=_("Only a confirmed registration can be marked present."),
            ),
        ]
        indexes = [models.Index(fields=["activity", "status"], name="activities_reg_activity_status")]

    def __str__(self):
        return f"{self.name} — {self.activity.title}" if self.activity_id else self.name

    @property
    def organisation_name(self):
        return self.member.name if self.member_id else self.organisation

    def seat_is_held(self, now=None):
        """Whether this registration to confirm still holds its seat (its hold not over)."""
        return (
            self.status == self.Status.PENDING
            and self.seat_held_until is not None
            and self.seat_held_until > (now or timezone.now())
        )

    def takes_a_seat(self, now=None):
        """Whether it takes a seat now: confirmed, or to confirm with its seat held (``holds_a_seat`` for one row)."""
        return self.status == self.Status.CONFIRMED or self.seat_is_held(now)

    def can_be_cancelled(self, today=None):
        """Whether the registration may still be cancelled: active, not marked present, the activity not over."""
        today = today or timezone.localdate()
        activity = self.activity
        return (
            self.status != self.Status.CANCELLED
            and not self.present
            and (activity.end_date or activity.start_date) >= today
        )

    @property
    def price(self):
        """What the person owes: the member price when registered for a member, else the non-member price."""
        return self.activity.member_price if self.member_id else self.activity.non_member_price


class AddressHold(models.Model):
    """One row per client address that registered: held while its hourly limit is counted.

    ``activities.registrations.register`` updates this row before it counts the address's
    registrations of the hour and inserts one: an UPDATE locks the row on PostgreSQL (and takes
    SQLite's write lock), so parallel registrations from one address are counted one after the
    other, never all against the same count.
    """

    address = models.GenericIPAddressField(_("address"), unique=True)
    used_at = models.DateTimeField(_("last used"))

    class Meta:
        ordering = ["-used_at"]
        verbose_name = _("address held for the registration limit")
        verbose_name_plural = _("addresses held for the registration limit")

    def __str__(self):
        return self.address
