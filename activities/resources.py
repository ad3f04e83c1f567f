"""The activities spreadsheet (DESIGN.md, « Spreadsheet contract »), keyed on ``date`` + ``titre``."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.fields import Field

from members.models import Territory
from partners.models import Organisation
from pole.spreadsheets import (
    MEASURE_SEPARATOR,
    ChoiceWidget,
    DateWidget,
    NameIndex,
    NameWidget,
    SpreadsheetResource,
    TextWidget,
    WholeNumberWidget,
    fold,
    join_list,
    parse_whole_number,
    quoted,
    split_list,
)

from .models import Activity, Measure, Objective

ROLES = {
    Activity.Role.REALISATION: "réalisation",
    Activity.Role.CO_REALISATION: "co-réalisation",
    Activity.Role.REPRESENTATION: "représentation",
}

UNKNOWN_TERRITORY = gettext_lazy("Unknown territory « {name} ». Known territories: {known}.")


class ActivityResource(SpreadsheetResource):
    """Activities with their objectives, measures and co-organising partners."""

    start_date = Field(attribute="start_date", column_name="date", widget=DateWidget())
    end_date = Field(attribute="end_date", column_name="date_fin", widget=DateWidget())
    title = Field(attribute="title", column_name="titre", widget=TextWidget())
    objectives = Field(column_name="objectifs")
    territory = Field(attribute="territory", column_name="territoire", widget=NameWidget(Territory, UNKNOWN_TERRITORY))
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

    def row_key(self, row):
        return (self.fields["start_date"].widget.clean(row.get("date")), fold(row.get("titre")))

    def instance_key(self, activity):
        return (activity.start_date, fold(activity.title))

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self.objective_index = NameIndex(Objective.objects.all())
        self.organisation_index = NameIndex(Organisation.objects.all())

    # Export

    def dehydrate_objectives(self, activity):
        if activity.pk is None:
            return ""
        return join_list(objective.name for objective in activity.objectives.all())

    def dehydrate_measures(self, activity):
        if activity.pk is None:
            return ""
        return join_list(f"{measure.label}{MEASURE_SEPARATOR}{measure.value}" for measure in activity.measures.all())

    def dehydrate_partners(self, activity):
        if activity.pk is None:
            return ""
        return join_list(organisation.name for organisation in activity.partners.all())

    # Import

    def import_related(self, activity, row):
        problems = {}
        objectives = []
        for name in split_list(row.get("objectifs")):
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
        for item in split_list(row.get("mesures")):
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
        for name in split_list(row.get("partenaires")):
            name = " ".join(name.split())
            if len(name) > Organisation._meta.get_field("name").max_length:
                problems.setdefault("partenaires", []).append(_("The name « {name} » is too long.").format(name=name))
            partners.setdefault(fold(name), name)

        self.pending = {"objectives": objectives, "measures": measures, "partners": partners}
        return problems

    def related_unchanged(self, activity):
        pending = self.pending
        return (
            {objective.pk for objective in activity.objectives.all()} == {o.pk for o in pending["objectives"]}
            and [(measure.label, measure.value) for measure in activity.measures.all()] == pending["measures"]
            and {fold(organisation.name) for organisation in activity.partners.all()} == set(pending["partners"])
        )

    def save_related(self, activity):
        """Write the objectives, the measures (in the file's order) and the partners, creating unknown ones."""
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
