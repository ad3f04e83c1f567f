"""The annual report's context, its formatting, and the report views."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from activities.models import Activity, Campaign, CampaignMetric, Measure, Objective, Project, ProjectYear
from activities.tests.factories import ActivityFactory, ObjectiveFactory
from demo import data as demo_data
from members.models import BoardMandate, Member, Membership, StaffMember
from members.tests.factories import MemberFactory, TerritoryFactory
from partners.models import Affiliation, CommitteeSeat, Organisation, Partnership
from pole.fiscal_years import FiscalYear
from pole.formatting import format_date, format_number, format_percent, format_period
from pole.identity import get_identity
from reports.models import AnnualReport, DeclaredFigure, Figure
from reports.report import build_report_context

NBSP = "\xa0"
User = get_user_model()
Y2016 = FiscalYear(2016)
REPORT_URL = "/rapports/2016-2017/"
PDF_URL = "/rapports/2016-2017.pdf"
READINESS_URL = "/rapports/2016-2017/verification/"


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("load_demo", "--no-archive", stdout=io.StringIO())


@pytest.fixture
def personnel_client(demo, client):
    """The demo's Personnel account (the demo owns personnel@exemple.org)."""
    client.force_login(User.objects.get(email="personnel@exemple.org"))
    return client


@pytest.fixture
def direction_client(demo, client):
    client.force_login(User.objects.get(email="direction@exemple.org"))
    return client


@pytest.fixture
def context(demo):
    with translation.override("fr-ca"):
        return build_report_context("2016-2017")


def _lines(context):
    return {line["title"]: line for section in context["sections"] for line in section.activities}


def _unpublish():
    AnnualReport.objects.filter(fiscal_year=Y2016).update(is_published=False)


# --- formatting ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day, expected",
    [
        (datetime.date(2016, 4, 1), "1er avril 2016"),
        (datetime.date(2016, 4, 13), "13 avril 2016"),
        (datetime.date(2017, 2, 15), "15 février 2017"),
        (datetime.date(2016, 8, 2), "2 août 2016"),
        (datetime.date(2016, 12, 31), "31 décembre 2016"),
    ],
)
def test_format_date_in_french(day, expected):
    with translation.override("fr-ca"):
        assert format_date(day) == expected


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (datetime.date(2016, 11, 7), datetime.date(2016, 11, 17), "7-17 novembre 2016"),
        (datetime.date(2016, 11, 7), None, "7 novembre 2016"),
        (datetime.date(2016, 11, 7), datetime.date(2016, 11, 7), "7 novembre 2016"),
        (datetime.date(2016, 10, 28), datetime.date(2016, 11, 2), "28 octobre – 2 novembre 2016"),
        (datetime.date(2016, 4, 1), datetime.date(2016, 4, 3), "1er-3 avril 2016"),
        (datetime.date(2016, 3, 30), datetime.date(2016, 4, 1), "30 mars – 1er avril 2016"),
        (datetime.date(2016, 12, 28), datetime.date(2017, 1, 2), "28 décembre 2016 – 2 janvier 2017"),
    ],
)
def test_format_period_in_french(start, end, expected):
    with translation.override("fr-ca"):
        assert format_period(start, end) == expected


def test_format_in_english():
    with translation.override("en"):
        assert format_date(datetime.date(2016, 4, 1)) == "April 1, 2016"
        assert format_period(datetime.date(2016, 11, 7), datetime.date(2016, 11, 17)) == "November 7–17, 2016"
        assert format_number(15000) == "15,000"
        assert format_percent(35) == "35%"


def test_format_numbers_in_french():
    with translation.override("fr-ca"):
        assert format_number(15000) == f"15{NBSP}000"
        assert format_number(1650) == f"1{NBSP}650"
        assert format_number(Decimal("1650.0")) == f"1{NBSP}650"
        assert format_number(Decimal("26")) == "26"
        assert format_number(175) == "175"
        assert format_number(0) == "0"
        assert format_number(None) == "—"
        assert format_percent(35) == f"35{NBSP}%"
        assert format_percent(Decimal("37.0")) == f"37{NBSP}%"
        assert format_percent(None) == "—"


# --- the report's context on the demo data ------------------------------------------------


