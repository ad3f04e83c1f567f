"""The activities spreadsheet (DESIGN.md, « Spreadsheet contract »), keyed on ``date`` + ``titre``."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy
from import_export import resources
from import_export.fields import Field

from members.models import Territory
from partners.models import Organisation
from pole.fiscal_years import FiscalYear
from pole.formatting import format_number
from pole.spreadsheets.cells import (
    MEASURE_SEPARATOR,
    ChoiceWidget,
    DateWidget,
    NameIndex,
    NameWidget,
    TextWidget,
    WholeNumberWidget,
    fold,
    is_clear_marker,
    join_list,
    parse_whole_number,
    quoted,
    split_list,
)
from pole.spreadsheets.resources import SpreadsheetResource, pending_lists

from .models import Activity, Measure, Objective, Registration

ROLES = {
    Activity.Role.REALISATION: "réalisation",
    Activity.Role.CO_REALISATION: "co-réalisation",
    Activity.Role.REPRESENTATION: "représentation",
}

UNKNOWN_TERRITORY = gettext_lazy("Unknown territory « {name} ». Known territories: {known}.")
KNOWN_TERRITORIES = gettext_lazy("A territory, among: {known}.")


class ActivityResource(SpreadsheetResource):
    """Activities with their objectives, measures and co-organising partners."""

    start_date = Field(attribute="start_date", column_name="date", widget=DateWidget())
    end_date = Field(attribute="end_date", column_name="date_fin", widget=DateWidget())
    title = Field(attribute="title", column_name="titre", widget=TextWidget())
    objectives = Field(column_name="objectifs")
    territory = Field(
        attribute="territory",
        column_name="territoire",
        widget=NameWidget(Territory, UNKNOWN_TERRITORY, KNOWN_TERRITORIES),
    )
    place = Field(attribute="place", column_name="lieu", widget=TextWidget())
    role = Field(
        attribute="role", column_name="role", widget=ChoiceWidget(ROLES, aliases={"coréalisation": "co_realisation"})
    )
    participants = Field(attribute="participants", column_name="participants", widget=WholeNumberWidget())
    measures = Field(column_name="mesures")
    partners = Field(column_name="partenaires")

    related_fields = ("territory",)
    related_lists = ("objectives", "measures", "partners")
    key_columns = ("date", "titre")
    file_stem = "activites"
    column_rules = {
        "date_fin": gettext_lazy("For an activity of several days; not before its date."),
        "lieu": gettext_lazy("The place, such as Saint-Raymond."),
        "mesures": gettext_lazy(
            "Measures separated by « ; », each a label, « = » and a whole number, such as "
            "acheteurs institutionnels=23;rencontres d'affaires individuelles=47."
        ),
        "partenaires": gettext_lazy(
            "The co-organising organisations' names separated by « ; »; an unknown name adds an organisation."
        ),
    }
    column_labels = {
        "date": pgettext_lazy("spreadsheet column", "Date"),
        "date_fin": pgettext_lazy("spreadsheet column", "End date"),
        "titre": pgettext_lazy("spreadsheet column", "Title"),
        "objectifs": pgettext_lazy("spreadsheet column", "Objectives"),
        "territoire": pgettext_lazy("spreadsheet column", "Territory"),
        "lieu": pgettext_lazy("spreadsheet column", "Place"),
        "role": pgettext_lazy("spreadsheet column", "Role"),
        "participants": pgettext_lazy("spreadsheet column", "Participants"),
        "mesures": pgettext_lazy("spreadsheet column", "Measures"),
        "partenaires": pgettext_lazy("spreadsheet column", "Partners"),
    }
    # A list given in a cell becomes the activity's list (the preview names what it removes);
    # a blank cell keeps the saved list, « (vide) » empties it.
    list_columns = ("objectifs", "mesures", "partenaires")
    # The constraints need no query per row: the key (date + title) is looked up among
    # every activity read once (a new row's key matches none, and a file gives each key
    # once), the participants widget refuses negative counts and ``Activity.clean()`` an
    # end before the start. The database still enforces all of them.
    validate_constraints_in_database = False

    class Meta:
        model = Activity
        fields = (
            "start_date",
            "end_date",
            "title",
            "objectives",
            "territory",
            "place",
            "role",
            "participants",
            "measures",
            "partners",
        )
        import_id_fields = ("start_date", "title")
        # Rows are written a thousand at a time (with their objectives, measures and
        # partners, see ``flush_related``), not one INSERT and savepoint per row. The
        # import stays all or nothing: it runs in one transaction, rolled back on any error.
        use_bulk = True
        batch_size = 1000

    def row_key(self, row):
        return (self.fields["start_date"].widget.clean(row.get("date")), fold(row.get("titre")))

    def instance_key(self, activity):
        return (activity.start_date, fold(activity.title))

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.objective_index = NameIndex(Objective.objects.all())
        self.organisation_index = NameIndex(Organisation.objects.all())
        self.queued = []
        self.saving_new = False

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        self.stamp_auto_now(self.update_instances)
        super().bulk_update(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        """Create the pending new activities, then their objectives, measures and partners."""
        super().bulk_create(using_transactions, dry_run, raise_errors, batch_size=batch_size, result=result)
        self.flush_related()

    # Export

    # A row being imported (the preview) shows its lists as read from the file.

    def dehydrate_objectives(self, activity):
        pending = pending_lists(activity)
        if pending is not None:
            return join_list(objective.name for objective in pending["objectives"])
        if activity.pk is None:
            return ""
        return join_list(objective.name for objective in activity.objectives.all())

    def dehydrate_measures(self, activity):
        pending = pending_lists(activity)
        if pending is not None:
            measures = pending["measures"]
        elif activity.pk is None:
            return ""
        else:
            measures = [(measure.label, measure.value) for measure in activity.measures.all()]
        return join_list(f"{label}{MEASURE_SEPARATOR}{value}" for label, value in measures)

    def dehydrate_partners(self, activity):
        pending = pending_lists(activity)
        if pending is not None:
            return join_list(pending["partners"].values())
        if activity.pk is None:
            return ""
        return join_list(organisation.name for organisation in activity.partners.all())

    def example_row(self):
        objective = Objective.objects.order_by("order").first()
        territory = Territory.objects.order_by("order", "name").first()
        return {
            "date": FiscalYear.current().start_date.replace(day=13).isoformat(),
            "date_fin": "",
            "titre": "Formation en comptabilité",
            "objectifs": objective.name if objective else "",
            "territoire": territory.name if territory else "",
            "lieu": "Saint-Raymond",
            "role": ROLES[Activity.Role.REALISATION],
            "participants": 12,
            "mesures": join_list(["entreprises participantes=7"]),
            "partenaires": "",
        }

    # Import

    def count_rows(self, added, changed):
        return [
            ngettext("{count} activity added", "{count} activities added", added).format(count=format_number(added)),
            ngettext("{count} activity changed", "{count} activities changed", changed).format(
                count=format_number(changed)
            ),
        ]

    def column_help(self):
        rows = super().column_help()
        known = quoted(self.objective_names()) or "—"
        rule = _("Objectives separated by « ; », among: {known}.").format(known=known)
        return [(column, f"{rule} {text}" if column == "objectifs" else text) for column, text in rows]

    def objective_names(self):
        return NameIndex(Objective.objects.all()).names()

    def import_related(self, activity, row):
        """Read the list columns: a blank cell keeps a saved activity's list, « (vide) » empties it."""
        problems = {}
        objectives = []
        if self.keeps_saved(activity, row.get("objectifs")):
            objectives = list(activity.objectives.all())
        for name in self.list_items(row.get("objectifs")):
            objective = self.objective_index.get(name)
            if objective is None:
                problems.setdefault("objectifs", []).append(
                    _("Unknown objective « {name} ». Known objectives: {known}.").format(
                        name=name, known=quoted(self.objective_index.names())
                    )
                )
            elif objective not in objectives:
                objectives.append(objective)

        measures, labels = [], {}
        if self.keeps_saved(activity, row.get("mesures")):
            measures = [(measure.label, measure.value) for measure in activity.measures.all()]
        for item in self.list_items(row.get("mesures")):
            label, separator, value = item.rpartition(MEASURE_SEPARATOR)
            label = " ".join(label.split())
            try:
                if not separator or not label or len(label) > Measure._meta.get_field("label").max_length:
                    raise ValueError
                count = parse_whole_number(value)
            except ValueError:
                problems.setdefault("mesures", []).append(
                    _("« {item} » is not a measure such as « acheteurs institutionnels=23 ».").format(item=item)
                )
                continue
            if fold(label) in labels:
                problems.setdefault("mesures", []).append(
                    _("The measure « {label} » is given twice.").format(label=label)
                )
                continue
            labels[fold(label)] = label
            measures.append((label, count))

        partners = {}
        if self.keeps_saved(activity, row.get("partenaires")):
            partners = {fold(organisation.name): organisation.name for organisation in activity.partners.all()}
        for name in self.list_items(row.get("partenaires")):
            name = " ".join(name.split())
            if len(name) > Organisation._meta.get_field("name").max_length:
                problems.setdefault("partenaires", []).append(_("The name « {name} » is too long.").format(name=name))
            partners.setdefault(fold(name), name)

        self.pending = {"objectives": objectives, "measures": measures, "partners": partners}
        return problems

    @staticmethod
    def list_items(cell):
        return [] if is_clear_marker(cell) else split_list(cell)

    def related_unchanged(self, activity):
        pending = self.pending
        return (
            {objective.pk for objective in activity.objectives.all()} == {o.pk for o in pending["objectives"]}
            and [(measure.label, measure.value) for measure in activity.measures.all()] == pending["measures"]
            and {fold(organisation.name) for organisation in activity.partners.all()} == set(pending["partners"])
        )

    def unvalidated_fields(self, instance):
        # The territory widget returns a territory read from the database (or none):
        # checking that it exists would cost a query per row.
        return [*super().unvalidated_fields(instance), "territory"]

    def save_instance(self, instance, is_create, row, **kwargs):
        self.saving_new = is_create
        super().save_instance(instance, is_create, row, **kwargs)

    def save_related(self, activity):
        """Write the objectives, the measures (in the file's order) and the partners, creating unknown ones.

        A new activity has none yet, nor a primary key: its lists are queued and
        written in bulk once the activities are (``bulk_create``).
        """
        if self.saving_new:
            self.queued.append((activity, self.pending))
            return
        activity.objectives.set(self.pending["objectives"])

        current = {fold(measure.label): measure for measure in Measure.objects.filter(activity=activity)}
        for order, (label, value) in enumerate(self.pending["measures"]):
            measure = current.pop(fold(label), None)
            if measure is None:
                Measure.objects.create(activity=activity, label=label, value=value, order=order)
            elif (measure.label, measure.value, measure.order) != (label, value, order):
                measure.label, measure.value, measure.order = label, value, order
                measure.save(update_fields=["label", "value", "order"])
        if current:
            Measure.objects.filter(pk__in=[measure.pk for measure in current.values()]).delete()

        partners = []
        for name in self.pending["partners"].values():
            organisation = self.organisation_index.get(name)
            if organisation is None:
                # Unknown partner names become organisations (DESIGN.md).
                organisation = Organisation.objects.create(name=name)
                self.organisation_index.add(organisation)
            partners.append(organisation)
        activity.partners.set(partners)

        cache = getattr(activity, "_prefetched_objects_cache", {})
        for name in ("objectives", "measures", "partners"):
            cache.pop(name, None)

    def _organisation(self, name):
        organisation = self.organisation_index.get(name)
        if organisation is None:
            # Unknown partner names become organisations (DESIGN.md).
            organisation = Organisation.objects.create(name=name)
            self.organisation_index.add(organisation)
        return organisation

    def flush_related(self):
        """Write the queued new activities' objectives, measures and partners: three bulk inserts."""
        # Activities left without a primary key were not written (a dry run without
        # transactions, or a failed batch, already reported): nothing to attach to.
        queued, self.queued = [(a, p) for a, p in getattr(self, "queued", []) if a.pk is not None], []
        if not queued:
            return
        ActivityObjective = Activity.objectives.through
        ActivityPartner = Activity.partners.through
        objective_links, measures, partner_links = [], [], []
        for activity, pending in queued:
            objective_links.extend(
                ActivityObjective(activity_id=activity.pk, objective_id=objective.pk)
                for objective in pending["objectives"]
            )
            measures.extend(
                Measure(activity_id=activity.pk, label=label, value=value, order=order)
                for order, (label, value) in enumerate(pending["measures"])
            )
            organisation_ids = dict.fromkeys(self._organisation(name).pk for name in pending["partners"].values())
            partner_links.extend(
                ActivityPartner(activity_id=activity.pk, organisation_id=pk) for pk in organisation_ids
            )
        ActivityObjective.objects.bulk_create(objective_links, batch_size=self._meta.batch_size)
        Measure.objects.bulk_create(measures, batch_size=self._meta.batch_size)
        ActivityPartner.objects.bulk_create(partner_links, batch_size=self._meta.batch_size)


