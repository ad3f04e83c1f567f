"""The partners spreadsheet (DESIGN.md, « Spreadsheet contract »), keyed on ``nom`` + ``exercice``.

One row is one partnership: an organisation, found by its name or created,
supporting the network in a fiscal year. ``site_web`` is the organisation's.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from import_export.fields import Field

from pole.fiscal_years import FiscalYear
from pole.formatting import format_number
from pole.spreadsheets.cells import (
    AmountWidget,
    ChoiceWidget,
    FiscalYearWidget,
    NameIndex,
    cell_text,
    fold,
    is_clear_marker,
)
from pole.spreadsheets.resources import SpreadsheetResource

from .models import Organisation, Partnership

CATEGORIES = {
    Partnership.Category.AMBASSADOR: "ambassadeur",
    Partnership.Category.PUBLIC: "public",
    Partnership.Category.OFFICIAL: "officiel",
    Partnership.Category.SUPPLIER: "fournisseur",
}
CATEGORY_ALIASES = {
    "membre ambassadeur": Partnership.Category.AMBASSADOR,
    "partenaire public": Partnership.Category.PUBLIC,
    "partenaire officiel": Partnership.Category.OFFICIAL,
    "membre fournisseur": Partnership.Category.SUPPLIER,
}


class PartnerResource(SpreadsheetResource):
    """Partnerships by fiscal year, with their organisation's name and website."""

    organisation = Field(column_name="nom")
    category = Field(attribute="category", column_name="categorie", widget=ChoiceWidget(CATEGORIES, CATEGORY_ALIASES))
    fiscal_year = Field(attribute="fiscal_year", column_name="exercice", widget=FiscalYearWidget())
    website = Field(column_name="site_web")
    amount = Field(attribute="amount", column_name="montant", widget=AmountWidget())

    related_fields = ("organisation",)
    key_columns = ("nom", "exercice")
    file_stem = "partenaires"
    required_columns = ("nom",)
    column_rules = {
        "nom": gettext_lazy("The organisation's name; an unknown name adds an organisation."),
        "site_web": gettext_lazy("The organisation's web address, such as https://www.exemple.org."),
    }
    column_labels = {
        "nom": pgettext_lazy("spreadsheet column", "Name"),
        "categorie": pgettext_lazy("spreadsheet column", "Category"),
        "exercice": pgettext_lazy("spreadsheet column", "Fiscal year"),
        "site_web": pgettext_lazy("spreadsheet column", "Website"),
        "montant": pgettext_lazy("spreadsheet column", "Amount"),
    }

    class Meta:
        model = Partnership
        fields = ("organisation", "category", "fiscal_year", "website", "amount")
        import_id_fields = ("organisation", "fiscal_year")

    def row_key(self, row):
        return (fold(row.get("nom")), self.fields["fiscal_year"].widget.clean(row.get("exercice")))

    def instance_key(self, partnership):
        return (fold(partnership.organisation.name), partnership.fiscal_year)

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.organisation_index = NameIndex(Organisation.objects.all())

    # Export

    def dehydrate_organisation(self, partnership):
        return partnership.organisation.name if partnership.organisation_id else ""

    def dehydrate_website(self, partnership):
        return partnership.organisation.website if partnership.organisation_id else ""

    def example_row(self):
        return {
            "nom": "Ville de Québec",
            "categorie": CATEGORIES[Partnership.Category.PUBLIC],
            "exercice": FiscalYear.current().label,
            "site_web": "https://www.ville.quebec.qc.ca",
            "montant": 15000,
        }

    def count_rows(self, added, changed):
        return [
            ngettext("{count} partnership added", "{count} partnerships added", added).format(
                count=format_number(added)
            ),
            ngettext("{count} partnership changed", "{count} partnerships changed", changed).format(
                count=format_number(changed)
            ),
        ]

    # Import

    def import_related(self, partnership, row):
        """Read the organisation; a blank ``site_web`` keeps a known organisation's website, « (vide) » clears it."""
        problems = {}
        name = " ".join(cell_text(row.get("nom")).split())
        organisation = self.organisation_index.get(name) if name else None
        cell = row.get("site_web")
        website_field = Organisation._meta.get_field("website")
        if organisation is not None and cell_text(cell) == "":
            website = organisation.website
        else:
            try:
                website = website_field.clean("" if is_clear_marker(cell) else cell_text(cell), None)
            except ValidationError as error:
                problems["site_web"] = error.messages
                website = ""
        if not name:
            problems["nom"] = [_("The name of the organisation is missing.")]
        elif len(name) > Organisation._meta.get_field("name").max_length:
            problems["nom"] = [_("The name « {name} » is too long.").format(name=name)]
        if organisation is not None:
            partnership.organisation = organisation
        self.pending = {"name": name, "organisation": organisation, "website": website}
        return problems

    def unvalidated_fields(self, partnership):
        # A new organisation is created only once the whole row is valid.
        return ["organisation"] if self.pending.get("organisation") is None else []

    def related_unchanged(self, partnership):
        organisation = self.pending["organisation"]
        return organisation is not None and organisation.website == self.pending["website"]

    def before_save_instance(self, partnership, row, **kwargs):
        super().before_save_instance(partnership, row, **kwargs)
        organisation = self.pending["organisation"]
        if organisation is None:
            organisation = Organisation.objects.create(name=self.pending["name"], website=self.pending["website"])
            self.organisation_index.add(organisation)
        elif organisation.website != self.pending["website"]:
            organisation.website = self.pending["website"]
            organisation.save(update_fields=["website"])
        partnership.organisation = organisation
