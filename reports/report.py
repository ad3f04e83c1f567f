"""The annual report's context: one plain structure, rendered to HTML and to PDF.

Everything a report template prints is materialised here (lists, strings,
numbers), so templates run no query. The number of queries does not depend on
the number of activities, members or partners.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import get_language, ngettext, to_locale
from django.utils.translation import gettext as _

from activities.models import Activity, Campaign, Objective, ProjectYear
from members.models import BoardMandate, StaffMember
from partners.models import Affiliation, CommitteeSeat, Partnership
from pole.collation import french_order
from pole.fiscal_years import FiscalYear
from pole.formatting import (
    format_date,
    format_number,
    format_percent,
    format_period,
    format_signed,
    not_available,
    with_minus,
)
from pole.identity import get_identity, palette, palette_css
from reports.models import AnnualReport, DeclaredFigure, Figure, ReportMessage
from reports.statistics import percentage, year_figures

PERCENT_FIGURES = {
    Figure.RURAL_SHARE,
    Figure.ASSOCIATIVE_SHARE,
    Figure.MEMBERSHIP_GROWTH,
    Figure.SOCIAL_MEDIA,
}


def tile_label(figure):
    """The words printed under a figure tile, as in the 2016-2017 report."""
    return {
        Figure.MEMBERS: _("members"),
        Figure.AVERAGE_AGE: _("years of average age"),
        Figure.RURAL_SHARE: _("in rural areas"),
        Figure.BUSINESS_GROUPS: _("business groups"),
        Figure.ASSOCIATIVE_SHARE: _("associative enterprises"),
        Figure.SOCIAL_MEDIA: _("social media"),
        Figure.BUSINESSES_REACHED: _("businesses reached"),
        Figure.ACTIVITIES: _("activities"),
        Figure.MEMBERSHIP_GROWTH: _("membership growth"),
        Figure.NEW_MEMBERS: _("first-time members"),
        Figure.PARTICIPANTS: _("participants"),
    }[figure]


PORTRAIT_TILES = [Figure.AVERAGE_AGE, Figure.RURAL_SHARE, Figure.BUSINESS_GROUPS, Figure.ASSOCIATIVE_SHARE]
HIGHLIGHT_TILES = [
    Figure.SOCIAL_MEDIA,
    Figure.BUSINESSES_REACHED,
    Figure.ACTIVITIES,
    Figure.MEMBERSHIP_GROWTH,
    Figure.PARTICIPANTS,
]
YEAR_OVER_YEAR = [
    Figure.MEMBERS,
    Figure.NEW_MEMBERS,
    Figure.MEMBERSHIP_GROWTH,
    Figure.AVERAGE_AGE,
    Figure.RURAL_SHARE,
    Figure.BUSINESS_GROUPS,
    Figure.ASSOCIATIVE_SHARE,
    Figure.ACTIVITIES,
    Figure.PARTICIPANTS,
]


CHART_COLOURS = ["#0f5c73", "#e5793a", "#5b9aa0", "#f2b134", "#8a5a83"]


SIGNED_FIGURES = {Figure.MEMBERSHIP_GROWTH}


def format_figure(figure, value):
    """Write a figure as the report prints it; « n.d. » when unknown, a sign on a rate of change."""
    if value is None:
        return not_available()
    text = format_percent(value) if figure in PERCENT_FIGURES else format_number(value)
    if figure in SIGNED_FIGURES and value > 0:
        text = f"+{text}"
    return with_minus(text)


@dataclass
class Tile:
    figure: str
    value: object
    text: str
    label: str
    declared: bool


def language_tag():
    """The active language as a BCP 47 tag (« fr-CA »), as HTML's lang and the PDF's /Lang want it."""
    return to_locale(get_language() or settings.LANGUAGE_CODE).replace("_", "-")


def paragraphs(text):
    """Split a text on empty lines into paragraphs."""
    return [" ".join(block.split()) for block in (text or "").replace("\r\n", "\n").split("\n\n") if block.strip()]


def media_url(file_field):
    return file_field.url if file_field else ""


def activity_outcome(activity, measures=None):
    """What follows the arrow: « 35 participants, dont 23 acheteurs institutionnels ».

    ``measures``: the activity's measures when already fetched (else read from the activity).
    """
    measures = activity.measures.all() if measures is None else measures
    measures = [f"{format_number(m.value)} {m.label}" for m in measures]
    # Annotated by ``with_counted_participants``: the attendance of an activity with registrations.
    participants = getattr(activity, "counted_participants", activity.participants)
    if participants is None:
        return ", ".join(measures)
    label = activity.participants_label or ngettext("participant", "participants", participants)
    text = f"{format_number(participants)} {label}"
    if measures:
        text = _("%(participants)s, including %(measures)s") % {
            "participants": text,
            "measures": ", ".join(measures),
        }
    return text


@dataclass
class Section:
    """One strategic objective's part of the report; ``number`` is its place in the strategic plan."""

    objective: Objective
    number: int
    block: str
    intro: dict | None
    activities: list = field(default_factory=list)
    representations: list = field(default_factory=list)
    projects: list = field(default_factory=list)
    campaigns: list = field(default_factory=list)
    photos: list = field(default_factory=list)
    # Its block (affiliations and committees) has nothing to show this year.
    block_empty: bool = False

    @property
    def is_short(self):
        """Nothing but its heading and the line saying no activity was recorded: no page of its own."""
        return not (
            (self.block and not self.block_empty)
            or self.intro or self.activities or self.representations or self.projects or self.campaigns
        )

    @property
    def lacks_activities(self):
        """An objective with no activity this year and no block of its own to show instead: it
        says so in one line, never a bare heading."""
        return not self.activities and (not self.block or self.block_empty)