def test_activity_lines_are_formatted_as_printed(context):
    lines = _lines(context)
    line = lines["Formation en comptabilité dans Portneuf"]
    assert (line["when"], line["outcome"]) == ("13 avril 2016", "5 participants")
    line = lines["Rencontre-conférence pour les acheteurs institutionnels"]
    assert (line["when"], line["outcome"]) == ("5 avril 2016", "35 participants, dont 23 acheteurs institutionnels")
    assert lines["Activité de maillage avec les acheteurs institutionnels"]["outcome"] == (
        "47 rencontres d'affaires individuelles"
    )
    line = lines["Série d'entrevues à CKIA"]
    assert (line["when"], line["outcome"]) == ("7-17 novembre 2016", "7 entreprises participantes")
    assert lines["Dîner-conférence du Monastère des Augustines"]["outcome"] == "40 étudiants participants"
    line = lines["Forum Intercoop"]
    assert (line["when"], line["outcome"]) == ("15 février 2017", "175 participants")


def test_every_reported_activity_is_listed_once_in_its_section(context):
    listed = [(section.objective.name, line["title"]) for section in context["sections"] for line in section.activities]
    assert sorted(listed) == sorted((row["objective"], row["title"]) for row in demo_data.ACTIVITIES)


def test_activities_are_sorted_by_date_within_a_section(context):
    dates = {row["title"]: row["date"] for row in demo_data.ACTIVITIES}
    for section in context["sections"]:
        titles = [line["title"] for line in section.activities]
        assert titles == sorted(titles, key=lambda title: (dates[title], title))
    sales = next(s for s in context["sections"] if s.objective.name == "Augmenter les ventes des entreprises")
    assert [line["title"] for line in sales.activities][:2] == [
        "Rencontre-conférence pour les acheteurs institutionnels",
        "Déjeuner d'affaires dans Portneuf",
    ]


def test_sections_follow_the_objectives(context):
    assert [section.objective.name for section in context["sections"]] == [name for name, _ in demo_data.OBJECTIVES]
    blocks = {section.objective.name: section.block for section in context["sections"]}
    assert blocks["Consolidation du Pôle"] == "portrait"
    assert blocks["Concertation et collaboration"] == "network"


def test_portrait_tiles_print_the_computed_figures(context):
    tiles = context["portrait_tiles"]
    assert [(t.text, t.label, t.declared) for t in tiles] == [
        ("22", "ans d’âge moyen", False),
        (f"15{NBSP}%", "en milieu rural", False),
        ("4", "regroupements d’entreprises", False),
        (f"60{NBSP}%", "d’entreprises associatives", False),
    ]


def test_highlight_tiles_print_the_declared_figures(context):
    tiles = {t.figure: (t.text, t.label, t.declared) for t in context["highlight_tiles"]}
    assert tiles == {
        Figure.SOCIAL_MEDIA: (f"37{NBSP}%", "réseaux sociaux", True),
        Figure.BUSINESSES_REACHED: ("125", "entreprises rejointes", True),
        Figure.ACTIVITIES: ("26", "activités", True),
        # A growth rate is labelled as one, with its sign (the printed report said « nouveaux membres »).
        Figure.MEMBERSHIP_GROWTH: (f"+35{NBSP}%", "croissance du membership", False),
        Figure.PARTICIPANTS: (f"1{NBSP}650", "participants", True),
    }


def test_tiles_fall_back_on_computed_figures_and_drop_undeclared_only_ones(demo):
    DeclaredFigure.objects.filter(figure__in=[Figure.SOCIAL_MEDIA, Figure.ACTIVITIES, Figure.PARTICIPANTS]).delete()
    with translation.override("fr-ca"):
        context = build_report_context(Y2016)
    tiles = {t.figure: (t.text, t.declared) for t in context["highlight_tiles"]}
    assert Figure.SOCIAL_MEDIA not in tiles
    assert tiles[Figure.ACTIVITIES] == ("25", False)
    assert tiles[Figure.PARTICIPANTS] == (f"1{NBSP}540", False)
    assert tiles[Figure.BUSINESSES_REACHED] == ("125", True)


