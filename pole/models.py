"""The network's identity: one record, edited by the Direction, printed on the report's covers,
the site's header and footer, the e-mails and the favicon."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pole.colours import HEX_COLOUR, contrast_ratio
from pole.fields import PhoneField, WebsiteField
from pole.images import SafeImageField

DEFAULT_PRIMARY = "#0f5c73"
DEFAULT_ACCENT = "#e5793a"
DEFAULT_THANKS = (
    "Le Pôle remercie chaleureusement ses membres, ses partenaires et ses bénévoles, "
    "sans qui rien de ce rapport n'aurait été possible."
)

colour_validator = RegexValidator(HEX_COLOUR, _("Write a colour as # followed by six hexadecimal digits, e.g. #0f5c73."))

# White text sits on the primary colour (cover, site header); AA asks 4.5:1 for text.
PRIMARY_MIN_CONTRAST = 4.5
# The accent draws rules and bars on white, which are decoration: they must show, no more.
# Text in the accent's hue uses a darker shade computed from it that reads as AA text
# (pole.identity.palette).
ACCENT_MIN_CONTRAST = 2.0


class NetworkIdentity(models.Model):
    """Who the network is: names, mark, contact details and brand colours. One record."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(
        _("short name"),
        max_length=60,
        help_text=_("Shown in the site's header and the browser's tab, e.g. « Pôle »."),
    )
    tagline = models.CharField(
        _("tagline"),
        max_length=255,
        blank=True,
        help_text=_("Printed on the home page; a report prints its own tagline on its cover."),
    )
    logo = SafeImageField(
        _("logo"),
        upload_to="identity/",
        blank=True,
        help_text=_("The network's mark, on a transparent or white background. Without one, the initial of the short name is drawn."),
    )
    address = models.TextField(_("address"), blank=True)
    phone = PhoneField(_("phone"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = WebsiteField(_("website"), blank=True)
    primary_colour = models.CharField(
        _("primary colour"),
        max_length=7,
        default=DEFAULT_PRIMARY,
        validators=[colour_validator],
        help_text=_("Covers, headings and the site's header; white text must read on it."),
    )
    accent_colour = models.CharField(
        _("accent colour"),
        max_length=7,
        default=DEFAULT_ACCENT,
        validators=[colour_validator],
        help_text=_("Rules, bars and highlighted figures."),
    )
    thanks = models.TextField(
        _("thanks on the back cover"),
        blank=True,
        default=DEFAULT_THANKS,
    )
    # Québec's private-sector act (s. 3.1, Law 25): the person in charge of the protection of
    # personal information is the organisation's highest authority, the director, unless that
    # duty is delegated in writing; their title and contact details are published (s. 3.1, 8).
    privacy_officer_name = models.CharField(
        _("person in charge of personal information"),
        max_length=150,
        blank=True,
        help_text=_("By default the director. Leave empty to publish the title only."),
    )
    privacy_officer_title = models.CharField(
        _("their title"),
        max_length=150,
        blank=True,
        default="Directeur général",
        help_text=_("Published on the privacy page, e.g. « Directrice générale »."),
    )
    privacy_officer_email = models.EmailField(
        _("their e-mail"), blank=True, help_text=_("Empty: the network's e-mail is published.")
    )
    privacy_officer_phone = PhoneField(
        _("their phone"), blank=True, help_text=_("Empty: the network's phone is published.")
    )

    class Meta:
        verbose_name = _("network identity")
        verbose_name_plural = _("network identity")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.primary_colour = self.primary_colour.lower()
        self.accent_colour = self.accent_colour.lower()
        super().save(*args, **kwargs)

    @classmethod
    def defaults(cls):
        """The identity before the Direction records one: the names the settings give."""
        return cls(name=settings.POLE_NETWORK_NAME, short_name=settings.POLE_NETWORK_SHORT_NAME)

    @property
    def address_lines(self):
        return [line.strip() for line in self.address.splitlines() if line.strip()]

    @property
    def initial(self):
        return (self.short_name or self.name or "?")[:1].upper()

    def clean(self):
        super().clean()
        errors = {}
        for field, minimum, message in (
            (
                "primary_colour",
                PRIMARY_MIN_CONTRAST,
                _("White text on %(colour)s has a contrast of %(ratio)s:1; choose a darker colour (at least %(minimum)s:1)."),
            ),
            (
                "accent_colour",
                ACCENT_MIN_CONTRAST,
                _("%(colour)s on white has a contrast of %(ratio)s:1: rules and bars would barely show; choose a darker colour (at least %(minimum)s:1)."),
            ),
        ):
            colour = getattr(self, field)
            if colour and HEX_COLOUR.match(colour):
                ratio = contrast_ratio(colour)
                if ratio < minimum:
                    errors[field] = ValidationError(
                        message,
                        code="low_contrast",
                        params={"colour": colour, "ratio": f"{ratio:.1f}".replace(".", ","), "minimum": f"{minimum:g}".replace(".", ",")},
                    )
        if errors:
            raise ValidationError(errors)

    @property
    def privacy_contact_email(self):
        return self.privacy_officer_email or self.email

    @property
    def privacy_contact_phone(self):
        return self.privacy_officer_phone or self.phone


class OutboxMessage(models.Model):
    """An e-mail the app sends, kept from the action that causes it until it is delivered.

    Written in the same transaction as that action (``pole.outbox.enqueue``), then sent by a
    task: a mail server that is down or refuses never undoes the action, the message waits and
    is tried again (``POLE_EMAIL_RETRY_MINUTES``), and staff see it pending or failed in the
    admin, where they can send it again. Personal information: the recipients and the body.
    A message carrying a personal link (an invitation, a password reset) is ``sensitive``:
    its body is never shown in the admin and is erased once sent.
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("e-mail status", "pending")
        SENDING = "sending", pgettext_lazy("e-mail status", "sending")
        SENT = "sent", pgettext_lazy("e-mail status", "sent")
        FAILED = "failed", pgettext_lazy("e-mail status", "failed")

    kind = models.CharField(_("kind"), max_length=60, blank=True, help_text=_("What the message is about."))
    sender = models.CharField(_("from"), max_length=255)
    recipients = models.TextField(_("to"), help_text=_("Addresses separated by commas."))
    subject = models.TextField(_("subject"))
    body = models.TextField(_("message"), blank=True)
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    sensitive = models.BooleanField(
        _("carries a personal link"),
        default=False,
        help_text=_("The message is not shown in the admin and is erased once sent."),
    )
    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent on"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("e-mail")
        verbose_name_plural = _("outbox")
        permissions = [("resend_outboxmessage", _("Can send an e-mail of the outbox again"))]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="pole_outbox_due")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "sending", "sent", "failed"]),
                name="pole_outboxmessage_status_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="pole_outboxmessage_sent_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.subject} → {self.recipients}"

    @property
    def delayed(self):
        """Whether an attempt failed and the message has not left yet (it waits for its next one, or for staff)."""
        return self.status == self.Status.FAILED or (self.status == self.Status.PENDING and self.attempts > 0)

    @property
    def recipient_list(self):
        return [address.strip() for address in self.recipients.split(",") if address.strip()]


# --- Personal information (Québec's private-sector act as amended by Law 25; Canada's anti-spam
# law). The registry of personal fields is code (pole/privacy.py); these are its records.


class ConsentRecord(models.Model):
    """One consent asked of a person for one purpose: what they were shown, when, how, and its withdrawal.

    Consents are separate and specific (one row per purpose), off until given, and never
    overwritten: a consent given again after a withdrawal is a new row.
    """

    class Purpose(models.TextChoices):
        DIRECTORY = "directory", _("listing in the public member directory")
        PHOTO = "photo", _("publication of a photo in the annual report")
        NEWS = "news", _("the network's news by e-mail")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("member portal")
        REGISTRATION = "registration", _("event registration form")
        INVITATION = "invitation", _("invitation acceptance")
        STAFF = "staff", _("recorded by staff (paper, e-mail or in person)")
        LINK = "link", _("unsubscribe link")

    email = models.EmailField(_("person's e-mail"), blank=True)
    name = models.CharField(_("person's name"), max_length=200, blank=True)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    subject = models.CharField(
        _("about"), max_length=255, blank=True, help_text=_("The organisation or record the consent is about.")
    )
    subject_key = models.CharField(max_length=80, blank=True, editable=False, db_index=True)
    wording = models.TextField(_("wording shown"))
    given_at = models.DateTimeField(_("given on"), default=timezone.now)
    given_how = models.CharField(_("how given"), max_length=20, choices=Channel.choices)
    withdrawn_at = models.DateTimeField(_("withdrawn on"), null=True, blank=True)
    withdrawn_how = models.CharField(_("how withdrawn"), max_length=20, choices=Channel.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-given_at", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | models.Q(withdrawn_at__gte=models.F("given_at")),
                name="pole_consentrecord_withdrawn_after_given",
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} — {self.name or self.email or self.subject}"

    @property
    def active(self):
        return self.withdrawn_at is None


class Unsubscription(models.Model):
    """An address that asked for no more e-mails of one kind (Canada's anti-spam law, s. 11).

    Effective at once: the senders read this table before each e-mail of that kind.
    """

    class Kind(models.TextChoices):
        NEWS = "news", _("news")
        DUES = "dues", _("dues reminders")

    email = models.EmailField(_("e-mail"))
    kind = models.CharField(_("e-mails"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(_("unsubscribed on"), default=timezone.now)
    how = models.CharField(_("how"), max_length=20, default="link")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("unsubscription")
        verbose_name_plural = _("unsubscriptions")
        constraints = [models.UniqueConstraint(fields=["email", "kind"], name="pole_unsubscription_unique")]

    def __str__(self):
        return f"{self.email} — {self.get_kind_display()}"


class PrivacyRequest(models.Model):
    """A person's request about their personal information, answered within 30 days (s. 32 of the act)."""

    ANSWER_DAYS = 30

    class Kind(models.TextChoices):
        ACCESS = "access", _("access")
        RECTIFICATION = "rectification", _("rectification")
        PORTABILITY = "portability", _("portability")
        WITHDRAWAL = "withdrawal", _("withdrawal of consent")
        ERASURE = "erasure", _("erasure")

    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        IN_PROGRESS = "in_progress", _("in progress")
        ANSWERED = "answered", _("answered")
        REFUSED = "refused", _("refused (with reasons)")

    kind = models.CharField(_("request"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("person's name"), max_length=200)
    email = models.EmailField(_("person's e-mail"))
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    due_on = models.DateField(_("answer due on"), editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    details = models.TextField(_("what is asked"), blank=True)
    answer = models.TextField(_("answer and reasons"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["status", "due_on", "pk"]
        verbose_name = _("personal information request")
        verbose_name_plural = _("personal information requests")

    def __str__(self):
        return f"{self.get_kind_display().capitalize()} — {self.name}"

    def save(self, *args, **kwargs):
        self.due_on = self.received_on + datetime.timedelta(days=self.ANSWER_DAYS)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.status in (self.Status.ANSWERED, self.Status.REFUSED) and not self.answered_on:
            raise ValidationError({"answered_on": _("Give the date of the answer.")})
        if self.answered_on and self.received_on and self.answered_on < self.received_on:
            raise ValidationError({"answered_on": _("The answer cannot come before the request.")})

    @property
    def overdue(self):
        return self.status in (self.Status.RECEIVED, self.Status.IN_PROGRESS) and self.due_on < timezone.localdate()


class ConfidentialityIncident(models.Model):
    """A confidentiality incident, as the register the regulation asks for (s. 3.8 of the act; its regulation, s. 5-6).

    Kept at least five years after the organisation learned of it: the admin refuses to delete it sooner.
    """

    KEEP_YEARS = 5

    class Injury(models.TextChoices):
        ASSESSING = "assessing", _("being assessed")
        SERIOUS = "serious", _("risk of serious injury")
        NOT_SERIOUS = "not_serious", _("no risk of serious injury")

    title = models.CharField(_("incident"), max_length=200)
    information = models.TextField(_("personal information concerned"))
    circumstances = models.TextField(_("circumstances"))
    occurred_on = models.DateField(_("happened on"), null=True, blank=True, help_text=_("Empty when unknown."))
    known_on = models.DateField(_("known on"))
    people_count = models.PositiveIntegerField(_("people concerned"), null=True, blank=True)
    injury = models.CharField(_("serious injury"), max_length=20, choices=Injury.choices, default=Injury.ASSESSING)
    injury_assessment = models.TextField(
        _("assessment of the injury"), blank=True, help_text=_("Sensitivity, foreseeable uses, likely consequences.")
    )
    cai_notified_on = models.DateField(_("Commission d'accès à l'information notified on"), null=True, blank=True)
    people_notified_on = models.DateField(_("people notified on"), null=True, blank=True)
    measures = models.TextField(_("measures taken"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded on"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-known_on", "-pk"]
        verbose_name = _("confidentiality incident")
        verbose_name_plural = _("confidentiality incidents")

    def __str__(self):
        return f"{self.known_on} — {self.title}"

    def clean(self):
        super().clean()
        if self.occurred_on and self.known_on and self.occurred_on > self.known_on:
            raise ValidationError({"known_on": _("The incident cannot be known before it happened.")})

    @property
    def deletable(self):
        return self.known_on <= timezone.localdate() - datetime.timedelta(days=365 * self.KEEP_YEARS + 2)


class PersonalDataAccess(models.Model):
    """An export of personal information: who took what, and when, so that an incident can be traced."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    what = models.CharField(_("what"), max_length=255)
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("personal information export")
        verbose_name_plural = _("personal information exports")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} — {self.what}"