def printed_values(figures, declared):
    """Map each figure to the value the report prints: declared, else computed."""
    values = {figure: figures.value(figure) for figure in Figure.values}
    values.update(declared)
    return values


def _declared(report):
    if report is None:
        return {}
    return {d.figure: d.value for d in report.declared_figures.all()}


def _tiles(keys, values, declared):
    """The tiles of ``keys`` that have a value: a figure the records cannot give is left out, not printed as 0."""
    tiles = []
    for figure in keys:
        value = values.get(figure)
        if value is None:
            continue
        tiles.append(Tile(figure, value, format_figure(figure, value), tile_label(figure), figure in declared))
    return tiles


def get_report(fiscal_year):
    """Return the year's AnnualReport with its editorial parts prefetched, or None."""
    return (
        AnnualReport.objects.filter(fiscal_year=fiscal_year)
        .prefetch_related(
            Prefetch("messages", ReportMessage.objects.prefetch_related("signatories")),
            "section_intros",
            "declared_figures",
        )
        .first()
    )


def build_report_context(fiscal_year, report=None):
    """Return everything the annual report of ``fiscal_year`` prints, as plain data."""
    fiscal_year = FiscalYear.parse(fiscal_year)
    if report is None:
        report = get_report(fiscal_year)
    objectives = list(Objective.objects.all())
    figures = year_figures(fiscal_year, objectives=objectives)
    previous_figures = year_figures(fiscal_year.previous, objectives=objectives)
    declared = _declared(report)
    previous_declared = {
        d.figure: d.value for d in DeclaredFigure.objects.filter(report__fiscal_year=fiscal_year.previous)
    }
    values = printed_values(figures, declared)
    previous_values = printed_values(previous_figures, previous_declared)

    sections = _sections(fiscal_year, report, objectives)
    objective_chart = _objective_chart(figures)
    messages = []
    if report:
        for message in report.messages.all():
            messages.append(
                {
                    "heading": message.heading or message.get_kind_display(),
                    "title": message.title,
                    "paragraphs": paragraphs(message.body),
                    "signatories": [{"name": s.name, "role": s.role} for s in message.signatories.all()],
                }
            )

    affiliations = [
        a.organisation.name for a in Affiliation.objects.in_fiscal_year(fiscal_year).select_related("organisation")
    ]
    committees = [c.name for c in CommitteeSeat.objects.in_fiscal_year(fiscal_year)]
    for section in sections:
        if section.block == Objective.ReportBlock.NETWORK and not affiliations and not committees:
            section.block_empty = True
    year_over_year = _year_over_year(values, previous_values)
    today = timezone.localdate()
    # The board and staff of the year: those in office on its last day, or today while it runs.
    in_office_on = min(fiscal_year.end_date, max(today, fiscal_year.start_date))

    identity = get_identity()
    board = [
        {
            "name": m.name,
            "role": m.get_role_display(),
            "organisation": m.organisation,
            # A photo prints only with the person's consent (members.BoardMandate.photo_consent).
            "photo": media_url(m.photo) if m.photo_consent else "",
            "alt": m.name,
            "initials": initials(m.name),
        }
        for m in BoardMandate.objects.in_office_on(in_office_on)
    ]
    staff = [
        {"name": s.name, "title": s.title, "role": s.title, "photo": media_url(s.photo) if s.photo_consent else "", "alt": s.name, "initials": initials(s.name)}
        for s in StaffMember.objects.in_office_on(in_office_on)
    ]
    return {
        "fiscal_year": fiscal_year,
        "title": _("Annual report %(year)s") % {"year": fiscal_year},
        "lang": language_tag(),
        "network": identity,
        "network_name": identity.name,
        "network_logo": media_url(identity.logo),
        "palette": {name.strip("-").replace("-", "_"): value for name, value in palette(identity).items()},
        "palette_css": palette_css(identity),
        "cover_dots": range(40, 260, 24),
        "cover_photo": _cover_photo(report),
        "tagline": report.tagline if report else "",
        "report": report,
        "is_published": bool(report and report.is_published),
        # An unpublished render says so, with its day, on every printed page.
        "draft_notice": "" if report and report.is_published else _("Draft — not adopted · %(day)s")
        % {"day": format_date(timezone.localdate())},
        "messages": messages,
        "sections": sections,
        "portrait_tiles": _tiles(PORTRAIT_TILES, values, declared),
        "highlight_tiles": _tiles(HIGHLIGHT_TILES, values, declared),
        "legal_form_chart": _legal_form_chart(figures),
        "objective_chart": objective_chart,
        "objective_chart_alt": _objective_chart_alt(objective_chart),
        "chart_notes": _chart_notes(figures, values, declared),
        "members_recorded": figures.members_recorded,
        "year_over_year": year_over_year,
        "year_over_year_note": _year_over_year_note(
            year_over_year, fiscal_year, declared=set(declared), previous_declared=set(previous_declared)
        ),
        "in_progress_note": _in_progress_note(fiscal_year, today),
        "previous_year": fiscal_year.previous,
        "affiliations": affiliations,
        "committees": committees,
        "board": board,
        "staff": staff,
        # Portraits when someone has one (a quiet monogram for the others); else names only.
        "people_have_photos": any(person["photo"] for person in board + staff),
        "partner_groups": _partner_groups(fiscal_year),
        "figures": figures,
    }