class RegistrationResource(resources.ModelResource):
    """An event's registrants, for staff (export only): CSV or XLSX with French columns.

    The file is written by ``pole.spreadsheets.writers``, which makes every text cell safe
    for spreadsheets (no control character, no formula).
    """

    activity = Field(column_name="activite", attribute="activity__title", widget=TextWidget())
    date = Field(column_name="date", attribute="activity__start_date", widget=DateWidget())
    name = Field(column_name="nom", attribute="name", widget=TextWidget())
    email = Field(column_name="courriel", attribute="email", widget=TextWidget())
    organisation = Field(column_name="organisation", attribute="organisation_name", widget=TextWidget())
    is_member = Field(column_name="membre", widget=TextWidget())
    phone = Field(column_name="telephone", attribute="phone", widget=TextWidget())
    needs = Field(column_name="besoins", attribute="needs", widget=TextWidget())
    status = Field(column_name="statut", widget=TextWidget())
    present = Field(column_name="present", widget=TextWidget())
    walk_in = Field(column_name="sans_inscription", widget=TextWidget())
    price = Field(column_name="tarif", attribute="price", widget=TextWidget())
    paid = Field(column_name="paye", widget=TextWidget())
    created_at = Field(column_name="inscrit_le", widget=TextWidget())

    class Meta:
        model = Registration
        fields = (
            "activity",
            "date",
            "name",
            "email",
            "organisation",
            "is_member",
            "phone",
            "needs",
            "status",
            "present",
            "walk_in",
            "price",
            "paid",
            "created_at",
        )
        export_order = fields

    @staticmethod
    def _yes_no(value):
        return _("yes") if value else _("no")

    def dehydrate_is_member(self, registration):
        return self._yes_no(registration.member_id)

    def dehydrate_status(self, registration):
        return str(registration.get_status_display())

    def dehydrate_present(self, registration):
        return self._yes_no(registration.present)

    def dehydrate_walk_in(self, registration):
        return self._yes_no(registration.walk_in)

    def dehydrate_paid(self, registration):
        return self._yes_no(registration.paid)

    def dehydrate_created_at(self, registration):
        return timezone.localtime(registration.created_at).strftime("%Y-%m-%d %H:%M")
