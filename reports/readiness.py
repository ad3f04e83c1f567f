"""What the director checks before exporting a year's report: what the year lacks, figures, missing data.

A real year is sparser than the demo: the page names each thing the report would print
wrongly or not at all, with a link to where it is fixed.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from activities.models import Activity, Objective, Project, ProjectYear
from members.models import BoardMandate, Member, StaffMember
from partners.models import Affiliation, CommitteeSeat, Partnership
from pole.collation import french_order
from pole.fiscal_years import FiscalYear
from pole.formatting import format_signed
from pole.missing_data import checks_for, records_missing
from reports.models import DECLARED_ONLY_FIGURES, Figure, ReportMessage
from reports.publishing import drift
from reports.report import format_figure, get_report
from reports.services import fiscal_years_with_data
from reports.statistics import percentage, year_figures

# A change of more than this many per cent from the previous year is worth a second look.
IMPLAUSIBLE_CHANGE = 100


@dataclass
class Item:
    """One thing to fix before publishing: what, and where (a link, or a button posting to ``action``)."""

    text: str
    url: str = ""
    link_text: str = ""
    action: str = ""
    action_text: str = ""


def _admin_url(instance):
    meta = instance._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[instance.pk])


def _missing(instance, label, problems):
    return {"label": label, "problems": problems, "url": _admin_url(instance)}


def readiness_check(fiscal_year):
    """Return the declared figures beside the computed ones, and every record missing data."""
    fiscal_year = FiscalYear.parse(fiscal_year)
    report = get_report(fiscal_year)
    figures = year_figures(fiscal_year)
    declared = {d.figure: d for d in report.declared_figures.all()} if report else {}

    figure_rows = []
    for figure, label in Figure.choices:
        computed = figures.value(figure)
        entry = declared.get(figure)
        figure_rows.append(
            {
                "label": label,
                "computed": "—" if figure in DECLARED_ONLY_FIGURES else format_figure(figure, computed),
                "declared": format_figure(figure, entry.value) if entry else "",
                "note": entry.note if entry else "",
                "differs": bool(entry) and figure not in DECLARED_ONLY_FIGURES and entry.value != computed,
            }
        )

    # The same definitions as the dashboard's and the admin lists' « données manquantes ».
    activities = [
        _missing(activity, str(activity), activity.missing)
        for activity in records_missing(
            Activity.objects.in_fiscal_year(fiscal_year).select_related("territory").order_by("start_date"),
            checks_for(Activity),
        )
    ]
    members = [
        _missing(member, member.name, member.missing)
        for member in records_missing(Member.objects.in_fiscal_year(fiscal_year).order_by(french_order("name")), checks_for(Member))
    ]
    partners = [
        _missing(partnership.organisation, partnership.organisation.name, partnership.missing)
        for partnership in records_missing(
            Partnership.objects.in_fiscal_year(fiscal_year).select_related("organisation"), checks_for(Partnership)
        )
    ]
    people = [
        _missing(person, person.name, [_("no photo")])
        for model in (BoardMandate, StaffMember)
        for person in model.objects.in_fiscal_year(fiscal_year).filter(photo="")
    ]
    previous = year_figures(fiscal_year.previous)
    items = year_items(fiscal_year, report, figures, previous)
    versions = list(report.versions.select_related("published_by").order_by("-number")) if report else []
    return {
        "versions": versions,
        "drift": drift(report) if report is not None and report.is_published and versions else None,
        "fiscal_year": fiscal_year,
        "report": report,
        "items": items,
        "can_preview": report is not None or fiscal_year in fiscal_years_with_data(),
        "figure_rows": figure_rows,
        "activities": activities,
        "members": members,
        "partners": partners,
        "people": people,
        "problem_count": len(activities) + len(members) + len(partners) + len(people),
    }


def _admin(name, *args, query=None):
    url = reverse(f"admin:{name}", args=args)
    return f"{url}?{urlencode(query)}" if query else url


@dataclass(frozen=True)
class YearUnderCheck:
    """What every rule reads: the year, its report (or None) and both years' figures."""

    fiscal_year: FiscalYear
    report: object
    figures: object
    previous: object

    @property
    def label(self):
        return self.fiscal_year.label


