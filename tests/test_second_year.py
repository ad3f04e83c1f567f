"""The year after the demo, entered as staff enter it, and what its report says.

The demo year (2016-2017) was built to match the printed report; every later year is what
the network will really produce. Here 2017-2018 is built through the doors staff use — the
admin's spreadsheet import (preview, then confirm), the readiness page's button and the
admin's change forms — with the gaps of a real year: renewals and new members; activities
under four of the five objectives, representations among them; one continuing project
with its new text and others without. Then the HTML, the PDF's text and the readiness page
are read as a director would read them.
"""

import csv
import io
import os
import re
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from activities.models import Activity, Project, ProjectYear
from demo.loader import load_demo
from members.models import Member
from members.resources import MemberResource
from members.tests.factories import UserFactory
from pole.fiscal_years import FiscalYear
from pole.tests.admin_helpers import save_change_page
from reports.models import AnnualReport
from reports.pdf import render_report_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

YEAR = FiscalYear(2017)
NBSP = "\u00a0"
MINUS = "\u2212"
CONSOLIDATION, SKILLS, SALES, NOTORIETY, CONCERTATION = (
    "Consolidation du Pôle",
    "Renforcer les compétences",
    "Augmenter les ventes des entreprises",
    "Notoriété du mouvement et des entreprises",
    "Concertation et collaboration",
)
PROSE_OF_2016 = "Ce nouvel aspect que le Pôle explorait cette année"
ACTIVITY_HEADER = ["date", "date_fin", "titre", "objectifs", "territoire", "lieu", "role", "participants", "mesures", "partenaires"]  # fmt: skip
ACTIVITIES_2017 = [
    ["2017-04-20", "", "Assemblée de réseautage des membres", CONSOLIDATION, "Québec", "", "réalisation", "48", "", ""],
    ["2017-05-11", "", "Formation en gestion financière", SKILLS, "Portneuf", "Saint-Raymond", "réalisation", "14", "", ""],
    ["2017-06-08", "", "Atelier sur le marketing numérique", SKILLS, "Charlevoix", "", "co-réalisation", "", "", "Réseau coop"],
    ["2017-09-14", "", "Rencontre d'affaires avec les acheteurs publics", f"{SALES};{SKILLS}", "Québec", "",
     "réalisation", "30", "acheteurs institutionnels=12", ""],
    ["2017-10-05", "", "Salon des fournisseurs de Québec", SALES, "Québec", "Centre de foires", "représentation", "", "", ""],
    ["2017-11-16", "", "Forum régional en économie sociale", CONCERTATION, "Québec", "", "représentation", "", "", ""],
    ["2018-02-22", "", "Table de concertation des partenaires", CONCERTATION, "Québec", "", "co-réalisation", "22", "", ""],
]  # fmt: skip


@pytest.fixture
def staff(db, settings):
    settings.DEBUG = True
    # 2017-2018 is entered here from scratch, without the demo's renewal campaign of that year.
    load_demo(campaign=False)
    personnel, direction = Client(), Client()
    personnel.force_login(UserFactory(email="agent@exemple.org", is_staff=True, groups=["Personnel"]))
    direction.force_login(UserFactory(email="dg@exemple.org", is_staff=True, groups=["Direction"]))
    return {"personnel": personnel, "direction": direction}


def admin_import(client, model, rows):
    """Import ``rows`` (lists of cells, the first the header) as a CSV file, previewed then confirmed."""
    content = io.StringIO()
    csv.writer(content).writerows(rows)
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    upload = SimpleUploadedFile("fichier.csv", content.getvalue().encode())
    preview = client.post(reverse(f"{name}_import"), {"resource": "0", "format": "0", "import_file": upload})
    assert preview.status_code == 200
    assert "confirm_form" in preview.context, preview.content.decode()
    confirm = preview.context["confirm_form"]
    done = client.post(reverse(f"{name}_process_import"), {f: confirm.initial[f] for f in confirm.fields})
    assert done.status_code == 302