def _sections(fiscal_year, report, objectives):
    """One section per strategic objective, numbered by its place in the plan, whatever the year holds.

    Activities carried out or co-organised are listed, and so are representations, apart
    (they do not count in the figures). A project prints with its text of this fiscal year
    only; a project running without one is left for the readiness check to flag.
    """
    intros = {intro.objective_id: intro for intro in report.section_intros.all()} if report else {}
    sections = {
        objective.pk: Section(
            objective=objective,
            number=number,
            block=objective.report_block,
            intro=_intro(intros.get(objective.pk), objective),
        )
        for number, objective in enumerate(objectives, start=1)
    }
    activities = (
        Activity.objects.in_fiscal_year(fiscal_year)
        .with_counted_participants()
        .select_related("territory")
        .prefetch_related(
            # Into plain lists: a related manager's .all() per activity costs more than the query.
            Prefetch("objectives", Objective.objects.only("pk"), to_attr="objective_list"),
            Prefetch("measures", to_attr="measure_list"),
        )
        .order_by("start_date", french_order("title"))
    )
    for activity in activities:
        line = {
            "when": format_period(activity.start_date, activity.end_date),
            "title": activity.title,
            "outcome": activity_outcome(activity, activity.measure_list),
            "territory": activity.territory.name if activity.territory else "",
            "place": activity.place,
        }
        represented = activity.role == Activity.Role.REPRESENTATION
        for objective in activity.objective_list:
            section = sections[objective.pk]
            (section.representations if represented else section.activities).append(line)
            if activity.photo:
                section.photos.append(
                    {
                        "url": activity.photo.url,
                        "caption": activity.photo_caption,
                        "alt": activity.photo_caption or activity.title,
                    }
                )
    texts = (
        ProjectYear.objects.filter(fiscal_year=fiscal_year)
        .select_related("project")
        .order_by("project__objective__order", "project__order", french_order("project__title"))
    )
    for text in texts:
        project = text.project
        title = project.title
        if project.is_new_in(fiscal_year):
            title = _("New project: %(title)s") % {"title": title[:1].lower() + title[1:]}
        sections[project.objective_id].projects.append(
            {
                "title": title,
                "subtitle": project.subtitle,
                "paragraphs": paragraphs(text.body),
                "photo": media_url(text.photo),
                "caption": text.photo_caption,
                "alt": text.photo_caption or project.title,
            }
        )
    campaigns = (
        Campaign.objects.in_fiscal_year(fiscal_year).select_related("official_partner").prefetch_related("metrics")
    )
    for campaign in campaigns:
        sections[campaign.objective_id].campaigns.append(
            {
                "name": campaign.name,
                "official_partner": campaign.official_partner.name if campaign.official_partner else "",
                "paragraphs": paragraphs(campaign.body),
                "metrics": [f"{format_number(m.value)} {m.label}" for m in campaign.metrics.all()],
                "closing": paragraphs(campaign.closing),
                "photo": media_url(campaign.photo),
                "caption": campaign.photo_caption,
                "alt": campaign.photo_caption or campaign.name,
            }
        )
    return list(sections.values())


