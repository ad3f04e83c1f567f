"""The members spreadsheet (DESIGN.md, « Spreadsheet contract »), keyed on ``nom``.

The import writes in bulk: members a thousand at a time with their history records
(``bulk_create_with_history``), then their memberships, instead of an INSERT, a
savepoint and a lookup of memberships per row. Every name a row refers to is looked up
in a dictionary read once per import: the territories by the ``territoire`` widget's
``NameIndex`` (a column naming another managed list, such as sectors, does the same).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from import_export.fields import Field
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from pole.fiscal_years import FiscalYear
from pole.formatting import format_number
from pole.spreadsheets.cells import (
    ChoiceWidget,
    NameWidget,
    TextWidget,
    YearWidget,
    cell_text,
    fold,
    is_clear_marker,
    join_list,
    parse_fiscal_year,
    split_list,
)
from pole.spreadsheets.resources import SpreadsheetResource, pending_lists

from .models import Member, Membership, Sector, Territory

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


class SectorWidget(NameWidget):
    """A sector named in the file, matched ignoring case and accents; an unknown name adds a sector.

    New sectors are kept unsaved in the index (so every row naming one shares it) and written
    in one insert before the members (``MemberResource.save_new_sectors``); staff can merge
    near-duplicates later.
    """

    def __init__(self):
        super().__init__(Sector, unknown_message="", known_message=SECTOR_RULE)

    def clean(self, value, row=None, **kwargs):
        name = " ".join(cell_text(value).split())
        if not name:
            return None
        if len(name) > Sector._meta.get_field("name").max_length:
            raise ValueError(_("« {value} » is too long for a sector's name.").format(value=name))
        found = self.index.get(name)
        if found is None:
            found = Sector(name=name)
            self.index.add(found)
        return found

    def new_sectors(self):
        return [sector for sector in self.index.rows.values() if sector.pk is None]


UNKNOWN_TERRITORY = gettext_lazy("Unknown territory « {name} ». Known territories: {known}.")
KNOWN_TERRITORIES = gettext_lazy("A territory, among: {known}.")
NOT_REMOVED_BY_IMPORT = gettext_lazy(
    "« {item} »: an import does not remove memberships; delete one on the member's page in the admin."
)
SECTOR_RULE = gettext_lazy(
    "A sector's name, matched ignoring case and accents, such as Alimentation; an unknown name adds a sector. "
    "Known sectors: {known}."
)


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
    territory = Field(
        attribute="territory",
        column_name="territoire",
        widget=NameWidget(Territory, UNKNOWN_TERRITORY, KNOWN_TERRITORIES),
    )
    setting = Field(attribute="setting", column_name="milieu", widget=ChoiceWidget(SETTINGS))
    sector = Field(attribute="sector", column_name="secteur", widget=SectorWidget())
    email = Field(attribute="email", column_name="courriel", widget=TextWidget())
    phone = Field(attribute="phone", column_name="telephone", widget=TextWidget())
    website = Field(attribute="website", column_name="site_web", widget=TextWidget())
    address = Field(attribute="address", column_name="adresse", widget=TextWidget())
    memberships = Field(column_name="adhesions")

    related_fields = ("territory", "sector")
    related_lists = ("memberships",)
    key_columns = ("nom",)
    file_stem = "membres"
    column_rules = {
        "courriel": gettext_lazy("An e-mail address."),
        "telephone": gettext_lazy("A phone number such as 418 555-0134."),
        "site_web": gettext_lazy("A web address such as https://www.exemple.org."),
        "adresse": gettext_lazy("The postal address; it may span several lines."),
        "adhesions": gettext_lazy(
            "Fiscal years of membership to add, separated by « ; », such as 2017-2018. A year already held is "
            "kept with its dues, invoice and payment; a year the cell leaves out is kept too. An import never "
            "removes a membership: delete it on the member's page, where its invoice and payment are checked."
        ),
    }
    column_labels = {
        "nom": pgettext_lazy("spreadsheet column", "Name"),
        "forme_juridique": pgettext_lazy("spreadsheet column", "Legal form"),
        "categorie": pgettext_lazy("spreadsheet column", "Category"),
        "annee_fondation": pgettext_lazy("spreadsheet column", "Founding year"),
        "territoire": pgettext_lazy("spreadsheet column", "Territory"),
        "milieu": pgettext_lazy("spreadsheet column", "Setting"),
        "secteur": pgettext_lazy("spreadsheet column", "Sector"),
        "courriel": pgettext_lazy("spreadsheet column", "E-mail"),
        "telephone": pgettext_lazy("spreadsheet column", "Phone"),
        "site_web": pgettext_lazy("spreadsheet column", "Website"),
        "adresse": pgettext_lazy("spreadsheet column", "Address"),
        "adhesions": pgettext_lazy("spreadsheet column", "Memberships"),
    }
    list_columns = ("adhesions",)
    # No query per row: the name is looked up among every member read once (see
    # ``clean_instance``), the year widget keeps founding years plausible, and the
    # territory comes from the territories read once. The database still enforces all of it.
    validate_constraints_in_database = False

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
        # Members are written a thousand at a time, with their history and memberships (see
        # ``bulk_create``): no INSERT and savepoint per row. The import stays all or nothing:
        # it runs in one transaction, rolled back on any error.
        use_bulk = True
        batch_size = 1000

    def row_key(self, row):
        return (fold(row.get("nom")),)

    def instance_key(self, member):
        return (fold(member.name),)

    # Export

    def dehydrate_memberships(self, member):
        pending = pending_lists(member)
        if pending is not None:
            years = pending["memberships"]
        elif member.pk is None:
            return ""
        else:
            years = [membership.fiscal_year for membership in member.memberships.all()]
        return join_list(year.label for year in sorted(years))

    def example_row(self):
        current = FiscalYear.current()
        territory = Territory.objects.order_by("order", "name").first()
        return {
            "nom": "Coopérative de solidarité Exemple",
            "forme_juridique": LEGAL_FORMS[Member.LegalForm.COOPERATIVE],
            "categorie": CATEGORIES[Member.Category.REGULAR],
            "annee_fondation": 1987,
            "territoire": territory.name if territory else "",
            "milieu": SETTINGS[Member.Setting.URBAN],
            "secteur": "Alimentation",
            "courriel": "info@exemple.org",
            "telephone": "418 555-0134",
            "site_web": "https://www.exemple.org",
            "adresse": "12, rue Principale, Québec",
            "adhesions": join_list([current.previous.label, current.label]),
        }

    # Import

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        #: (member, its memberships before the import, the file's years), written after the members.
        self.queued = []

    def import_related(self, member, row):
        """Read the years to add: the member keeps every year it holds, whatever the cell says."""
        cell = row.get("adhesions")
        years = {membership.fiscal_year for membership in member.memberships.all()} if member.pk else set()
        problems = []
        if is_clear_marker(cell):
            problems.append(str(NOT_REMOVED_BY_IMPORT).format(item=cell_text(cell)))
            cell = ""
        for item in split_list(cell):
            if item.startswith(("-", "\u2212")):
                problems.append(str(NOT_REMOVED_BY_IMPORT).format(item=item))
                continue
            try:
                years.add(parse_fiscal_year(item))
            except ValueError as error:
                problems.append(str(error))
        self.pending["memberships"] = years
        return {"adhesions": problems} if problems else {}

    def count_rows(self, added, changed):
        return [
            ngettext("{count} member added", "{count} members added", added).format(count=format_number(added)),
            ngettext("{count} member changed", "{count} members changed", changed).format(
                count=format_number(changed)
            ),
        ]

    def count_list_changes(self, rows):
        added = sum(len(change.added) for row in rows for change in row.changes if change.is_list)
        removed = sum(len(change.removed) for row in rows for change in row.changes if change.is_list)
        return [
            ngettext("{count} membership added", "{count} memberships added", added).format(
                count=format_number(added)
            ),
            ngettext("{count} membership removed", "{count} memberships removed", removed).format(
                count=format_number(removed)
            ),
        ]

    def related_unchanged(self, member):
        return {membership.fiscal_year for membership in member.memberships.all()} == self.pending["memberships"]

    def unvalidated_fields(self, member):
        # The territory and sector widgets return rows read from the database (or a new
        # sector, written before the members): checking that they exist would cost a query per row.
        return [*super().unvalidated_fields(member), "territory", "sector"]

    def clean_instance(self, member):
        """Apply ``Member.clean()`` but its query for another member of the same name.

        That query would run once per row; here the name was already looked up among
        every member read once (a row naming a saved member, ignoring case and
        accents, updates it) and a file gives each name once.
        """
        member.clean_own_fields()

    def save_instance(self, member, is_create, row, **kwargs):
        if not is_create and self.own_fields_unchanged:
            # Only the adhesions change: the member's row, and its history, stay as they are.
            return
        super().save_instance(member, is_create, row, **kwargs)

    def save_related(self, member):
        # A new member has no primary key yet: its memberships are written once it has.
        before = list(member.memberships.all()) if member.pk is not None else []
        self.queued.append((member, before, self.pending["memberships"]))

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Create the pending new members with their history records, then the queued memberships."""
        if self.create_instances and (using_transactions or not dry_run):
            self.save_new_sectors()
            members = list(self.create_instances)
            try:
                created = bulk_create_with_history(members, Member, batch_size=batch_size)
                # Without RETURNING, django-simple-history reads the rows back, in the same order.
                for member, saved in zip(members, created, strict=True):
                    member.pk = saved.pk
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.create_instances.clear()
        self.flush_memberships()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Update the pending changed members with their history records, then the queued memberships."""
        if self.update_instances and (using_transactions or not dry_run):
            self.save_new_sectors()
            self.stamp_auto_now(self.update_instances)
            try:
                bulk_update_with_history(
                    self.update_instances, Member, self.get_bulk_update_fields(), batch_size=batch_size
                )
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.update_instances.clear()
        self.flush_memberships()

    def save_new_sectors(self):
        """Write the sectors the file names for the first time: one insert for all."""
        new = self.fields["sector"].widget.new_sectors()
        for sector in new:
            sector.key = Sector.key_for(sector.name)
        Sector.objects.bulk_create(new)
        if new and any(sector.pk is None for sector in new):
            # A database that cannot return the new keys from a bulk insert: read them back.
            saved = dict(Sector.objects.filter(key__in=[s.key for s in new]).values_list("key", "pk"))
            for sector in new:
                sector.pk = saved[sector.key]

    def flush_memberships(self):
        """Add the file's new years to each saved queued member: one insert for all.

        An import never deletes a membership (``import_related`` keeps every year held).
        """
        ready = [entry for entry in getattr(self, "queued", []) if entry[0].pk is not None]
        if not ready:
            return
        self.queued = [entry for entry in self.queued if entry[0].pk is None]
        new = []
        for member, before, years in ready:
            held = {membership.fiscal_year for membership in before}
            new.extend(Membership(member=member, fiscal_year=year) for year in sorted(years) if year not in held)
        Membership.objects.bulk_create(new, batch_size=self._meta.batch_size)