def enter_2017_2018(staff):
    """Build 2017-2018 through the admin, as the staff of a network would."""
    personnel, direction = staff["personnel"], staff["direction"]

    # Renewals and new members: the members list exported, the year added to forty, two new members.
    exported = list(csv.reader(io.StringIO(MemberResource().export().csv)))
    header, rows = exported[0], exported[1:]
    adhesions = header.index("adhesions")
    renewed = [row for row in rows if "2016-2017" in row[adhesions]][:40]
    for row in renewed:
        row[adhesions] = f"{row[adhesions]};{YEAR.label}"
    new_members = [
        ["Coopérative de solidarité Le Rucher", "coopérative", "régulier", "2015", "Portneuf", "rural",
         "Agroalimentaire", "", "(418) 555.0101", "", "", YEAR.label],
        ["Les Ateliers du Faubourg", "association", "regroupement", "2010", "Québec", "urbain",
         "Économie circulaire", "", "", "", "", YEAR.label],
    ]  # fmt: skip
    admin_import(personnel, Member, [header, *renewed, *new_members])

    # The year's activities, under four of the five objectives (none under Notoriété).
    admin_import(personnel, Activity, [ACTIVITY_HEADER, *ACTIVITIES_2017])

    # The Direction creates the year's report from the readiness page, then writes the presidents' message.
    assert direction.post(reverse("reports:create", args=[YEAR.label])).status_code == 302
    report = AnnualReport.objects.get(fiscal_year=YEAR)
    message = {
        "kind": "presidents",
        "heading": "",
        "title": "Une deuxième année de consolidation",
        "body": "Le réseau a poursuivi sa croissance.\n\nMerci à nos membres.",
        "order": "0",
    }
    response = save_change_page(direction, AnnualReport, report, inline_rows={"messages": [message]})
    assert response.status_code == 302, response.context["adminform"].form.errors

    # One continuing project gets its 2017-2018 text; the others are left without.
    cohort = Project.objects.get(title="Cohorte de développement d'affaires")
    text = {"fiscal_year": YEAR.label, "body": "La deuxième cohorte a réuni douze entreprises.", "photo_caption": ""}
    response = save_change_page(personnel, Project, cohort, inline_rows={"years": [text]})
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    return report


def pdf_text(pdf):
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return " ".join(text.decode().split())


def sections(html):
    """The report's objective sections as (kicker, title, content) from its HTML."""
    found = re.findall(
        r'<section class="[^"]*objective[^"]*"[^>]*>\s*<header class="section-band">\s*'
        r'<p class="kicker">([^<]+)</p>\s*<h1>([^<]+)</h1>(.*?)</section>',
        html.replace("&#x27;", "'"),
        re.S,
    )
    return [(kicker.strip(), title.strip(), content) for kicker, title, content in found]


@pytest.fixture
def second_year(staff):
    report = enter_2017_2018(staff)
    html = staff["personnel"].get(reverse("reports:annual", args=[YEAR.label])).content.decode()
    with translation.override("fr-ca"):
        pdf = render_report_pdf(YEAR)
    return {"staff": staff, "report": report, "html": html, "pdf": pdf, "text": pdf_text(pdf)}


def test_the_year_was_entered_through_the_admin(second_year):
    assert Member.objects.in_fiscal_year(YEAR).count() == 42
    assert Activity.objects.in_fiscal_year(YEAR).count() == 7
    assert Member.objects.get(name="Coopérative de solidarité Le Rucher").phone == "418 555-0101"
    assert Member.objects.get(name="Les Ateliers du Faubourg").sector.name == "Économie circulaire"
    texts = ProjectYear.objects.filter(fiscal_year=YEAR).values_list("project__title", flat=True)
    assert list(texts) == ["Cohorte de développement d'affaires"]


def test_objectives_keep_their_number_and_an_empty_one_says_so(second_year):
    found = sections(second_year["html"])
    assert [(kicker, title) for kicker, title, _content in found] == [
        (f"Objectif stratégique {number}", name)
        for number, name in enumerate([CONSOLIDATION, SKILLS, SALES, NOTORIETY, CONCERTATION], start=1)
    ]
    empty = "Aucune activité n’a été consignée sous cet objectif en 2017-2018."
    assert [empty in content for _kicker, _title, content in found] == [False, False, False, True, False]
    assert empty in second_year["text"]


def test_representations_are_listed_apart_and_not_counted(second_year):
    text = second_year["text"]
    assert "5 octobre 2017 : Salon des fournisseurs de Québec (Centre de foires)" in text
    assert "16 novembre 2017 : Forum régional en économie sociale" in text
    sales = sections(second_year["html"])[2][2]
    activities, representations = sales.split("Représentations")
    assert "Rencontre d’affaires avec les acheteurs publics" in activities.replace("'", "’")
    assert "Salon des fournisseurs de Québec" in representations
    # Five activities carried out or co-organised, 114 participants; the two representations are not counted.
    yoy = text.split("année en chiffres")[1]
    assert f"Activités 5 26 {MINUS}21" in yoy
    assert f"Participants 114 1{NBSP}650 {MINUS}1{NBSP}536" in yoy or f"Participants 114 1 650 {MINUS}1 536" in yoy


def test_the_report_prints_only_this_years_prose(second_year):
    for document in (second_year["html"], second_year["text"]):
        assert PROSE_OF_2016 not in document
        assert "La deuxième cohorte a réuni douze entreprises." in document
        assert "Cibler les acheteurs institutionnels" not in document
        assert "Souder les partenariats" not in document  # the director's 2016-2017 message
    assert "Une deuxième année de consolidation" in second_year["text"]


