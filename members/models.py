import hashlib
from datetime import timedelta

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, ProtectedError, Q, Subquery
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pole.collation import french_order
from pole.fields import PhoneField, WebsiteField
from pole.fiscal_years import FiscalYear, FiscalYearField
from pole.images import SafeImageField
from pole.text import fold, normalization_changes_only_case, normalize_email_identifier

from .history import ChangeHistory

# An address whose normalised key would be another mailbox (pole.text.normalization_changes_only_case).
UNUSABLE_ADDRESS = _(
    "The address %(email)s cannot identify an account: write it without letters such as ß, ı or full-width characters."
)


class EmailUserManager(UserManager):
    """Users are identified by their e-mail address; there is no username."""

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=normalize_email_identifier(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        # Exact match on the normalised address, the key django-axes counts failures under
        # (members/lockout.py): a case-insensitive SQL match would let a spelling that
        # PostgreSQL's UPPER equates with it (« dırection@… ») log in past the account's lock.
        return self.get(email=normalize_email_identifier(email))


class User(AbstractUser):
    """A person who logs in: staff, direction or a member organisation's representative."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = EmailUserManager()

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.email

    @classmethod
    def normalize_username(cls, username):
        return normalize_email_identifier(username)

    def clean(self):
        typed = self.email
        super().clean()  # normalises the address (normalize_username)
        if typed and not normalization_changes_only_case(typed):
            raise ValidationError({"email": UNUSABLE_ADDRESS % {"email": typed}})


class Territory(models.Model):
    """A place the network covers (Québec, Portneuf, Charlevoix, …)."""

    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", french_order("name")]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="members_territory_unique_name"),
        ]

    def __str__(self):
        return self.name


class SectorQuerySet(models.QuerySet):
    def named(self, name):
        """Return the sector called ``name``, ignoring case, accents and spacing, or None."""
        key = Sector.key_for(name)
        return self.filter(key=key).first() if key else None

    def get_or_create_named(self, name):
        """Return the sector called ``name`` (as ``named``), created with that name if there is none."""
        return self.named(name) or self.create(name=" ".join(name.split()))


class Sector(models.Model):
    """A line of business members are grouped by (Alimentation, Habitation, …): a list staff manage.

    ``key`` is the name folded (no case, no accents, single spaces), unique, so « Tourisme »
    and « TOURISME » cannot both exist; duplicates with different words are merged by staff
    (admin action « Fusionner »).
    """

    name = models.CharField(_("name"), max_length=120)
    key = models.CharField(max_length=120, unique=True, editable=False)

    objects = SectorQuerySet.as_manager()

    class Meta:
        ordering = [french_order("name")]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The key is derived from the name whatever the door (admin, import, portal), like a slug.
        self.key = self.key_for(self.name)
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "key"}
        super().save(*args, **kwargs)

    @staticmethod
    def key_for(name):
        """The key of a sector's name: folded (``pole.text.fold``), so spellings alike share it."""
        return fold(name)

    def clean(self):
        super().clean()
        self.name = " ".join((self.name or "").split())
        clash = Sector.objects.filter(key=self.key_for(self.name)).exclude(pk=self.pk).first() if self.name else None
        if clash is not None:
            raise ValidationError({"name": _("The sector « %(name)s » already exists.") % {"name": clash.name}})


class MemberQuerySet(models.QuerySet):
    def in_fiscal_year(self, fiscal_year):
        """Keep members holding a membership in ``fiscal_year``."""
        return self.filter(memberships__fiscal_year=FiscalYear.parse(fiscal_year)).distinct()

    def listed_in_directory(self, fiscal_years):
        """Keep the members who agreed to be listed and hold a membership in one of ``fiscal_years``, by name."""
        return (
            self.filter(directory_consent=True, memberships__fiscal_year__in=list(fiscal_years))
            .distinct()
            .select_related("territory", "sector")
            .order_by(french_order("name"))
        )

    def with_first_year(self):
        """Annotate ``first_fiscal_year``: the start year of each member's first membership.

        A subquery, so that it sees every membership even after ``in_fiscal_year``.
        """
        first = Membership.objects.filter(member=OuterRef("pk")).order_by("fiscal_year").values("fiscal_year")[:1]
        return self.annotate(first_fiscal_year=Subquery(first, output_field=FiscalYearField()))

    def with_membership_count(self):
        return self.annotate(membership_count=Count("memberships", distinct=True))


class Member(models.Model):
    """A member organisation of the network."""

    class LegalForm(models.TextChoices):
        COOPERATIVE = "cooperative", _("co-operative")
        MUTUAL = "mutual", _("mutual")
        ASSOCIATION = "association", _("association (non-profit)")
        COMPANY = "company", _("company")

    class Category(models.TextChoices):
        REGULAR = "regular", _("regular")
        BUSINESS_GROUP = "business_group", _("business group")
        AMBASSADOR = "ambassador", _("ambassador")
        SUPPLIER = "supplier", _("supplier")

    class Setting(models.TextChoices):
        URBAN = "urban", _("urban")
        RURAL = "rural", _("rural")

    name = models.CharField(_("name"), max_length=200)
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.REGULAR)
    founding_year = models.PositiveSmallIntegerField(_("founding year"), null=True, blank=True)
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    setting = models.CharField(_("setting"), max_length=10, choices=Setting.choices, blank=True)
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    address = models.TextField(_("address"), blank=True)
    phone = PhoneField(_("phone"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = WebsiteField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    logo = SafeImageField(_("logo"), upload_to="members/logos/", blank=True)
    directory_consent = models.BooleanField(
        _("listed in the public directory"),
        default=False,
        help_text=_("The organisation agrees to appear in the public member directory."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MemberQuerySet.as_manager()
    # Who changed what and when, from the admin, the portal or an import; staff can revert.
    history = ChangeHistory(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = [french_order("name")]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="members_member_unique_name"),
            models.CheckConstraint(
                condition=Q(founding_year__isnull=True) | Q(founding_year__gte=1800, founding_year__lte=2999),
                name="members_member_founding_year_plausible",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.clean_own_fields()
        if self.name:
            clash = Member.objects.filter(name__iexact=self.name).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError({"name": _("A member with this name already exists.")})

    def clean_own_fields(self):
        """The rules of ``clean()`` that need no query (the spreadsheet import checks names from memory)."""
        if self.founding_year and self.founding_year > timezone.localdate().year:
            raise ValidationError({"founding_year": _("The founding year cannot be in the future.")})
        if self.name:
            self.name = " ".join(self.name.split())

    def age_in(self, fiscal_year):
        """Return the organisation's age in years at the end of ``fiscal_year``, or None."""
        if self.founding_year is None:
            return None
        return FiscalYear.parse(fiscal_year).end_year - self.founding_year


MONEY_PROTECTED = _(
    "A membership with an invoice cannot be deleted ({memberships}): its invoice keeps it. "
    "Cancel an unpaid invoice with a credit note first; a paid one stays."
)


def money_protected(error):
    """Return ``error`` (a ProtectedError on memberships) with the French sentence naming them."""
    memberships = sorted({str(invoice.membership) for invoice in error.protected_objects if invoice.membership_id})
    return ProtectedError(str(MONEY_PROTECTED).format(memberships=", ".join(memberships)), error.protected_objects)


class MembershipQuerySet(models.QuerySet):
    def delete(self):
        try:
            return super().delete()
        except ProtectedError as error:
            raise money_protected(error) from None

    def in_good_standing(self):
        """Keep the memberships paid, or waived by staff (with a reason)."""
        return self.filter(GOOD_STANDING)


# A membership is in good standing when paid, or waived by staff with a reason.
GOOD_STANDING = Q(paid_on__isnull=False) | Q(waived=True)


class Membership(models.Model):
    """One member's membership for one fiscal year.

    A renewal through the portal creates it when the invoice is issued (members/billing/invoices.py);
    recording the payment that settles the invoice sets ``paid_on``.
    """

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="memberships")
    fiscal_year = FiscalYearField(_("fiscal year"))
    dues = models.DecimalField(_("dues"), max_digits=9, decimal_places=2, null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    waived = models.BooleanField(
        _("dues waived"), default=False, help_text=_("In good standing without payment; say why below.")
    )
    waiver_reason = models.CharField(_("reason for the waiver"), max_length=255, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", french_order("member__name")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        permissions = [("print_good_standing", _("Can print the list of members in good standing"))]
        constraints = [
            models.UniqueConstraint(fields=["member", "fiscal_year"], name="members_membership_unique_member_year"),
            models.CheckConstraint(
                condition=Q(dues__isnull=True) | Q(dues__gte=0), name="members_membership_dues_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(waived=False) | ~Q(waiver_reason=""), name="members_membership_waiver_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.member} — {self.fiscal_year}"

    def clean(self):
        super().clean()
        self.waiver_reason = " ".join(self.waiver_reason.split())
        if self.waived and not self.waiver_reason:
            raise ValidationError({"waiver_reason": _("Say why the dues are waived.")})

    @property
    def in_good_standing(self):
        return self.paid_on is not None or self.waived

    def delete(self, *args, **kwargs):
        # The database refuses (Invoice.membership is PROTECT); say why in words.
        try:
            return super().delete(*args, **kwargs)
        except ProtectedError as error:
            raise money_protected(error) from None


class Contact(models.Model):
    """A person of a member organisation; may hold the account that edits its profile."""

    member = models.ForeignKey(Member, verbose_name=_("member"), on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    # The person's position in their organisation, called the same in every form and list.
    role = models.CharField(pgettext_lazy("position in an organisation", "role"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = PhoneField(_("phone"), blank=True)
    user = models.OneToOneField(
        User,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact",
    )

    history = ChangeHistory(excluded_fields=["user"])

    class Meta:
        ordering = [french_order("last_name"), french_order("first_name")]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def has_active_account(self):
        return self.user_id is not None and self.user.is_active


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A one-time link e-mailed to a contact to choose the password of their portal account.

    Only a hash of the token is stored: the link in the e-mail is the only copy.
    """

    VALIDITY = timedelta(days=7)

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("sent to"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_by = models.ForeignKey(
        User, verbose_name=_("sent by"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.contact} <{self.email}>"

    @staticmethod
    def hash_token(token):
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_usable(self):
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class MandateQuerySet(models.QuerySet):
    def in_office_on(self, day):
        """Keep the rows whose period holds ``day`` (started on or before it, not ended before it)."""
        return self.filter(
            Q(start_date__isnull=True) | Q(start_date__lte=day), Q(end_date__isnull=True) | Q(end_date__gte=day)
        )

    def in_fiscal_year(self, fiscal_year):
        """Keep the rows whose period overlaps ``fiscal_year``."""
        fiscal_year = FiscalYear.parse(fiscal_year)
        return self.filter(
            Q(start_date__isnull=True) | Q(start_date__lte=fiscal_year.end_date),
            Q(end_date__isnull=True) | Q(end_date__gte=fiscal_year.start_date),
        )


# Québec's act asks express consent to publish a person's photo: off until the person says yes.
PHOTO_CONSENT_HELP = _(
    "The person agreed (in writing or by e-mail) that their photo be printed in the annual report. "
    "Without it, the report prints their initials; the change is recorded in the consents."
)


class PeriodModel(models.Model):
    """A person's time in a role: start and optional end date."""

    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("end"), null=True, blank=True)

    objects = MandateQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="%(app_label)s_%(class)s_end_after_start",
            ),
        ]

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end cannot be before the start.")})


class BoardMandate(PeriodModel):
    """A seat on the board of directors, held by a person for a period."""

    class Role(models.TextChoices):
        # Feminine and masculine titles are both printed in the report.
        PRESIDENT_M = "president_m", pgettext_lazy("masculine", "president")
        PRESIDENT_F = "president_f", pgettext_lazy("feminine", "president")
        CO_PRESIDENT_M = "co_president_m", pgettext_lazy("masculine", "co-president")
        CO_PRESIDENT_F = "co_president_f", pgettext_lazy("feminine", "co-president")
        VICE_PRESIDENT_M = "vice_president_m", pgettext_lazy("masculine", "vice-president")
        VICE_PRESIDENT_F = "vice_president_f", pgettext_lazy("feminine", "vice-president")
        TREASURER_M = "treasurer_m", pgettext_lazy("masculine", "treasurer")
        TREASURER_F = "treasurer_f", pgettext_lazy("feminine", "treasurer")
        SECRETARY = "secretary", _("secretary")
        DIRECTOR_M = "director_m", pgettext_lazy("masculine", "director")
        DIRECTOR_F = "director_f", pgettext_lazy("feminine", "director")

    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.DIRECTOR_M)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    photo = SafeImageField(_("photo"), upload_to="board/", blank=True)
    photo_consent = models.BooleanField(_("photo may be published"), default=False, help_text=PHOTO_CONSENT_HELP)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta(PeriodModel.Meta):
        ordering = ["order", french_order("name")]
        verbose_name = _("board mandate")
        verbose_name_plural = _("board mandates")

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"


class StaffMember(PeriodModel):
    """A member of the network's permanent staff (la permanence)."""

    name = models.CharField(_("name"), max_length=150)
    title = models.CharField(_("title"), max_length=150)
    email = models.EmailField(_("e-mail"), blank=True)
    photo = SafeImageField(_("photo"), upload_to="staff/", blank=True)
    photo_consent = models.BooleanField(_("photo may be published"), default=False, help_text=PHOTO_CONSENT_HELP)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta(PeriodModel.Meta):
        ordering = ["order", french_order("name")]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")

    def __str__(self):
        return f"{self.name} ({self.title})"


# The billing models (dues, campaigns, invoices, payments) live in members/billing/models.py,
# still in this app: imported here so that Django registers them with the members app.
from members.billing.models import (  # noqa: E402, F401
    DocumentCounter,
    DuesNotice,
    DuesRate,
    Invoice,
    Payment,
    RenewalCampaign,
)
