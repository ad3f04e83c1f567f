"""The members spreadsheet (DESIGN.md, « Spreadsheet contract »), keyed on ``nom``."""

from django.utils.translation import gettext_lazy
from import_export.fields import Field

from pole.spreadsheets import (
    ChoiceWidget,
    NameWidget,
    SpreadsheetResource,
    TextWidget,
    YearWidget,
    fold,
    join_list,
    parse_fiscal_year,
    split_list,
)

from .models import Member, Membership, Territory

LEGAL_FORMS = {
    Member.LegalForm.COOPERATIVE: "coopérative",
    Member.LegalForm.MUTUAL: "mutuelle",
    Member.LegalForm.ASSOCIATION: "association",
    Member.LegalForm.COMPANY: "société",
}
CATEGORIES = {
    Member.Category.REGULAR: "régulier",
    Member.Category.BUSINESS_GROUP: "regroupement",
    Member.Category.AMBASSADOR: "ambassadeur",
    Member.Category.SUPPLIER: "fournisseur",
}
SETTINGS = {Member.Setting.URBAN: "urbain", Member.Setting.RURAL: "rural"}

UNKNOWN_TERRITORY = gettext_lazy("Unknown territory « {name} ». Known territories: {known}.")


class MemberResource(SpreadsheetResource):
    """Member organisations with their fiscal years of membership (``adhesions``)."""

    name = Field(attribute="name", column_name="nom", widget=TextWidget())
    legal_form = Field(
        attribute="legal_form",
        column_name="forme_juridique",
        widget=ChoiceWidget(LEGAL_FORMS, aliases={"obnl": Member.LegalForm.ASSOCIATION}),
    )
    category = Field(
        attribute="category",
        column_name="categorie",
        widget=ChoiceWidget(CATEGORIES, aliases={"regroupement d'entreprises": Member.Category.BUSINESS_GROUP}),
    )
    founding_year = Field(attribute="founding_year", column_name="annee_fondation", widget=YearWidget())
    territory = Field(attribute="territory", column_name="territoire", widget=NameWidget(Territory, UNKNOWN_TERRITORY))
    setting = Field(attribute="setting", column_name="milieu", widget=ChoiceWidget(SETTINGS))
    sector = Field(attribute="sector", column_name="secteur", widget=TextWidget())
    email = Field(attribute="email", column_name="courriel", widget=TextWidget())
    phone = Field(attribute="phone", column_name="telephone", widget=TextWidget())
    website = Field(attribute="website", column_name="site_web", widget=TextWidget())
    address = Field(attribute="address", column_name="adresse", widget=TextWidget())
    memberships = Field(column_name="adhesions")

    related_fields = ("territory",)
    related_lists = ("memberships",)
    key_columns = ("nom",)

    class Meta:
        model = Member
        fields = (
            "name",
            "legal_form",
            "category",
            "founding_year",
            "territory",
            "setting",
            "sector",
            "email",
            "phone",
            "website",
            "address",
            "memberships",
        )
        import_id_fields = ("name",)

    def row_key(self, row):
        return (fold(row.get("nom")),)

    def instance_key(self, member):
        return (fold(member.name),)

    def dehydrate_memberships(self, member):
        if member.pk is None:
            return ""
        years = sorted(membership.fiscal_year for membership in member.memberships.all())
        return join_list(year.label for year in years)

    def import_related(self, member, row):
        years, problems = set(), []
        for item in split_list(row.get("adhesions")):
            try:
                years.add(parse_fiscal_year(item))
            except ValueError as error:
                problems.append(str(error))
        self.pending["memberships"] = years
        return {"adhesions": problems} if problems else {}

    def related_unchanged(self, member):
        return {membership.fiscal_year for membership in member.memberships.all()} == self.pending["memberships"]

    def save_related(self, member):
        """Give the member exactly the file's years; kept years keep their dues and payment date."""
        years = self.pending["memberships"]
        current = {membership.fiscal_year: membership for membership in Membership.objects.filter(member=member)}
        Membership.objects.bulk_create(
            Membership(member=member, fiscal_year=year) for year in sorted(years) if year not in current
        )
        dropped = [membership.pk for year, membership in current.items() if year not in years]
        if dropped:
            Membership.objects.filter(pk__in=dropped).delete()
        getattr(member, "_prefetched_objects_cache", {}).pop("memberships", None)