def initials(name):
    """Up to two initials of a person's or an organisation's name, for a quiet monogram."""
    words = [word for word in name.replace("’", " ").replace("'", " ").replace("-", " ").split() if word[:1].isupper()]
    return "".join(word[0] for word in words[:2]) or name[:1].upper()


def _cover_photo(report):
    if report is None or not report.cover_photo:
        return None
    return {
        "url": report.cover_photo.url,
        "alt": report.cover_photo_description or _("Cover photo of the annual report"),
        "credit": report.cover_photo_credit,
    }


def _intro(intro, objective):
    if intro is None:
        return None
    return {
        "title": intro.title,
        "paragraphs": paragraphs(intro.body),
        "photo": media_url(intro.photo),
        "caption": intro.photo_caption,
        "alt": intro.photo_caption or intro.title or objective.name,
    }


def _legal_form_chart(figures):
    """Donut segments (inline SVG, circumference 100) of members by legal form."""
    total = sum(row.members for row in figures.by_legal_form)
    segments, offset = [], 0.0
    for index, row in enumerate(row for row in figures.by_legal_form if row.members):
        share = 100.0 * row.members / total
        segments.append(
            {
                "label": row.label,
                "members": row.members,
                "share": format_percent(percentage(row.members, total)),
                "dash": f"{share:.3f} {100 - share:.3f}",
                "offset": f"{25 - offset:.3f}",
                "colour": CHART_COLOURS[index % len(CHART_COLOURS)],
                "alt": row.label,
            }
        )
        offset += share
    described = ", ".join(f"{s['label']} {s['members']} ({s['share']})" for s in segments)
    alt = _("Members by legal form: %(list)s") % {"list": described}
    return {"total": total, "segments": segments, "alt": alt}


def _objective_chart(figures):
    """Horizontal bars of participants by objective, scaled on the largest."""
    rows = [row for row in figures.by_objective if row.activities]
    largest = max((row.participants for row in rows), default=0) or 1
    return [
        {
            "label": row.objective.name,
            "participants": format_number(row.participants),
            "activities": row.activities,
            "width": f"{100.0 * row.participants / largest:.1f}",
            "alt": f"{row.objective.name} {format_number(row.participants)}",
        }
        for row in rows
    ]


def _objective_chart_alt(chart):
    """The bars in words, for readers who do not see them: « Participants by objective: Consolidation 120, … »."""
    if not chart:
        return ""
    return _("Participants by objective: %(list)s") % {"list": ", ".join(row["alt"] for row in chart)}


def _chart_notes(figures, values, declared):
    """Sentences for the reader under the chart, where its bars and the tiles beside it differ.

    The tiles print the declared total when the Pôle declared one; the bars split the
    participants of the activities listed in the report. An activity serving two objectives
    counts in both bars, once in the total.
    """
    notes = []
    listed = {Figure.ACTIVITIES: figures.activities, Figure.PARTICIPANTS: figures.participants}
    differing = [
        figure
        for figure in (Figure.ACTIVITIES, Figure.PARTICIPANTS)
        if figure in declared and values[figure] != listed[figure]
    ]
    if differing:
        printed = {figure: format_number(values[figure]) for figure in differing}
        if Figure.PARTICIPANTS in differing:
            notes.append(
                _(
                    "The Pôle counted %(total)s participants over the year, including some at events it does not "
                    "list; the chart splits the %(listed)s participants of the activities listed in this report."
                )
                % {"total": printed[Figure.PARTICIPANTS], "listed": format_number(figures.participants)}
            )
        if Figure.ACTIVITIES in differing:
            notes.append(
                _(
                    "The Pôle counted %(total)s activities over the year; this report lists %(listed)s of them, by "
                    "objective."
                )
                % {"total": printed[Figure.ACTIVITIES], "listed": format_number(figures.activities)}
            )
    # An objective without activities has no bar: the reader is told which, and why.
    absent = [
        _("%(number)s (%(name)s)") % {"number": number, "name": row.objective.name}
        for number, row in enumerate(figures.by_objective, start=1)
        if not row.activities
    ]
    if absent and len(absent) < len(figures.by_objective):
        listed = absent[0] if len(absent) == 1 else ", ".join(absent[:-1]) + _(" and ") + absent[-1]
        notes.append(
            ngettext(
                "Objective %(list)s is not in the chart: no activity of the year is recorded under it.",
                "Objectives %(list)s are not in the chart: no activity of the year is recorded under them.",
                len(absent),
            )
            % {"list": listed}
        )
    bars = figures.participants_in_bars
    if bars != figures.participants:
        notes.append(
            _(
                "An activity serving two objectives counts in both bars: together they add up to %(bars)s, for "
                "%(listed)s participants in the activities listed."
            )
            % {"bars": format_number(bars), "listed": format_number(figures.participants)}
        )
    return notes