def report_record_items(year):
    """The report record and its messages: they hold the report's own words."""
    if year.report is None:
        return [
            Item(
                _(
                    "This fiscal year has no annual report yet: no messages, no section introductions, no declared figures."
                ),
                action=reverse("reports:create", args=[year.label]),
                action_text=_("Create the %(year)s report") % {"year": year.label},
            )
        ]
    written = {
        message.kind: message
        for message in year.report.messages.annotate(signatory_count=Count("signatories")).order_by("order", "pk")
    }
    report_page = _admin("reports_annualreport_change", year.report.pk)
    items = []
    for kind, name in ReportMessage.Kind.choices:
        message = written.get(kind)
        if message is None:
            items.append(Item(_("The report has no « %(message)s ».") % {"message": name}, report_page, _("Write it")))
        elif not message.signatory_count:
            # A message prints its signatories' names and roles under it; without them it reads as anonymous.
            items.append(
                Item(
                    _("The « %(message)s » has no signatory: it would print unsigned.")
                    % {"message": message.heading or name},
                    f"{report_page}#messages-group",
                    _("Add its signatories"),
                )
            )
    return items


def membership_items(year):
    """Memberships of the year and the one before: the portrait and the comparisons need them."""
    items = []
    if not year.figures.members_recorded:
        items.append(
            Item(
                _("No membership is recorded for %(year)s: the members' portrait cannot print.") % {"year": year.label},
                _admin("members_member_import"),
                _("Import the members"),
            )
        )
    if not year.previous.members_recorded:
        items.append(
            Item(
                _("No membership is recorded for %(previous)s: growth and the comparison of members print « n.d. ».")
                % {"previous": year.fiscal_year.previous.label},
                _admin("members_member_import"),
                _("Import that year's members"),
            )
        )
    if not year.previous.activities_recorded:
        items.append(
            Item(
                _("No activity is recorded for %(previous)s: the comparison of activities prints « n.d. ».")
                % {"previous": year.fiscal_year.previous.label},
                _admin("activities_activity_import"),
                _("Import that year's activities"),
            )
        )
    return items


def objective_items(year):
    """Objectives without a counted activity: each keeps its number, and its section says so."""
    reported_by_objective = {row.objective.pk: row.activities for row in year.figures.by_objective}
    listed = set(
        Activity.objects.in_fiscal_year(year.fiscal_year)
        .filter(objectives__isnull=False)
        .values_list("objectives", flat=True)
        .distinct()
    )
    items = []
    for objective in Objective.objects.filter(report_block=""):
        if not reported_by_objective.get(objective.pk):
            text = _("No activity is recorded under « %(objective)s »: its section will say so.")
            if objective.pk in listed:
                text = _("Only representations are recorded under « %(objective)s »: its section lists no activity.")
            items.append(
                Item(
                    text % {"objective": objective.name},
                    _admin(
                        "activities_activity_changelist",
                        query={"exercice": year.label, "objectives__id__exact": objective.pk},
                    ),
                    _("See the activities"),
                )
            )
    return items


def project_items(year):
    """Projects running in the year without a text of that year: they print only with it."""
    this_year = ProjectYear.objects.filter(project=OuterRef("pk"), fiscal_year=year.fiscal_year)
    return [
        Item(
            _("The project « %(project)s » runs in %(year)s but has no text of that year: it will not print.")
            % {"project": project.title, "year": year.label},
            _admin("activities_project_change", project.pk),
            _("Write its text"),
        )
        for project in Project.objects.in_fiscal_year(year.fiscal_year).filter(~Exists(this_year)).order_by(french_order("title"))
    ]