def test_report_lists_board_staff_affiliations_committees_partners(context):
    assert [p["name"] for p in context["board"]] == [name for name, _ in demo_data.BOARD]
    roles = {p["name"]: p["role"] for p in context["board"]}
    assert roles["Sylviane Pilote"] == "vice-présidente"
    assert roles["Claire Dubé"] == "trésorière"
    assert roles["Catherine Benoit"] == "administratrice"
    assert [(s["name"], s["title"]) for s in context["staff"]] == demo_data.STAFF
    assert context["affiliations"] == [name for name in demo_data.AFFILIATIONS_2016]
    assert context["committees"] == [name for name, _ in demo_data.COMMITTEES_2016]
    partners = [(group["category"], p["name"]) for group in context["partner_groups"] for p in group["partners"]]
    assert partners == [(category, name) for name, category in demo_data.PARTNERSHIPS_2016]
    assert [group["label"] for group in context["partner_groups"]] == ["Membres ambassadeurs", "Partenaires publics"]


def test_messages_and_campaign(context):
    assert [m["heading"] for m in context["messages"]] == ["Mot des présidents", "Mot du directeur"]
    assert [s["name"] for s in context["messages"][0]["signatories"]] == ["Charles Demers", "Garry Lavoie"]
    notoriety = next(s for s in context["sections"] if s.objective.name == "Notoriété du mouvement et des entreprises")
    assert notoriety.campaigns[0]["metrics"][0] == f"15{NBSP}000 personnes ont été rejointes par les médias sociaux"
    skills = next(s for s in context["sections"] if s.objective.name == "Renforcer les compétences")
    assert f"Nouveau projet{NBSP}: transition écologique des entreprises" in [p["title"] for p in skills.projects]


# --- views -------------------------------------------------------------------------------


