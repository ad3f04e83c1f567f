"""Import (preview, confirm) and export of spreadsheets in the admin, for the Personnel group."""

import datetime
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from activities.models import Activity
from activities.tests.factories import ActivityFactory, ObjectiveFactory
from members.models import Member, Territory
from members.tests.factories import MemberFactory, TerritoryFactory
from partners.models import Organisation, Partnership
from partners.tests.factories import OrganisationFactory, PartnershipFactory
from pole.fiscal_years import FiscalYear
from pole.tests.spreadsheet_helpers import csv_bytes, xlsx_bytes

ACTIVITY_HEADER = "date,date_fin,titre,objectifs,territoire,lieu,role,participants,mesures,partenaires"
MEMBER_HEADER = (
    "nom,forme_juridique,categorie,annee_fondation,territoire,milieu,secteur,courriel,telephone,site_web,"
    "adresse,adhesions"
)
CSV_FORMAT, XLSX_FORMAT = "0", "1"


@pytest.fixture
def world(db):
    TerritoryFactory(name="Portneuf")
    ObjectiveFactory(name="Concertation et collaboration")


def upload(client, url_name, name, content, file_format=CSV_FORMAT):
    return client.post(
        reverse(url_name),
        {"resource": "0", "format": file_format, "import_file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize(
    ("model", "columns"),
    [
        (
            "members_member",
            "nom, forme_juridique, categorie, annee_fondation, territoire, milieu, secteur, courriel, "
            "telephone, site_web, adresse, adhesions",
        ),
        ("activities_activity", ACTIVITY_HEADER.replace(",", ", ")),
        ("partners_partnership", "nom, categorie, exercice, site_web, montant"),
    ],
)
def test_import_and_export_pages_list_the_contract_columns(personnel_client, model, columns):
    for step in ("import", "export"):
        response = personnel_client.get(reverse(f"admin:{model}_{step}"))

        assert response.status_code == 200
        assert columns in response.content.decode()


def test_preview_shows_every_bad_line_and_saves_nothing(personnel_client, world):
    response = upload(
        personnel_client,
        "admin:activities_activity_import",
        "activites.csv",
        csv_bytes(
            ACTIVITY_HEADER,
            "2016-04-13,,Bonne ligne,,Portneuf,,réalisation,5,,Nouveau partenaire",
            "2016-04-14,2016-04-01,Fin avant début,,Portneuf,,réalisation,,,",
            "2016-04-15,,Objectif inconnu,Rayonnement,Portneuf,,réalisation,,,",
        ),
    )

    assert response.status_code == 200
    assert "confirm_form" not in response.context
    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [3, 4]
    assert result.error_messages() == [
        "Ligne 3, colonne date_fin\u00a0: La date de fin ne peut pas précéder la date de début.",
        "Ligne 4, colonne objectifs\u00a0: Objectif inconnu «\u00a0Rayonnement\u00a0». "
        "Objectifs connus\u00a0: «\u00a0Concertation et collaboration\u00a0».",
    ]
    content = response.content.decode()
    assert "La date de fin ne peut pas précéder la date de début." in content
    assert "Objectif inconnu «\u00a0Rayonnement\u00a0»" in content
    assert "<td>3 </td>" in content and "<td>4 </td>" in content
    assert Activity.objects.count() == 0
    assert Organisation.objects.count() == 0


def test_preview_then_confirm_imports_the_file(personnel_client, world):
    content = csv_bytes(
        ACTIVITY_HEADER,
        "2016-04-13,,Formation,concertation et collaboration,PORTNEUF,,réalisation,5,entreprises=3,Nouveau partenaire",
    )

    preview = upload(personnel_client, "admin:activities_activity_import", "activites.csv", content)

    assert preview.status_code == 200
    assert Activity.objects.count() == 0
    confirm_form = preview.context["confirm_form"]
    response = personnel_client.post(
        reverse("admin:activities_activity_process_import"),
        {name: confirm_form.initial[name] for name in confirm_form.fields},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("admin:activities_activity_changelist")
    activity = Activity.objects.get()
    assert (activity.title, activity.participants) == ("Formation", 5)
    assert [o.name for o in activity.partners.all()] == ["Nouveau partenaire"]
    assert "Importation terminée (activités)\u00a0: 1\u00a0ligne ajoutée, 0\u00a0ligne modifiée, 0\u00a0ligne inchangée." in (
        response.content.decode()
    )


def test_confirm_rolls_back_when_the_data_changed_since_the_preview(personnel_client, world):
    preview = upload(
        personnel_client,
        "admin:activities_activity_import",
        "activites.csv",
        csv_bytes(ACTIVITY_HEADER, "2016-04-13,,Formation,,Portneuf,,réalisation,5,,Partenaire"),
    )
    confirm_form = preview.context["confirm_form"]
    Territory.objects.filter(name="Portneuf").update(name="Charlevoix")

    response = personnel_client.post(
        reverse("admin:activities_activity_process_import"),
        {name: confirm_form.initial[name] for name in confirm_form.fields},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("admin:activities_activity_import")
    content = response.content.decode()
    assert "Ligne 2, colonne territoire\u00a0: Territoire inconnu «\u00a0Portneuf\u00a0»." in content
    assert "Rien n’a été importé." in content
    assert Activity.objects.count() == 0
    assert Organisation.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "file_format", "message"),
    [
        ("dechets.xlsx", b"\x00\xffpas un classeur", XLSX_FORMAT, "Ce fichier n’a pas pu être lu comme XLSX."),
        ("dechets.csv", b"\xff\xfe\x00\x81", CSV_FORMAT, "Ce fichier n’a pas pu être lu comme CSV."),
        ("colonnes.csv", csv_bytes("date,titre", "2016-04-13,Formation"), CSV_FORMAT, "Colonnes manquantes\u00a0: date_fin"),
        (
            "colonnes.xlsx",
            xlsx_bytes([["date", "titre", "couleur"], ["2016-04-13", "Formation", "bleu"]]),
            XLSX_FORMAT,
            "Colonnes inconnues\u00a0: couleur.",
        ),
    ],
)
def test_an_unreadable_file_gives_a_french_form_error(personnel_client, world, name, content, file_format, message):
    response = upload(personnel_client, "admin:activities_activity_import", name, content, file_format)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert "result" not in response.context or response.context["result"] is None
    assert Activity.objects.count() == 0


def test_members_and_partnerships_import_through_the_admin(personnel_client, world):
    preview = upload(
        personnel_client,
        "admin:members_member_import",
        "membres.xlsx",
        xlsx_bytes(
            [
                "nom,forme_juridique,categorie,annee_fondation,territoire,milieu,secteur,courriel,telephone,"
                "site_web,adresse,adhesions".split(","),
                [
                    "Coop",
                    "coopérative",
                    "régulier",
                    1990,
                    "portneuf",
                    "rural",
                    None,
                    None,
                    None,
                    None,
                    None,
                    "2016-2017",
                ],
            ]
        ),
        XLSX_FORMAT,
    )
    confirm_form = preview.context["confirm_form"]
    personnel_client.post(
        reverse("admin:members_member_process_import"),
        {name: confirm_form.initial[name] for name in confirm_form.fields},
    )
    assert Member.objects.get().memberships.get().fiscal_year == FiscalYear(2016)

    preview = upload(
        personnel_client,
        "admin:partners_partnership_import",
        "partenaires.csv",
        csv_bytes("nom,categorie,exercice,site_web,montant", "Ville de Québec,public,2016-2017,,15000"),
    )
    confirm_form = preview.context["confirm_form"]
    personnel_client.post(
        reverse("admin:partners_partnership_process_import"),
        {name: confirm_form.initial[name] for name in confirm_form.fields},
    )
    assert Partnership.objects.get().organisation.name == "Ville de Québec"


def test_export_writes_the_filtered_changelist(personnel_client, world):
    ActivityFactory(start_date=datetime.date(2016, 4, 13), title="Formation", territory=None, participants=3)
    ActivityFactory(
        start_date=datetime.date(2016, 5, 2),
        title="Représentation",
        territory=None,
        participants=None,
        role=Activity.Role.REPRESENTATION,
    )

    response = personnel_client.post(
        reverse("admin:activities_activity_export") + "?role__exact=realisation", {"resource": "0", "format": "0"}
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode("utf-8-sig").splitlines() == [
        ACTIVITY_HEADER,
        "2016-04-13,,Formation,,,Saint-Raymond,réalisation,3,,",
    ]


def test_export_of_members_and_partnerships_has_the_contract_columns(personnel_client, db):
    MemberFactory(name="Coop", territory=None)
    PartnershipFactory(organisation=OrganisationFactory(name="Ville de Québec", website=""), amount=None)

    members = personnel_client.post(reverse("admin:members_member_export"), {"resource": "0", "format": "0"})
    partners = personnel_client.post(reverse("admin:partners_partnership_export"), {"resource": "0", "format": "0"})

    assert members.content.decode("utf-8-sig").splitlines() == [
        "nom,forme_juridique,categorie,annee_fondation,territoire,milieu,secteur,courriel,telephone,site_web,"
        "adresse,adhesions",
        "Coop,coopérative,régulier,2000,,urbain,Alimentation,,,,,",
    ]
    assert partners.content.decode("utf-8-sig").splitlines() == [
        "nom,categorie,exercice,site_web,montant",
        "Ville de Québec,public,2016-2017,,",
    ]


def test_a_user_without_change_permission_cannot_import(client, db):
    from members.tests.factories import UserFactory

    client.force_login(UserFactory(is_staff=True))

    assert client.get(reverse("admin:activities_activity_import")).status_code == 403


def test_changelist_links_to_import_and_to_the_filtered_export(personnel_client, db):
    response = personnel_client.get(reverse("admin:activities_activity_changelist") + "?role__exact=realisation")

    content = response.content.decode()
    assert f"href='{reverse('admin:activities_activity_import')}'" in content
    assert f'href="{reverse("admin:activities_activity_export")}?role__exact=realisation"' in content


@pytest.mark.parametrize("model", ["members_member", "activities_activity", "partners_partnership"])
def test_the_import_page_shows_the_reasons_in_place(personnel_client, model):
    """The package hides each row's reasons until hovered; our stylesheet shows them."""
    response = personnel_client.get(reverse(f"admin:{model}_import"))

    assert [t.name for t in response.templates][0] == "admin/pole/import.html"
    assert "css/admin-import.css" in response.content.decode()


# A newcomer's import: the columns explained, a template to start from, a full preview


def test_the_import_page_explains_each_column_with_the_values_the_code_accepts(personnel_client, world):
    from members.resources import LEGAL_FORMS

    response = personnel_client.get(reverse("admin:members_member_import"))

    help_rows = dict(response.context["column_help"])
    assert list(help_rows) == [
        "nom",
        "forme_juridique",
        "categorie",
        "annee_fondation",
        "territoire",
        "milieu",
        "secteur",
        "courriel",
        "telephone",
        "site_web",
        "adresse",
        "adhesions",
    ]
    allowed = ", ".join(LEGAL_FORMS.values())
    assert allowed == "coopérative, mutuelle, association, société"
    assert allowed in help_rows["forme_juridique"]
    assert "«\u00a0Portneuf\u00a0»" in help_rows["territoire"]  # the territories saved, read from the database
    assert "urbain, rural" in help_rows["milieu"]
    content = response.content.decode()
    assert "<code>forme_juridique</code>" in content and allowed in content
    for extension in ("csv", "xlsx"):
        assert reverse("admin:members_member_import_template", args=[extension]) in content


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("model", "stem", "header"),
    [
        ("members_member", "membres", MEMBER_HEADER),
        ("activities_activity", "activites", ACTIVITY_HEADER),
        ("partners_partnership", "partenaires", "nom,categorie,exercice,site_web,montant"),
    ],
)
def test_each_template_holds_the_columns_and_an_example_row_that_imports(
    personnel_client, world, model, stem, header, extension
):
    response = personnel_client.get(reverse(f"admin:{model}_import_template", args=[extension]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="modele-{stem}.{extension}"'
    if extension == "csv":
        lines = response.content.decode("utf-8-sig").splitlines()
        assert lines[0] == header and len(lines) == 2
    else:
        rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)
        assert list(rows[0]) == header.split(",") and len(rows) == 2

    preview = upload(
        personnel_client,
        f"admin:{model}_import",
        f"modele.{extension}",
        response.content,
        CSV_FORMAT if extension == "csv" else XLSX_FORMAT,
    )

    result = preview.context["result"]
    assert result.error_messages() == []
    assert result.totals["new"] == 1
    assert "confirm_form" in preview.context


def test_templates_need_the_import_permission(client, world):
    from members.tests.factories import UserFactory

    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_member"))
    client.force_login(viewer)

    assert client.get(reverse("admin:members_member_import_template", args=["csv"])).status_code == 403


def test_an_unknown_template_format_is_not_found(personnel_client, world):
    assert personnel_client.get(reverse("admin:members_member_import_template", args=["ods"])).status_code == 404


def test_the_preview_shows_the_objectives_measures_and_partners_it_will_save(personnel_client, world):
    response = upload(
        personnel_client,
        "admin:activities_activity_import",
        "activites.csv",
        csv_bytes(
            ACTIVITY_HEADER,
            "2016-04-13,,Formation,concertation et collaboration,Portneuf,,réalisation,5,"
            "entreprises participantes=7;acheteurs=3,Ville de Québec;Desjardins",
        ),
    )

    (row,) = response.context["result"].preview_rows
    changes = {change.label: change.text_new for change in row.changes}
    assert changes["Objectifs"] == "Objectifs\u00a0: +\u00a0Concertation et collaboration"
    assert changes["Mesures"] == "Mesures\u00a0: +\u00a0entreprises participantes=7, +\u00a0acheteurs=3"
    assert changes["Partenaires"] == "Partenaires\u00a0: +\u00a0Ville de Québec, +\u00a0Desjardins"
    assert "Mesures\u00a0: +\u00a0entreprises participantes=7, +\u00a0acheteurs=3" in response.content.decode()


@pytest.mark.parametrize(
    ("model", "file_format", "name"),
    [
        ("activities_activity", "0", "activites-2026-11-28.csv"),
        ("members_member", "1", "membres-2026-11-28.xlsx"),
        ("partners_partnership", "0", "partenaires-2026-11-28.csv"),
    ],
)
def test_exported_files_are_named_in_french_with_the_date(
    personnel_client, world, fixed_today, model, file_format, name
):
    fixed_today(datetime.date(2026, 11, 28))

    response = personnel_client.post(reverse(f"admin:{model}_export"), {"resource": "0", "format": file_format})

    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
