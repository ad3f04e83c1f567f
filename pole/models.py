"""The network's identity: one record, edited by the Direction, printed on the report's covers,
the site's header and footer, the e-mails and the favicon."""

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

    class Meta:
        verbose_name = _("network identity")
        verbose_name_plural = _("network identity")

    def __str__(self):
        return self.name

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

    def save(self, *args, **kwargs):
        self.primary_colour = self.primary_colour.lower()
        self.accent_colour = self.accent_colour.lower()
        super().save(*args, **kwargs)


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