def test_report_page_prints_the_activity_lines(demo, client):
    response = client.get(REPORT_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Rapport annuel" in html and "2016-2017" in html
    assert (
        f'<span class="when">13{NBSP}avril 2016</span>{NBSP}: Formation en comptabilité dans Portneuf'
        f'<br><span class="outcome">→ 5{NBSP}participants</span>'
    ) in html
    assert f"→ 35{NBSP}participants, dont 23{NBSP}acheteurs institutionnels" in html
    assert f'<span class="tile-value">1{NBSP}650</span>' in html
    assert f'<span class="tile-value">+35{NBSP}%</span>' in html


def test_unpublished_report_is_hidden_from_anonymous_visitors(demo, client):
    _unpublish()
    assert client.get(REPORT_URL).status_code == 404
    assert client.get(PDF_URL).status_code == 404


def test_unpublished_report_is_shown_to_staff(demo, personnel_client):
    _unpublish()
    response = personnel_client.get(REPORT_URL)
    assert response.status_code == 200
    assert "Formation en comptabilité dans Portneuf" in response.content.decode()


def test_published_report_is_public(demo, client):
    _unpublish()
    assert client.get(REPORT_URL).status_code == 404
    AnnualReport.objects.filter(fiscal_year=Y2016).update(is_published=True)
    assert client.get(REPORT_URL).status_code == 200


def test_year_without_report_or_data_is_404(demo, client):
    assert client.get("/rapports/9999-10000/").status_code == 404
    client.force_login(User.objects.get(email="personnel@exemple.org"))
    assert client.get("/rapports/9999-10000/").status_code == 404
    assert client.get("/rapports/2030-2031/").status_code == 404
    assert client.get("/rapports/2016-2018/").status_code == 404


def test_pdf_download(demo, client):
    response = client.get(PDF_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="rapport-annuel-2016-2017.pdf"'
    assert response.content.startswith(b"%PDF")


def test_readiness_is_for_direction_only(demo, client):
    response = client.get(READINESS_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    client.force_login(User.objects.get(email="personnel@exemple.org"))
    assert client.get(READINESS_URL).status_code == 403
    client.force_login(User.objects.get(email="direction@exemple.org"))
    assert client.get(READINESS_URL).status_code == 200


def test_readiness_shows_declared_figures_beside_computed_ones(demo, direction_client):
    html = direction_client.get(READINESS_URL).content.decode()
    cells = r'<td data-label="[^"]*">'
    assert re.search(rf'<tr class="differs"><th scope="row">Activités</th>{cells}25</td>{cells}26</td>', html), html
    assert re.search(rf"{cells}1{NBSP}540</td>{cells}1{NBSP}650</td>", html)
    # Declared-only figures have nothing computed.
    assert re.search(rf'<th scope="row">Réseaux sociaux \(%\)</th>{cells}—</td>{cells}37{NBSP}%</td>', html)


def test_readiness_lists_an_activity_without_territory(demo, direction_client):
    objective = Objective.objects.get(name="Renforcer les compétences")
    activity = ActivityFactory(
        start_date=datetime.date(2016, 6, 1), title="Atelier sans territoire", territory=None, objectives=[objective]
    )
    html = direction_client.get(READINESS_URL).content.decode()
    url = reverse("admin:activities_activity_change", args=[activity.pk])
    assert f'<a href="{url}">2016-06-01 — Atelier sans territoire</a>' in html
    assert "aucun territoire" in html.lower() or "no territory" in html.lower()


# --- query counts ------------------------------------------------------------------------


def _build_year(count, objectives, start):
    """``count`` of everything the report prints, all in 2016-2017."""
    territory = TerritoryFactory()
    for index in range(start, start + count):
        member = MemberFactory(name=f"Membre {index}", territory=territory, fiscal_years=[2015, 2016])
        organisation = Organisation.objects.create(name=f"Organisation {index}", member=member if index % 2 else None)
        activity = Activity.objects.create(
            start_date=datetime.date(2016, 4, 1) + datetime.timedelta(days=index % 300),
            title=f"Activité {index}",
            territory=territory if index % 3 else None,
            participants=index if index % 4 else None,
            role=Activity.Role.CO_REALISATION if index % 2 else Activity.Role.REALISATION,
        )
        activity.objectives.set(objectives[: 1 + index % len(objectives)])
        activity.partners.add(organisation)
        Measure.objects.create(activity=activity, label=f"mesure {index}", value=index)
        Partnership.objects.create(
            organisation=organisation,
            fiscal_year=Y2016,
            category=Partnership.Category.values[index % len(Partnership.Category.values)],
        )
        Affiliation.objects.create(organisation=organisation, fiscal_year=Y2016)
        CommitteeSeat.objects.create(name=f"Comité {index}", organisation=organisation, fiscal_year=Y2016)
        BoardMandate.objects.create(name=f"Personne {index}", start_date=datetime.date(2016, 6, 1))
        StaffMember.objects.create(name=f"Employé {index}", title="agent", start_date=datetime.date(2016, 6, 1))
        project = Project.objects.create(
            objective=objectives[index % len(objectives)],
            title=f"Projet {index}",
            first_fiscal_year=Y2016,
            announce_as_new=bool(index % 2),
        )
        ProjectYear.objects.create(project=project, fiscal_year=Y2016, body="Un.\n\nDeux.")
        project.partners.add(organisation)
        campaign = Campaign.objects.create(
            objective=objectives[index % len(objectives)],
            name=f"Campagne {index}",
            fiscal_year=Y2016,
            official_partner=organisation,
        )
        CampaignMetric.objects.create(campaign=campaign, label="publications", value=index)
    assert Membership.objects.filter(fiscal_year=Y2016).count() == start + count
    assert Member.objects.count() == start + count


def _page_queries(client):
    get_identity()  # read once, then from the cache (pole.identity): not a query per page
    with CaptureQueriesContext(connection) as queries:
        response = client.get(REPORT_URL)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("published", [True, False], ids=["public", "staff"])
def test_report_page_query_count_does_not_grow_with_the_data(client, personnel_user, published):
    blocks = ["portrait", "", "network"]
    objectives = [ObjectiveFactory(name=f"Objectif {n}", order=n, report_block=blocks[n]) for n in range(3)]
    AnnualReport.objects.create(fiscal_year=Y2016, is_published=published)
    if not published:
        client.force_login(personnel_user)
    _build_year(1, objectives, start=0)
    small, html = _page_queries(client)
    assert "Activité 0" in html
    _build_year(49, objectives, start=1)
    large, html = _page_queries(client)
    for text in [
        "Activité 49",
        "Comité 49",
        "Personne 49",
        "Employé 49",
        "Campagne 49",
        f"Nouveau projet{NBSP}: projet 49",
        "Projet 48",
        "Organisation 49",
    ]:
        assert text in html
    assert large == small


@pytest.mark.django_db
def test_legal_form_chart_rounds_halves_up():
    MemberFactory(legal_form=Member.LegalForm.MUTUAL, fiscal_years=[2016])
    for _ in range(7):
        MemberFactory(legal_form=Member.LegalForm.COOPERATIVE, fiscal_years=[2016])
    with translation.override("fr-ca"):
        chart = build_report_context(Y2016)["legal_form_chart"]
    shares = {segment["label"]: segment["share"] for segment in chart["segments"]}
    assert chart["total"] == 8
    assert shares == {"coopérative": f"88{NBSP}%", "mutuelle": f"13{NBSP}%"}
