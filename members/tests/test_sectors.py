"""Sectors: a managed list, matched ignoring case and accents, merged by staff, filled by imports."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from members.models import Member, Sector
from members.resources import MemberResource
from members.services import SECTOR_MERGE_REASON, merge_sectors
from members.tests.factories import MemberFactory, SectorFactory, sector_named
from pole.tests.spreadsheet_helpers import csv_bytes, import_file

pytestmark = pytest.mark.django_db


def test_a_sector_is_found_by_its_name_ignoring_case_accents_and_spaces():
    sector = Sector.objects.create(name="Économie sociale")
    assert sector.key == "economie sociale"
    assert Sector.objects.named("  ECONOMIE   sociale ") == sector
    assert Sector.objects.named("Économie") is None
    assert Sector.objects.named("") is None


def test_a_second_sector_of_the_same_name_is_refused_in_french():
    Sector.objects.create(name="Tourisme")
    duplicate = Sector(name="TOURISME ")
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert caught.value.message_dict["name"] == ["Le secteur «\u00a0Tourisme\u00a0» existe déjà."]


def test_merging_moves_the_members_records_their_history_and_deletes_the_others():
    keep = SectorFactory(name="Tourisme")
    other = SectorFactory(name="Tourisme et culture")
    third = SectorFactory(name="Récréotourisme")
    moved = [MemberFactory(sector=other), MemberFactory(sector=third), MemberFactory(sector=third)]
    stays = MemberFactory(sector=keep)

    assert merge_sectors(keep=keep, others=[other, third]) == 3

    assert list(Sector.objects.values_list("name", flat=True)) == ["Tourisme"]
    assert {member.sector_id for member in Member.objects.all()} == {keep.pk}
    for member in moved:
        record = member.history.latest()
        assert (record.sector_id, record.history_change_reason) == (keep.pk, SECTOR_MERGE_REASON)
    assert stays.history.count() == 1


def test_staff_merge_sectors_from_the_admin_list(personnel_client):
    keep = SectorFactory(name="Tourisme")
    other = SectorFactory(name="tourisme et culture")
    MemberFactory(sector=other, name="Festival")
    url = reverse("admin:members_sector_changelist")
    selected = {"action": "merge", "_selected_action": [keep.pk, other.pk]}

    confirm = personnel_client.post(url, selected)
    assert confirm.status_code == 200
    assert "Choisissez le secteur à conserver" in confirm.content.decode()
    assert Sector.objects.count() == 2  # nothing changes before the choice

    done = personnel_client.post(url, {**selected, "keep": keep.pk}, follow=True)
    assert [str(m) for m in done.context["messages"]] == [
        "«\u00a0tourisme et culture\u00a0» fusionné dans «\u00a0Tourisme\u00a0»\u00a0: 1 membre déplacé."
    ]
    assert Member.objects.get(name="Festival").sector == keep
    assert not Sector.objects.filter(pk=other.pk).exists()


def test_merging_needs_two_sectors(personnel_client):
    sector = SectorFactory(name="Tourisme")
    response = personnel_client.post(
        reverse("admin:members_sector_changelist"), {"action": "merge", "_selected_action": [sector.pk]}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["Choisissez au moins deux secteurs à fusionner."]
    assert Sector.objects.count() == 1


HEADER = "nom,forme_juridique,categorie,annee_fondation,territoire,milieu,secteur,courriel,telephone,site_web,adresse,adhesions"


def import_members(rows, dry_run=False):
    return import_file(MemberResource, csv_bytes(HEADER, *rows), dry_run=dry_run)


def test_the_import_matches_sectors_ignoring_case_and_accents_and_adds_unknown_ones_once():
    housing = sector_named("Habitation")
    result = import_members(
        [
            "Coop A,coopérative,régulier,,,urbain,HABITATION,,,,,2016-2017",
            "Coop B,coopérative,régulier,,,urbain,Économie circulaire,,,,,2016-2017",
            "Coop C,coopérative,régulier,,,urbain,economie  circulaire,,,,,2016-2017",
            "Coop D,coopérative,régulier,,,urbain,,,,,,2016-2017",
        ]
    )
    assert not result.has_errors() and not result.has_validation_errors()
    sectors = dict(Member.objects.values_list("name", "sector__name"))
    assert sectors == {
        "Coop A": "Habitation",
        "Coop B": "Économie circulaire",
        "Coop C": "Économie circulaire",
        "Coop D": None,
    }
    assert Member.objects.get(name="Coop A").sector == housing
    assert Sector.objects.count() == 2


def test_a_dry_run_import_adds_no_sector():
    result = import_members(["Coop A,coopérative,régulier,,,urbain,Apiculture,,,,,2016-2017"], dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert not Sector.objects.exists() and not Member.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_migration_maps_free_text_onto_one_sector_per_folded_name():
    executor = MigrationExecutor(connection)
    before, after = [("members", "0008_clean_control_characters")], [("members", "0009_sectors")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldMember = old_apps.get_model("members", "Member")
    for name, text in [("A", "Tourisme"), ("B", "tourisme "), ("C", "TOURISME"), ("D", "Santé"), ("E", "")]:
        OldMember.objects.create(name=name, sector=text)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new_apps = executor.loader.project_state(after).apps
    NewMember = new_apps.get_model("members", "Member")
    NewSector = new_apps.get_model("members", "Sector")
    assert sorted(NewSector.objects.values_list("name", "key")) == [("Santé", "sante"), ("Tourisme", "tourisme")]
    assert dict(NewMember.objects.values_list("name", "sector__name")) == {
        "A": "Tourisme",
        "B": "Tourisme",
        "C": "Tourisme",
        "D": "Santé",
        "E": None,
    }
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_a_sector_has_one_key_whichever_door_made_it():
    """The import and the admin fold a name alike, typographic apostrophe included."""
    result = import_members(["Coop A,coopérative,régulier,,,urbain,Économie d’entraide,,,,,2016-2017"])
    assert not result.has_errors() and not result.has_validation_errors()
    sector = Sector.objects.get()
    assert sector.key == "economie d'entraide" == Sector.key_for("ECONOMIE D'ENTRAIDE")
    assert Sector.objects.named("Économie d'entraide") == sector
    with pytest.raises(ValidationError):
        Sector(name="Économie d’entraide").full_clean()
    sector.save()
    assert Sector.objects.get().key == "economie d'entraide"
    assert Sector.objects.get_or_create_named("économie  d'entraide") == sector


@pytest.mark.django_db(transaction=True)
def test_the_key_migration_folds_apostrophes_and_joins_sectors_that_now_agree():
    executor = MigrationExecutor(connection)
    before, after = [("members", "0009_sectors")], [("members", "0010_sector_keys_fold_apostrophes")]
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    OldSector, OldMember = old_apps.get_model("members", "Sector"), old_apps.get_model("members", "Member")
    first = OldSector.objects.create(name="Économie d’entraide", key="economie d’entraide")
    second = OldSector.objects.create(name="Économie d'entraide", key="economie d'entraide")
    OldMember.objects.create(name="A", sector=first)
    OldMember.objects.create(name="B", sector=second)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new_apps = executor.loader.project_state(after).apps
    NewSector, NewMember = new_apps.get_model("members", "Sector"), new_apps.get_model("members", "Member")
    assert list(NewSector.objects.values_list("pk", "key")) == [(first.pk, "economie d'entraide")]
    assert set(NewMember.objects.values_list("sector_id", flat=True)) == {first.pk}
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_member_forms_sector_autocomplete_lists_sectors_by_name(personnel_client):
    for name in ("Tourisme", "Agroalimentaire", "Habitation"):
        SectorFactory(name=name)
    response = personnel_client.get(
        reverse("admin:autocomplete"), {"app_label": "members", "model_name": "member", "field_name": "sector"}
    )
    assert response.status_code == 200
    assert [row["text"] for row in response.json()["results"]] == ["Agroalimentaire", "Habitation", "Tourisme"]
