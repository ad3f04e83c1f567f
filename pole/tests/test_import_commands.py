"""``manage.py import`` and ``manage.py export``: ours replace django-import-export's."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command, execute_from_command_line, get_commands

from activities.models import Activity
from activities.tests.factories import ActivityFactory, ObjectiveFactory
from demo.loader import load_demo
from members.models import Member
from members.tests.factories import TerritoryFactory
from partners.models import Partnership
from pole.tests.spreadsheet_helpers import csv_bytes, xlsx_bytes

ACTIVITY = "activities.resources.ActivityResource"
HEADER = "date,date_fin,titre,objectifs,territoire,lieu,role,participants,mesures,partenaires"


@pytest.fixture
def world(db):
    TerritoryFactory(name="Portneuf")
    ObjectiveFactory(name="Renforcer les compétences")


def run(*args):
    """Run a command; return (stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(*args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_our_commands_replace_the_packages():
    assert get_commands()["import"] == "pole"
    assert get_commands()["export"] == "pole"


def test_import_saves_a_valid_file_and_says_what_it_did(world, tmp_path):
    path = tmp_path / "activites.csv"
    path.write_bytes(
        csv_bytes(
            HEADER,
            "2016-04-13,,Formation en comptabilité,renforcer les competences,portneuf,,réalisation,5,,",
            "2016-05-06,,Déjeuner d’affaires,,Portneuf,,réalisation,30,,",
        )
    )

    stdout, stderr = run("import", ACTIVITY, str(path), "--no-input")

    assert stderr == ""
    assert "Importation terminée (activités)\u00a0: 2\u00a0lignes ajoutées, 0\u00a0ligne modifiée, 0\u00a0ligne inchangée." in stdout
    assert Activity.objects.count() == 2


def test_import_reports_every_bad_line_on_stderr_and_saves_nothing(world, tmp_path):
    path = tmp_path / "activites.csv"
    path.write_bytes(
        csv_bytes(
            HEADER,
            "2016-04-13,,Bonne ligne,,Portneuf,,réalisation,5,,Nouveau partenaire",
            "2016-02-30,,Date impossible,,Portneuf,,réalisation,,,",
            "2016-04-14,,Participants négatifs,,Portneuf,,réalisation,-1,,",
        )
    )

    stderr = io.StringIO()
    with pytest.raises(CommandError, match="Rien n’a été importé"):
        call_command("import", ACTIVITY, str(path), "--no-input", stdout=io.StringIO(), stderr=stderr)

    assert stderr.getvalue().splitlines() == [
        "Ligne 3, colonne date\u00a0: «\u00a02016-02-30\u00a0» n’est pas une date valide de la forme AAAA-MM-JJ, comme 2016-04-13.",
        "Ligne 4, colonne participants\u00a0: «\u00a0-1\u00a0» est négatif\u00a0; un nombre de personnes est zéro ou plus.",
    ]
    assert Activity.objects.count() == 0


def test_import_exits_with_status_one_from_the_command_line(world, tmp_path, capsys):
    path = tmp_path / "activites.csv"
    path.write_bytes(csv_bytes(HEADER, "2016-04-13,,Titre,,Nulle part,,réalisation,,,"))

    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "import", ACTIVITY, str(path), "--no-input"])

    assert exit_.value.code == 1
    err = capsys.readouterr().err
    assert "Ligne 2, colonne territoire\u00a0: Territoire inconnu «\u00a0Nulle part\u00a0»." in err
    assert "Rien n’a été importé" in err


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("dechets.xlsx", b"\x00\xffpas un classeur", "Ce fichier n’a pas pu être lu comme XLSX."),
        ("dechets.csv", b"\xff\xfe\x00\x81", "Ce fichier n’a pas pu être lu comme CSV."),
        ("colonnes.csv", csv_bytes("date,titre", "2016-04-13,Formation"), "Colonnes manquantes\u00a0: date_fin, objectifs"),
        ("vide.csv", b"", "Le fichier est vide"),
        (
            "virgule.csv",
            csv_bytes(HEADER, "2016-04-13,,Formation, comptabilité,,Portneuf,,réalisation,5,,Partenaire"),
            "La ligne 2 a 11 cellules pour 10 colonnes",
        ),
    ],
)
def test_an_unreadable_file_gives_a_french_error(world, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(CommandError) as error:
        run("import", ACTIVITY, str(path), "--no-input")

    assert message in str(error.value)
    assert Activity.objects.count() == 0


def test_dry_run_saves_nothing(world, tmp_path):
    path = tmp_path / "activites.csv"
    path.write_bytes(csv_bytes(HEADER, "2016-04-13,,Formation,,Portneuf,,réalisation,5,,"))

    stdout, _stderr = run("import", ACTIVITY, str(path), "--dry-run")

    assert "Essai à blanc" in stdout
    assert Activity.objects.count() == 0


def test_import_asks_for_confirmation_unless_no_input(world, tmp_path, monkeypatch):
    path = tmp_path / "activites.csv"
    path.write_bytes(csv_bytes(HEADER, "2016-04-13,,Formation,,Portneuf,,réalisation,5,,"))
    monkeypatch.setattr("builtins.input", lambda prompt: "non")

    with pytest.raises(CommandError, match="Importation annulée."):
        run("import", ACTIVITY, str(path))
    assert Activity.objects.count() == 0

    monkeypatch.setattr("builtins.input", lambda prompt: "oui")
    run("import", ACTIVITY, str(path))
    assert Activity.objects.count() == 1


def test_import_reads_xlsx(world, tmp_path):
    path = tmp_path / "activites.xlsx"
    path.write_bytes(
        xlsx_bytes([HEADER.split(","), ["2016-04-13", None, "Formation", None, "Portneuf", None, "réalisation", 5]])
    )

    run("import", ACTIVITY, str(path), "--no-input")

    assert Activity.objects.get().participants == 5


def test_export_writes_csv_to_stdout_in_either_argument_order(world):
    ActivityFactory(start_date=datetime.date(2016, 4, 13), title="Formation", territory=None, participants=None)
    expected = [HEADER, "2016-04-13,,Formation,,,Saint-Raymond,réalisation,,,"]

    stdout, _stderr = run("export", ACTIVITY, "--format", "CSV")
    assert stdout.splitlines() == expected

    stdout, _stderr = run("export", "CSV", ACTIVITY)
    assert stdout.splitlines() == expected


def test_export_refuses_binary_on_a_text_stream(db):
    with pytest.raises(CommandError, match="--output"):
        run("export", ACTIVITY, "--format", "XLSX")


@pytest.mark.parametrize(
    ("resource", "model", "extension"),
    [
        ("members.resources.MemberResource", Member, "csv"),
        ("members.resources.MemberResource", Member, "xlsx"),
        (ACTIVITY, Activity, "csv"),
        (ACTIVITY, Activity, "xlsx"),
        ("partners.resources.PartnerResource", Partnership, "csv"),
        ("partners.resources.PartnerResource", Partnership, "xlsx"),
    ],
)
def test_demo_export_then_import_changes_nothing(db, tmp_path, resource, model, extension):
    load_demo()
    path = tmp_path / f"export.{extension}"
    run("export", resource, "--output", str(path))
    count = model.objects.count()

    stdout, stderr = run("import", resource, str(path), "--no-input")

    assert stderr == ""
    assert f"0\u00a0ligne ajoutée, 0\u00a0ligne modifiée, {count}\u00a0lignes inchangées." in stdout
    assert model.objects.count() == count


def test_export_to_a_folder_names_the_file_in_french_with_the_date(world, tmp_path, fixed_today):
    fixed_today(datetime.date(2026, 11, 28))
    ActivityFactory(start_date=datetime.date(2016, 4, 13), title="Formation", territory=None)

    folder = tmp_path / "exports"  # the test's folder also holds its cache
    folder.mkdir()
    run("export", ACTIVITY, "-o", str(folder))
    run("export", "XLSX", "members.resources.MemberResource", "-o", str(folder))

    assert sorted(path.name for path in folder.iterdir()) == ["activites-2026-11-28.csv", "membres-2026-11-28.xlsx"]
    assert (folder / "activites-2026-11-28.csv").read_text(encoding="utf-8").splitlines()[0] == HEADER
