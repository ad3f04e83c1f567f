from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from pole.collation import french_order
from pole.fields import WebsiteField
from pole.fiscal_years import FiscalYear, FiscalYearField
from pole.images import SafeImageField


class Organisation(models.Model):
    """An organisation outside the network's membership, or a member seen as a partner."""

    name = models.CharField(_("name"), max_length=200)
    website = WebsiteField(_("website"), blank=True)
    logo = SafeImageField(_("logo"), upload_to="partners/logos/", blank=True)
    member = models.OneToOneField(
        "members.Member",
        verbose_name=_("member organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisation",
        help_text=_("When the partner is also a member of the network."),
    )

    class Meta:
        ordering = [french_order("name")]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(Lower("name"), name="partners_organisation_unique_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def display_logo(self):
        """The organisation's logo, or its member profile's logo when it has none."""
        if self.logo:
            return self.logo
        if self.member_id and self.member.logo:
            return self.member.logo
        return None


class FiscalYearQuerySet(models.QuerySet):
    def in_fiscal_year(self, fiscal_year):
        return self.filter(fiscal_year=FiscalYear.parse(fiscal_year))


class Partnership(models.Model):
    """An organisation supporting the network during one fiscal year, in one category."""

    class Category(models.TextChoices):
        AMBASSADOR = "ambassador", _("ambassador member")
        PUBLIC = "public", _("public partner")
        OFFICIAL = "official", _("official partner")
        SUPPLIER = "supplier", _("supplier member")

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="partnerships"
    )
    fiscal_year = FiscalYearField(_("fiscal year"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    amount = models.DecimalField(
        _("agreement amount"), max_digits=11, decimal_places=2, null=True, blank=True, help_text=_("In dollars.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = FiscalYearQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "category", "order", french_order("organisation__name")]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "fiscal_year"], name="partners_partnership_unique_organisation_year"
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="partners_partnership_amount_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} — {self.get_category_display()} {self.fiscal_year}"


class Affiliation(models.Model):
    """An organisation the network is itself a member of, in one fiscal year."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="affiliations"
    )
    fiscal_year = FiscalYearField(_("fiscal year"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = FiscalYearQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "order", french_order("organisation__name")]
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "fiscal_year"], name="partners_affiliation_unique_organisation_year"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.fiscal_year})"


class CommitteeSeat(models.Model):
    """A seat the network holds on an outside body (« instances et comités ») in one fiscal year."""

    name = models.CharField(_("committee"), max_length=255)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("host organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="committee_seats",
    )
    fiscal_year = FiscalYearField(_("fiscal year"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = FiscalYearQuerySet.as_manager()

    class Meta:
        ordering = ["-fiscal_year", "order", french_order("name")]
        verbose_name = _("committee seat")
        verbose_name_plural = _("committee seats")
        constraints = [
            models.UniqueConstraint(fields=["name", "fiscal_year"], name="partners_committeeseat_unique_name_year"),
        ]

    def __str__(self):
        return f"{self.name} ({self.fiscal_year})"
