"""Measure the annual report, the admin lists and the import at scale (``manage.py bench_report``).

The synthetic data is ``scale`` units, one unit being the demo's size (65 members,
25 activities, 30 partners, 14 board mandates, …) spread over ten fiscal years,
written with ``bulk_create``. Figures are measured once the first unit is written
(« base ») and again with all of them (« scaled »), on the same fiscal year.
"""

import datetime
import inspect
import io
import logging
import random
import statistics
import time
from contextlib import contextmanager
from decimal import Decimal

import tablib
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image, ImageDraw

from activities.models import Activity, Campaign, CampaignMetric, Measure, Objective, Project, ProjectYear
from activities.resources import ROLES, ActivityResource
from demo import data as demo_data
from members.models import BoardMandate, Member, Membership, Sector, StaffMember, Territory
from members.resources import CATEGORIES as MEMBER_CATEGORIES
from members.resources import LEGAL_FORMS as MEMBER_LEGAL_FORMS
from members.resources import SETTINGS as MEMBER_SETTINGS
from members.resources import MemberResource
from partners.models import Affiliation, CommitteeSeat, Organisation, Partnership
from pole.fiscal_years import FiscalYear
from reports.models import AnnualReport, DeclaredFigure, ReportMessage, SectionIntro, Signatory

FIRST_YEAR = FiscalYear(2010)
YEARS = [FiscalYear(FIRST_YEAR.start_year + offset) for offset in range(10)]
#: The fiscal year whose report is measured: the last of the ten, so that it has a previous year.
REPORT_YEAR = YEARS[-1]

#: Models whose rows mean « this database already holds data ».
DATA_MODELS = [Member, Membership, Activity, Organisation, Partnership, AnnualReport, BoardMandate, StaffMember]

# One unit: the demo's size.
UNIT = {
    "members": 65,
    "activities": 25,
    "organisations": 30,
    "board": 14,
    "staff": 2,
    "projects": 4,
    "affiliations": 6,
    "committees": 8,
}
LEGAL_FORMS = [choice for choice, _label in Member.LegalForm.choices]
CATEGORIES = [choice for choice, _label in Member.Category.choices]
PARTNER_CATEGORIES = [choice for choice, _label in Partnership.Category.choices]
BOARD_ROLES = [choice for choice, _label in BoardMandate.Role.choices]
MEASURE_LABELS = ["acheteurs institutionnels", "rencontres d'affaires individuelles", "entreprises participantes"]

# A few large images shared by many rows: the report must bring them down to print size.
IMAGES = {
    "photo": [f"bench/photo-{k}.jpg" for k in range(3)],
    "logo": [f"bench/logo-{k}.png" for k in range(4)],
    "portrait": [f"bench/portrait-{k}.png" for k in range(3)],
}


def median(values):
    return round(statistics.median(values), 4)


def timed(function, runs):
    """Return (median seconds, last result) of ``runs`` calls of ``function``."""
    durations, result = [], None
    for _run in range(runs):
        started = time.perf_counter()
        result = function()
        durations.append(time.perf_counter() - started)
    return median(durations), result


def count_queries(function):
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured.captured_queries)


def database_has_data():
    return any(model.objects.exists() for model in DATA_MODELS)


# --- synthetic data ---------------------------------------------------------------------------