def photo_items(year):
    """Photos without captions, and a year with no picture at all."""
    fiscal_year = year.fiscal_year
    items = [
        Item(
            _("The photo of « %(title)s » has no caption.") % {"title": activity.title},
            _admin("activities_activity_change", activity.pk),
            _("Add a caption"),
        )
        for activity in Activity.objects.in_fiscal_year(fiscal_year)
        .exclude(photo="")
        .filter(photo_caption="")
        .order_by("start_date")
    ]
    # A project's text may go without a photo; a photo may not go without its caption.
    texts = ProjectYear.objects.filter(fiscal_year=fiscal_year, photo_caption="").exclude(photo="")
    items += [
        Item(
            _("The photo of « %(project)s » for %(year)s has no caption.")
            % {"project": text.project.title, "year": year.label},
            _admin("activities_project_change", text.project_id),
            _("Add a caption"),
        )
        for text in texts.select_related("project").order_by(french_order("project__title"))
    ]
    photos = Activity.objects.in_fiscal_year(fiscal_year).reported().exclude(photo="")
    if (
        year.figures.activities_recorded
        and not photos.exists()
        and not ProjectYear.objects.filter(fiscal_year=fiscal_year).exclude(photo="").exists()
    ):
        items.append(
            Item(
                _("No activity or project of %(year)s has a photo: the report will have no pictures.")
                % {"year": year.label},
                _admin("activities_activity_changelist", query={"exercice": year.label}),
                _("Add photos"),
            )
        )
    return items


def partner_items(year):
    """The page thanking the partners, and the network's affiliations and committee seats."""
    items = []
    if not Partnership.objects.in_fiscal_year(year.fiscal_year).exists():
        items.append(
            Item(
                _("No partnership is recorded for %(year)s: the page thanking the partners will not print.")
                % {"year": year.label},
                _admin("partners_partnership_import"),
                _("Import the partners"),
            )
        )
    network = Objective.objects.filter(report_block=Objective.ReportBlock.NETWORK).first()
    seats = Affiliation.objects.in_fiscal_year(year.fiscal_year).exists() or (
        CommitteeSeat.objects.in_fiscal_year(year.fiscal_year).exists()
    )
    if network is not None and not seats:
        items.append(
            Item(
                _("No affiliation or committee seat is recorded for %(year)s: « %(objective)s » will list none.")
                % {"year": year.label, "objective": network.name},
                _admin("partners_affiliation_add"),
                _("Add them"),
            )
        )
    return items


# The figures whose jump from the previous year is worth a second look, and where to look.
CHECKED_CHANGES = (
    (Figure.MEMBERS, "members_member_changelist"),
    (Figure.ACTIVITIES, "activities_activity_changelist"),
    (Figure.PARTICIPANTS, "activities_activity_changelist"),
)


def figure_change_items(year):
    """Figures that jump by more than ``IMPLAUSIBLE_CHANGE`` per cent (members: that fall by half)."""
    items = []
    for figure, url_name in CHECKED_CHANGES:
        value, before = year.figures.value(figure), year.previous.value(figure)
        if value is None or not before:
            continue
        change = percentage(value - before, before)
        if abs(change) > IMPLAUSIBLE_CHANGE or (figure == Figure.MEMBERS and change < -50):
            items.append(
                Item(
                    _(
                        "%(figure)s: %(value)s against %(previous)s in %(year)s (%(change)s %%): check that nothing is missing."
                    )
                    % {
                        "figure": Figure(figure).label.capitalize(),
                        "value": format_figure(figure, value),
                        "previous": format_figure(figure, before),
                        "year": year.fiscal_year.previous.label,
                        "change": format_signed(change),
                    },
                    _admin(url_name, query={"exercice": year.label}),
                    _("See the list"),
                )
            )
    return items


# Every rule, most important first; each returns the ``Item`` list of one concern.
RULES = (
    report_record_items,
    membership_items,
    objective_items,
    project_items,
    photo_items,
    partner_items,
    figure_change_items,
)


def year_items(fiscal_year, report, figures, previous):
    """Return every ``Item`` the year lacks for its report, most important first. A fixed number of queries."""
    year = YearUnderCheck(fiscal_year, report, figures, previous)
    return [item for rule in RULES for item in rule(year)]