def test_growth_is_labelled_as_growth_with_the_typographic_minus(second_year):
    html = second_year["html"]
    highlights = html.split("Quelques faits saillants")[1].split("Membres par forme juridique")[0]
    assert "nouveaux membres" not in highlights
    # 42 members against 62: −32 %, with the minus sign, under a label saying it is a growth rate.
    tile = f'<span class="tile-value">{MINUS}32{NBSP}%</span><span class="tile-label">croissance du membership</span>'
    assert tile in highlights
    assert "-32" not in second_year["text"] and f"{MINUS}32" in second_year["text"]


def test_a_year_compared_with_a_year_without_records_prints_not_available(staff):
    """2015-2016 (the demo's first year of memberships, without activities) against 2014-2015 (nothing)."""
    html = staff["personnel"].get(reverse("reports:annual", args=["2015-2016"])).content.decode()
    yoy = html.split("année en chiffres")[1]
    for label in ("Membres", "Croissance du membership (%)", "Nouveaux membres", "Activités", "Participants"):
        row = re.search(
            rf'<th scope="row">{re.escape(label)}</th><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>', yoy
        )
        assert row, label
        assert (row[2], row[3]) == ("n.d.", "n.d."), (label, row.groups())
    assert re.search(r'<th scope="row">Activités</th><td>n.d.</td>', yoy)  # none recorded in 2015-2016 either
    # No tile prints a zero that was never recorded.
    assert '0</span><span class="tile-label">activités' not in html


def test_the_readiness_page_names_what_the_year_lacks(second_year):
    direction = second_year["staff"]["direction"]
    response = direction.get(reverse("reports:readiness", args=[YEAR.label]))
    assert response.status_code == 200
    items = [item.text for item in response.context["items"]]
    assert "Le rapport ne contient pas de «\u00a0Mot du directeur\u00a0»." in items
    assert f"Aucune activité n’est consignée sous «\u00a0{NOTORIETY}\u00a0»\u00a0: sa section le dira." in items
    for title in ("Cibler les acheteurs institutionnels", "Mise en place du programme Fournisseurs"):
        assert (
            f"Le projet «\u00a0{title}\u00a0» se déroule en 2017-2018 mais n’a pas de texte pour cet exercice\u00a0: "
            "il ne sera pas imprimé." in items
        )
    assert any(item.startswith("Aucune activité ni aucun projet de 2017-2018 n’a de photo") for item in items)
    assert "Rien à régler" not in response.content.decode()
    # A representation's participants are never counted: it is not « missing » them.
    missing = [row["label"] for row in response.context["activities"]]
    assert any("Atelier sur le marketing numérique" in label for label in missing)
    assert not any("Salon des fournisseurs" in label for label in missing)
    # Each item links to where it is fixed, and the preview and PDF links work.
    assert all(item.url or item.action for item in response.context["items"])
    for name in ("reports:annual", "reports:annual-pdf"):
        assert direction.get(reverse(name, args=[YEAR.label])).status_code == 200


def test_a_year_without_a_report_offers_to_create_it(staff):
    direction = staff["direction"]
    response = direction.get(reverse("reports:readiness", args=["2017-2018"]))
    (first, *_rest) = response.context["items"]
    assert first.action == reverse("reports:create", args=["2017-2018"])
    assert "Créer le rapport 2017-2018" in response.content.decode()
    assert response.context["can_preview"] is False  # nothing recorded yet: no preview link
    assert f'href="{reverse("reports:annual", args=["2017-2018"])}"' not in response.content.decode()
    created = direction.post(first.action)
    report = AnnualReport.objects.get(fiscal_year=YEAR)
    assert created["Location"] == reverse("admin:reports_annualreport_change", args=[report.pk])
    assert report.is_published is False
    # Personnel may not create a report.
    assert staff["personnel"].post(reverse("reports:create", args=["2018-2019"])).status_code == 403
    assert not AnnualReport.objects.filter(fiscal_year=FiscalYear(2018)).exists()


def test_the_sparse_year_renders_a_pdf(second_year):
    """The PDF renders; its pages are kept as pictures when POLE_SCREENSHOTS names a folder."""
    assert second_year["pdf"].startswith(b"%PDF")
    assert "Aucune activité n’a été consignée sous cet objectif en 2017-2018." in second_year["text"]
    folder = os.environ.get("POLE_SCREENSHOTS")
    if folder:
        path = os.path.join(folder, "rapport-2017-2018.pdf")
        with open(path, "wb") as file:
            file.write(second_year["pdf"])
        subprocess.run(["pdftoppm", "-png", "-r", "50", path, os.path.join(folder, "rapport-2017-2018")], check=True)