def write_images():
    """Write the shared large images in the public storage under bench/ (once)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    sizes = {"photo": (2400, 1600), "logo": (1800, 1000), "portrait": (1800, 1800)}
    colours = ["#1f5f8b", "#2a7f62", "#b5523b", "#6b4c9a"]
    for kind, names in IMAGES.items():
        for index, name in enumerate(names):
            if default_storage.exists(name):
                continue
            image = Image.new("RGB", sizes[kind], colours[index % len(colours)])
            draw = ImageDraw.Draw(image)
            for step in range(0, sizes[kind][0], 40):
                draw.line([(step, 0), (sizes[kind][0] - step, sizes[kind][1])], fill="white", width=3)
            buffer = io.BytesIO()
            image.save(buffer, format="JPEG" if name.endswith(".jpg") else "PNG")
            default_storage.save(name, ContentFile(buffer.getvalue()))


class Created:
    """The primary keys of the rows the benchmark wrote, to delete them afterwards if asked."""

    def __init__(self):
        self.rows = {}
        self.files = []  # file fields whose files are deleted with the rows

    def add(self, objects):
        objects = list(objects)
        if objects:
            self.rows.setdefault(type(objects[0]), []).extend(obj.pk for obj in objects)
        return objects

    def delete(self):
        for field in self.files:
            field.delete(save=False)
        self.files = []
        # Children first; cascades take care of through rows, measures and memberships.
        for model in reversed(list(self.rows)):
            pks = self.rows[model]
            for start in range(0, len(pks), 5000):
                model._default_manager.filter(pk__in=pks[start : start + 5000]).delete()
        self.rows = {}


def bulk(created, model, objects, **options):
    return created.add(model.objects.bulk_create(objects, batch_size=2000, **options))


def reference_data(created):
    """Territories and objectives (the demo's), created when missing."""
    territories = []
    for index, name in enumerate(demo_data.TERRITORIES):
        territory = Territory.objects.filter(name__iexact=name).first()
        if territory is None:
            territory = Territory.objects.create(name=name, order=index)
            created.add([territory])
        territories.append(territory)
    objectives = []
    for index, (name, block) in enumerate(demo_data.OBJECTIVES, start=1):
        objective = Objective.objects.filter(name__iexact=name).first()
        if objective is None:
            objective = Objective.objects.create(name=name, order=index, report_block=block)
            created.add([objective])
        objectives.append(objective)
    return territories, objectives


def write_reports(created, objectives):
    """One annual report per fiscal year, with the demo's messages, intros and declared figures."""
    reports = bulk(created, AnnualReport, [AnnualReport(fiscal_year=year, is_published=True) for year in YEARS])
    messages, intros, figures = [], [], []
    for report in reports:
        for order, row in enumerate([demo_data.PRESIDENTS_MESSAGE, demo_data.DIRECTOR_MESSAGE]):
            messages.append(
                ReportMessage(report=report, kind=row["kind"], title=row["title"], body=row["body"], order=order)
            )
        by_name = {objective.name: objective for objective in objectives}
        for name, (title, body, _caption) in demo_data.SECTION_INTROS.items():
            intros.append(SectionIntro(report=report, objective=by_name[name], title=title, body=body))
        for figure, value, note in demo_data.DECLARED_FIGURES:
            figures.append(DeclaredFigure(report=report, figure=figure, value=Decimal(value), note=note))
    messages = bulk(created, ReportMessage, messages)
    rows = [demo_data.PRESIDENTS_MESSAGE, demo_data.DIRECTOR_MESSAGE]
    signatories = [
        Signatory(message=message, name=name, role=role, order=position)
        for message in messages
        for position, (name, role) in enumerate(rows[message.order]["signatories"])
    ]
    bulk(created, Signatory, signatories)
    bulk(created, SectionIntro, intros)
    bulk(created, DeclaredFigure, figures)


def write_units(created, first, last, territories, objectives):
    """Write units ``first`` to ``last - 1``: each the demo's size over ten fiscal years."""
    for unit in range(first, last):
        write_unit(created, unit, territories, objectives)


def _back(offset):
    """The index of a fiscal year counted back from the report's: unit 0 has one of each in it."""
    return (len(YEARS) - 1 - offset) % len(YEARS)


def _day(rng, year):
    return year.start_date + datetime.timedelta(days=rng.randrange(365))


def write_unit(created, unit, territories, objectives):
    rng = random.Random(unit)
    size = UNIT
    sector = Sector.objects.get_or_create_named("Services")

    members = bulk(
        created,
        Member,
        [
            Member(
                name=f"Bench membre {unit:04d}-{i:02d}",
                legal_form=rng.choice(LEGAL_FORMS),
                category=rng.choice(CATEGORIES),
                founding_year=rng.choice([None, *range(1950, 2010)]),
                territory=rng.choice(territories),
                setting=rng.choice(["urban", "urban", "rural"]),
                sector=sector,
                directory_consent=True,
                logo=IMAGES["logo"][i % len(IMAGES["logo"])] if i % 3 == 0 else "",
            )
            for i in range(size["members"])
        ],
    )
    memberships = []
    for i, member in enumerate(members):
        start = i % len(YEARS)
        for year in YEARS[start : start + rng.randint(1, len(YEARS))]:
            memberships.append(Membership(member=member, fiscal_year=year, dues=Decimal("150.00")))
    bulk(created, Membership, memberships)

    organisations = bulk(
        created,
        Organisation,
        [
            Organisation(
                name=f"Bench partenaire {unit:04d}-{i:02d}",
                website="https://exemple.org/",
                logo=IMAGES["logo"][i % len(IMAGES["logo"])] if i % 5 else "",
                member=members[i] if i % 5 == 0 else None,
            )
            for i in range(size["organisations"])
        ],
    )
    bulk(
        created,
        Partnership,
        [
            Partnership(
                organisation=organisation,
                fiscal_year=YEARS[i % len(YEARS)],
                category=PARTNER_CATEGORIES[i % len(PARTNER_CATEGORIES)],
                order=i,
            )
            for i, organisation in enumerate(organisations)
        ],
    )
    bulk(
        created,
        Affiliation,
        [
            Affiliation(organisation=organisations[i], fiscal_year=YEARS[_back(i + unit)], order=i)
            for i in range(size["affiliations"])
        ],
    )
    bulk(
        created,
        CommitteeSeat,
        [
            CommitteeSeat(name=f"Bench comité {unit:04d}-{i}", fiscal_year=YEARS[_back(i + unit)], order=i)
            for i in range(size["committees"])
        ],
    )

    activities = []
    for i in range(size["activities"]):
        year = YEARS[i % len(YEARS)]
        start = _day(rng, year)
        activities.append(
            Activity(
                start_date=start,
                end_date=start + datetime.timedelta(days=2) if i % 4 == 0 else None,
                title=f"Bench activité {unit:04d}-{i:02d}",
                territory=rng.choice(territories),
                place="Québec",
                role=rng.choice(
                    [Activity.Role.REALISATION, Activity.Role.CO_REALISATION, Activity.Role.REPRESENTATION]
                ),
                participants=rng.choice([None, *range(5, 120)]),
                photo=IMAGES["photo"][i % len(IMAGES["photo"])] if i % 6 == 0 else "",
                photo_caption="Photo" if i % 6 == 0 else "",
            )
        )
    activities = bulk(created, Activity, activities)
    measures, objective_links, partner_links = [], [], []
    ActivityObjective = Activity.objectives.through
    ActivityPartner = Activity.partners.through
    for i, activity in enumerate(activities):
        for order, label in enumerate(rng.sample(MEASURE_LABELS, rng.randint(0, 2))):
            measures.append(Measure(activity=activity, label=label, value=rng.randint(1, 60), order=order))
        for objective in rng.sample(objectives, rng.choice([1, 1, 2])):
            objective_links.append(ActivityObjective(activity=activity, objective=objective))
        if i % 3 == 0:
            partner_links.append(ActivityPartner(activity=activity, organisation=organisations[i % len(organisations)]))
    bulk(created, Measure, measures)
    bulk(created, ActivityObjective, objective_links)
    bulk(created, ActivityPartner, partner_links)

    projects = bulk(
        created,
        Project,
        [
            Project(
                objective=objectives[1 + i % (len(objectives) - 1)],
                title=f"Bench projet {unit:04d}-{i}",
                first_fiscal_year=YEARS[_back(unit + i)],
                last_fiscal_year=YEARS[min(_back(unit + i) + 2, len(YEARS) - 1)],
                order=i,
            )
            for i in range(size["projects"])
        ],
    )
    ProjectPartner = Project.partners.through
    bulk(created, ProjectPartner, [ProjectPartner(project=p, organisation=organisations[0]) for p in projects])
    # A text for each year the project runs: the report of each year prints that year's.
    texts = [
        ProjectYear(project=project, fiscal_year=YEARS[index], body="Un projet.\n\nSur deux paragraphes.")
        for project in projects
        for index in range(len(YEARS))
        if project.first_fiscal_year <= YEARS[index] <= project.last_fiscal_year
    ]
    bulk(created, ProjectYear, texts)
    campaign = bulk(
        created,
        Campaign,
        [
            Campaign(
                objective=objectives[3],
                name=f"Bench campagne {unit:04d}",
                fiscal_year=YEARS[_back(unit)],
                official_partner=organisations[1],
                body="Une campagne.",
            )
        ],
    )[0]
    bulk(
        created,
        CampaignMetric,
        [CampaignMetric(campaign=campaign, label=f"mesure {k}", value=100 * k, order=k) for k in range(3)],
    )

    board = []
    for i in range(size["board"]):
        year = YEARS[(i + unit) % len(YEARS)]
        board.append(
            BoardMandate(
                name=f"Bench administrateur {unit:04d}-{i:02d}",
                role=BOARD_ROLES[i % len(BOARD_ROLES)],
                organisation="Bench",
                photo=IMAGES["portrait"][i % len(IMAGES["portrait"])],
                start_date=year.start_date,
                end_date=year.end_date,
                order=i,
            )
        )
    bulk(created, BoardMandate, board)
    bulk(
        created,
        StaffMember,
        [
            StaffMember(
                name=f"Bench employé {unit:04d}-{i}",
                title="agent",
                photo=IMAGES["portrait"][i % len(IMAGES["portrait"])],
                start_date=YEARS[(i + unit) % len(YEARS)].start_date,
                end_date=YEARS[(i + unit) % len(YEARS)].end_date,
                order=i,
            )
            for i in range(size["staff"])
        ],
    )


# --- measurements -----------------------------------------------------------------------------


def html_once(fiscal_year):
    from reports.pdf import render_report_html
    from reports.report import build_report_context

    return render_report_html(build_report_context(fiscal_year))


def measure_html(fiscal_year, runs):
    html_once(fiscal_year)  # warm: templates, translations, content types
    queries = count_queries(lambda: html_once(fiscal_year))
    seconds, _html = timed(lambda: html_once(fiscal_year), runs)
    return queries, seconds


CHANGELISTS = {
    "activities": "admin:activities_activity_changelist",
    "members": "admin:members_member_changelist",
}


@contextmanager
def admin_client(created):
    User = get_user_model()
    user = User.objects.create_superuser(email="bench-report@exemple.invalid", password=None)
    created.add([user])
    client = Client()
    client.force_login(user)
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        yield client


def measure_changelists(client):
    counts = {}
    for name, url_name in CHANGELISTS.items():
        url = reverse(url_name)
        response = client.get(url, secure=True)  # warm
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        counts[name] = count_queries(lambda url=url: client.get(url, secure=True))
    return counts


class PlainFetcher:
    """WeasyPrint's input for the bare run: the same files, already at print size, from memory."""

    def __init__(self, html):
        from weasyprint.urls import URLFetcherResponse

        from pole.pdf import SafeFetcher

        self.response_class = URLFetcherResponse
        self.files = {}
        fetcher = SafeFetcher()
        self.inner = fetcher
        self._prepare(fetcher, html)

    def _prepare(self, fetcher, html):
        import re

        from pole.pdf import BASE_URL

        urls = set(re.findall(r'(?:src|href)="(/[^"]+)"', html))
        for url in urls:
            full = BASE_URL.rstrip("/") + url
            try:
                response = fetcher.fetch(full)
            except (OSError, ValueError):
                continue
            body = response.read() if hasattr(response, "read") else response.body
            self.files[full] = (body, response.headers.get("Content-Type"))

    def fetch(self, url, headers=None):
        if url in self.files:
            body, content_type = self.files[url]
            return self.response_class(url, body=body, headers={"Content-Type": content_type})
        return self.inner.fetch(url, headers)

    def __call__(self, url, headers=None):
        return self.fetch(url, headers)


def measure_pdf(fiscal_year, runs):
    """The whole export (context, HTML, PDF), WeasyPrint alone on the same HTML, and the archival export.

    The three are timed in turns (export, bare, archival, export, …), so that a change in
    the machine's load during the runs weighs on all alike. The archival export is the
    tagged PDF/A-3a, not cached either: ``pdfa_ratio`` is what archiving costs over a draft.
    """
    from weasyprint import HTML

    from pole.pdf import BASE_URL
    from reports import pdf as report_pdf
    from reports.report import build_report_context

    cacheable = "use_cache" in inspect.signature(report_pdf.render_report_pdf).parameters

    def export():
        if cacheable:
            return report_pdf.render_report_pdf(fiscal_year, use_cache=False)
        return report_pdf.render_report_pdf(fiscal_year)

    def archival_export():
        return report_pdf.render_report_pdf(fiscal_year, use_cache=False, archival=True)

    pdf = export()  # warm
    archival_export()
    html = report_pdf.render_report_html(build_report_context(fiscal_year), for_print=True)
    fetcher = PlainFetcher(html)

    def bare():
        return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf()

    bare()  # warm
    export_times, bare_times, archival_times = [], [], []
    for _run in range(runs):
        seconds, pdf = timed(export, 1)
        export_times.append(seconds)
        seconds, _bare_pdf = timed(bare, 1)
        bare_times.append(seconds)
        seconds, archival_pdf = timed(archival_export, 1)
        archival_times.append(seconds)
    pdf_seconds, bare_seconds, archival_seconds = median(export_times), median(bare_times), median(archival_times)
    result = {
        "pdf_seconds": pdf_seconds,
        "pdf_bare_seconds": bare_seconds,
        "pdf_overhead_ratio": round(pdf_seconds / bare_seconds, 3),
        "pdf_bytes": len(pdf),
        "pdfa_seconds": archival_seconds,
        "pdfa_ratio": round(archival_seconds / pdf_seconds, 3),
        "pdfa_bytes": len(archival_pdf),
    }
    if cacheable:
        report_pdf.render_report_pdf(fiscal_year)
        result["pdf_cached_seconds"], _pdf = timed(lambda: report_pdf.render_report_pdf(fiscal_year), runs)
    return result


def measure_publishing(fiscal_year, client, created, runs):
    """Time the publish click (the request) apart from its task (the archival PDF and HTML).

    The click's tasks are queued on an in-memory broker that no worker reads, as they are on
    Redis when workers run: the request's time is what the Direction waits for. Then the queued
    publication is carried out in this process, as a worker would, and timed. Each run makes a
    version (deleted with ``--cleanup``).
    """
    from django.db import reset_queries

    from pole.celery import tasks_queued_on
    from reports.models import Publication
    from reports.publishing import run_publication

    url = reverse("reports:publish", args=[fiscal_year.label])
    status_url = reverse("reports:publication", args=[fiscal_year.label])
    request_seconds, task_seconds, status_seconds, queries = [], [], [], None
    for _run in range(runs):
        with tasks_queued_on("memory://localhost/"):
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.post(url, secure=True)
                request_seconds.append(time.perf_counter() - start)
            if response.status_code != 302:
                raise RuntimeError(f"{url} answered {response.status_code}")
            queries = len(captured.captured_queries)
            publication = Publication.objects.filter(report__fiscal_year=fiscal_year, status="queued").get()
            start = time.perf_counter()
            client.get(status_url, secure=True)
            status_seconds.append(time.perf_counter() - start)
        start = time.perf_counter()
        publication = run_publication(publication.pk)
        task_seconds.append(time.perf_counter() - start)
        if publication.status != "done":
            raise RuntimeError(f"The publication failed: {publication.error}")
        created.add([publication.version])
        created.add([publication])
        created.files += [publication.version.pdf, publication.version.html]
    return {
        "publish_request_seconds": median(request_seconds),
        "publish_request_queries": queries,
        "publish_status_seconds": median(status_seconds),
        "publish_task_seconds": median(task_seconds),
        "publish_pages": publication.version.page_count,
    }


def import_dataset(rows, territories, objectives, organisations):
    rng = random.Random(-1)
    year = YEARS[0]
    dataset = tablib.Dataset(headers=ActivityResource.columns())
    for i in range(rows):
        start = year.start_date + datetime.timedelta(days=i % 365)
        measures = ";".join(f"{label}={rng.randint(1, 50)}" for label in rng.sample(MEASURE_LABELS, rng.randint(0, 2)))
        dataset.append(
            [
                start.isoformat(),
                "",
                f"Bench import {i:05d}",
                ";".join(o.name for o in rng.sample(objectives, rng.choice([1, 2]))),
                rng.choice(territories).name,
                "Québec",
                ROLES[Activity.Role.REALISATION],
                rng.randint(5, 100),
                measures,
                rng.choice(organisations).name if i % 3 == 0 else "",
            ]
        )
    return dataset


class Rollback(Exception):
    pass


@contextmanager
def rolled_back():
    try:
        with transaction.atomic():
            yield
            raise Rollback
    except Rollback:
        pass


def import_once(dataset):
    with rolled_back():
        result = ActivityResource().import_data(dataset, dry_run=False, raise_errors=True)
        if result.has_errors() or result.has_validation_errors():
            raise RuntimeError("the benchmark's import file has errors")


def bulk_once(dataset, territories, objectives, organisations):
    """The same rows as the import, written with bulk_create only."""
    by_name = {t.name: t for t in territories}
    objective_by_name = {o.name: o for o in objectives}
    organisation_by_name = {o.name: o for o in organisations}
    with rolled_back():
        activities, pending = [], []
        for row in dataset.dict:
            activities.append(
                Activity(
                    start_date=datetime.date.fromisoformat(row["date"]),
                    title=row["titre"],
                    territory=by_name[row["territoire"]],
                    place=row["lieu"],
                    role=Activity.Role.REALISATION,
                    participants=int(row["participants"]),
                )
            )
            pending.append(row)
        activities = Activity.objects.bulk_create(activities, batch_size=2000)
        measures, objective_links, partner_links = [], [], []
        for activity, row in zip(activities, pending, strict=True):
            for order, item in enumerate(filter(None, row["mesures"].split(";"))):
                label, _sep, value = item.rpartition("=")
                measures.append(Measure(activity=activity, label=label, value=int(value), order=order))
            for name in row["objectifs"].split(";"):
                objective_links.append(
                    Activity.objectives.through(activity=activity, objective=objective_by_name[name])
                )
            if row["partenaires"]:
                partner_links.append(
                    Activity.partners.through(activity=activity, organisation=organisation_by_name[row["partenaires"]])
                )
        Measure.objects.bulk_create(measures, batch_size=2000)
        Activity.objectives.through.objects.bulk_create(objective_links, batch_size=2000)
        Activity.partners.through.objects.bulk_create(partner_links, batch_size=2000)


def member_import_dataset(rows, territories):
    """``rows`` new members, each with one to three fiscal years of membership."""
    rng = random.Random(-2)
    dataset = tablib.Dataset(headers=MemberResource.columns())
    legal_forms, categories = list(MEMBER_LEGAL_FORMS.values()), list(MEMBER_CATEGORIES.values())
    for i in range(rows):
        first = rng.randrange(len(YEARS) - 2)
        dataset.append(
            [
                f"Bench import membre {i:05d}",
                rng.choice(legal_forms),
                rng.choice(categories),
                rng.choice(["", *range(1950, 2010)]),
                rng.choice(territories).name,
                rng.choice(list(MEMBER_SETTINGS.values())),
                "Services",
                f"membre{i}@exemple.org",
                "418 555-0134",
                "https://exemple.org",
                f"{i}, rue Principale",
                ";".join(year.label for year in YEARS[first : first + rng.randint(1, 3)]),
            ]
        )
    return dataset


def member_import_once(dataset):
    with rolled_back():
        result = MemberResource().import_data(dataset, dry_run=False, raise_errors=True)
        if result.has_errors() or result.has_validation_errors():
            raise RuntimeError("the benchmark's member import file has errors")


def member_bulk_once(dataset, territories):
    """The same members and memberships as the import, written with bulk_create only."""
    by_name = {t.name: t for t in territories}
    legal_forms = {label: value for value, label in MEMBER_LEGAL_FORMS.items()}
    categories = {label: value for value, label in MEMBER_CATEGORIES.items()}
    settings_ = {label: value for value, label in MEMBER_SETTINGS.items()}
    with rolled_back():
        sectors = {}
        for row in dataset.dict:
            if row["secteur"] and row["secteur"] not in sectors:
                sectors[row["secteur"]] = Sector.objects.get_or_create_named(row["secteur"])
        members = Member.objects.bulk_create(
            [
                Member(
                    name=row["nom"],
                    legal_form=legal_forms[row["forme_juridique"]],
                    category=categories[row["categorie"]],
                    founding_year=row["annee_fondation"] or None,
                    territory=by_name[row["territoire"]],
                    setting=settings_[row["milieu"]],
                    sector=sectors.get(row["secteur"]),
                    email=row["courriel"],
                    phone=row["telephone"],
                    website=row["site_web"],
                    address=row["adresse"],
                )
                for row in dataset.dict
            ],
            batch_size=2000,
        )
        Membership.objects.bulk_create(
            [
                Membership(member=member, fiscal_year=FiscalYear.parse(label))
                for member, row in zip(members, dataset.dict, strict=True)
                for label in row["adhesions"].split(";")
            ],
            batch_size=2000,
        )


def measure_member_import(rows, runs, territories):
    """Rows per second of the members import (new members with their memberships), and of bare bulk inserts."""
    dataset = member_import_dataset(rows, territories)
    import_seconds, _none = timed(lambda: member_import_once(dataset), runs)
    bulk_seconds, _none = timed(lambda: member_bulk_once(dataset, territories), runs)
    import_rate = rows / import_seconds
    bulk_rate = rows / bulk_seconds
    return {
        "member_import_rows": rows,
        "member_import_rows_per_second": round(import_rate, 1),
        "member_bulk_rows_per_second": round(bulk_rate, 1),
        "member_import_ratio_vs_bulk": round(import_rate / bulk_rate, 3),
    }


def measure_import(rows, runs, territories, objectives):
    organisations = list(Organisation.objects.filter(name__startswith="Bench partenaire")[:50])
    dataset = import_dataset(rows, territories, objectives, organisations)
    import_seconds, _none = timed(lambda: import_once(dataset), runs)
    bulk_seconds, _none = timed(lambda: bulk_once(dataset, territories, objectives, organisations), runs)
    import_rate = rows / import_seconds
    bulk_rate = rows / bulk_seconds
    return {
        "import_rows": rows,
        "import_rows_per_second": round(import_rate, 1),
        "bulk_rows_per_second": round(bulk_rate, 1),
        "import_ratio_vs_bulk": round(import_rate / bulk_rate, 3),
    }


def run(*, scale, runs=3, import_rows=10_000, log=print):
    """Write the synthetic data, measure, and return the figures as a dict."""
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    created = Created()
    results = {"scale": scale, "database": connection.vendor, "runs": runs, "fiscal_year": REPORT_YEAR.label}
    started = time.perf_counter()
    write_images()
    with transaction.atomic():
        territories, objectives = reference_data(created)
        write_reports(created, objectives)
        write_units(created, 0, 1, territories, objectives)
    log("Unit 1 written; measuring the base.")
    results["activities_in_year_base"] = Activity.objects.in_fiscal_year(REPORT_YEAR).count()
    results["queries_html_base"], results["html_seconds_base"] = measure_html(REPORT_YEAR, runs)
    with admin_client(created) as client:
        results["admin_queries_base"] = measure_changelists(client)
        log(f"Writing units 2 to {scale}…")
        for first in range(1, scale, 10):
            with transaction.atomic():
                write_units(created, first, min(first + 10, scale), territories, objectives)
        results["generate_seconds"] = round(time.perf_counter() - started, 1)
        results["members"] = Member.objects.count()
        results["memberships"] = Membership.objects.count()
        results["activities"] = Activity.objects.count()
        results["activities_in_year_scaled"] = Activity.objects.in_fiscal_year(REPORT_YEAR).count()
        log("Measuring the scaled report and lists.")
        results["queries_html_scaled"], results["html_seconds_scaled"] = measure_html(REPORT_YEAR, runs)
        results["admin_queries_scaled"] = measure_changelists(client)
        log("Measuring publishing: the click, then its task.")
        try:
            results.update(measure_publishing(REPORT_YEAR, client, created, runs))
        except Exception as error:  # noqa: BLE001 — a failed publication is a result, recorded as such
            results["publish_error"] = f"{type(error).__name__}: {error}"
            log(f"Publishing failed: {results['publish_error']}")
    log("Measuring the PDF.")
    try:
        results.update(measure_pdf(REPORT_YEAR, runs))
    except Exception as error:  # noqa: BLE001 — a failed export is a result, recorded as such
        results["pdf_error"] = f"{type(error).__name__}: {error}"
        log(f"The PDF export failed: {results['pdf_error']}")
    log(f"Measuring the import of {import_rows} rows.")
    results.update(measure_import(import_rows, runs, territories, objectives))
    log(f"Measuring the import of {import_rows} members.")
    results.update(measure_member_import(import_rows, runs, territories))
    results["html_scaled_over_base"] = round(results["html_seconds_scaled"] / results["html_seconds_base"], 2)
    return results, created


def table(results):
    """The results as a two-column text table."""
    out = io.StringIO()
    width = max(len(key) for key in results)
    for key, value in results.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        out.write(f"{key.ljust(width)}  {value}\n")
    return out.getvalue()