def _year_over_year(values, previous_values):
    """Each figure this year and last, and the change: « n.d. » where a year has no records to tell."""
    rows = []
    for figure in YEAR_OVER_YEAR:
        value, previous = values.get(figure), previous_values.get(figure)
        change = not_available()
        if value is not None and previous is not None:
            difference = value - previous
            if figure in PERCENT_FIGURES:
                change = ngettext("%(n)s point", "%(n)s points", abs(difference)) % {"n": format_signed(difference)}
            else:
                change = format_signed(difference) if difference else "="
        rows.append(
            {
                "label": Figure(figure).label,
                "value": format_figure(figure, value),
                "previous": format_figure(figure, previous),
                "change": change,
            }
        )
    return rows


def _year_over_year_note(rows, fiscal_year, *, declared, previous_declared):
    """The table's footnote, speaking only of what the table holds: the declared totals when it
    prints some, « n.d. » when it shows one."""
    counted = {Figure.ACTIVITIES, Figure.PARTICIPANTS}
    years = [year.label for year, names in ((fiscal_year, declared), (fiscal_year.previous, previous_declared))
             if counted & names]
    if years:
        sentences = [
            _(
                "The figures come from the memberships and activities the Pôle recorded for each fiscal year, "
                "except the totals of activities and participants of %(years)s, which the Pôle counts over the whole year."
            )
            % {"years": _(" and ").join(sorted(years))}
        ]
    else:
        sentences = [_("The figures come from the memberships and activities the Pôle recorded for each fiscal year.")]
    missing = not_available()
    if any(missing in (row["value"], row["previous"], row["change"]) for row in rows):
        sentences.append(_("« n.d. »: not available, nothing was recorded for that fiscal year."))
    return " ".join(sentences)


def _in_progress_note(fiscal_year, today):
    """While the year runs or its renewals are open, what its membership figures cannot yet say; else ""."""
    from members.models import RenewalCampaign

    campaign_open = RenewalCampaign.objects.filter(
        fiscal_year=fiscal_year, opened_on__isnull=False, closed=False
    ).exists()
    if campaign_open:
        return _(
            "%(year)s is in progress and its renewal campaign is open: members count as they renew, so the "
            "comparisons with %(previous)s, whose memberships are all recorded, are not final."
        ) % {"year": fiscal_year.label, "previous": fiscal_year.previous.label}
    if fiscal_year.start_date <= today <= fiscal_year.end_date:
        return _(
            "%(year)s is in progress: its figures, and the comparisons with %(previous)s, are not final."
        ) % {"year": fiscal_year.label, "previous": fiscal_year.previous.label}
    return ""


def _partner_groups(fiscal_year):
    partnerships = (
        Partnership.objects.in_fiscal_year(fiscal_year)
        .select_related("organisation__member")
        .order_by("category", "order", french_order("organisation__name"))
    )
    groups = {category: [] for category in Partnership.Category.values}
    for partnership in partnerships:
        logo = partnership.organisation.display_logo
        name = partnership.organisation.name
        groups[partnership.category].append(
            {"name": name, "logo": logo.url if logo else "", "alt": name, "initials": initials(name)}
        )
    labels = dict(Partnership.Category.choices)
    plural = {
        Partnership.Category.AMBASSADOR: _("Ambassador members"),
        Partnership.Category.PUBLIC: _("Public partners"),
        Partnership.Category.OFFICIAL: _("Official partners"),
        Partnership.Category.SUPPLIER: _("Supplier members"),
    }
    return [
        {
            "category": category,
            "label": plural.get(category, labels[category]),
            "partners": partners,
            # A group without any logo lists its names; one logo or more, a grid of logos.
            "has_logos": any(partner["logo"] for partner in partners),
        }
        for category, partners in groups.items()
        if partners
    ]
