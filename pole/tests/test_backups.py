"""``manage.py backup`` and ``manage.py restore``: the whole application in one archive and back."""

import collections
import errno
import hashlib
import io
import json
import os
import shutil
import stat
import tarfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from demo.loader import load_demo
from members.models import Member, User
from members.roles import DIRECTION, PERSONNEL
from pole.backups import BackupError, media_files, media_target, restore_backup, row_counts, write_backup
from pole.fiscal_years import FiscalYear
from reports.pdf import render_report_html
from reports.report import build_report_context
from reports.tests.factories import give_portraits_and_logos

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    """Transactional tests empty the database after each test, the migrations' groups with it."""
    from django.apps import apps

    from members.roles import sync_role_groups

    sync_role_groups(apps)


def report_html():
    cache.clear()  # the report must be read from the restored rows, never from a cache
    return render_report_html(build_report_context(FiscalYear(2016)))


def media_contents(root):
    return {name: (Path(root) / name).read_bytes() for name in media_files(root)}


def empty_database_and_media(media_root):
    """Leave what a new server has: a migrated, empty database and no media files."""
    call_command("flush", interactive=False, verbosity=0)
    for path in sorted(Path(media_root).rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def test_demo_round_trips_through_backup_and_restore(tmp_path, media_root):
    load_demo()
    give_portraits_and_logos()
    html = report_html()
    media = media_contents(media_root)
    counts = row_counts()
    groups = {group.name: set(group.permissions.values_list("codename", flat=True)) for group in Group.objects.all()}
    member_pks = sorted(Member.objects.values_list("pk", flat=True))
    # The demo's photos, and portraits and logos (the demo generates none).
    assert len(media) > 20 and "Coopérative funéraire des Deux Rives" in html

    archive = tmp_path / "pole.tar.gz"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    assert f"{len(media)} fichiers de médias" in out.getvalue()

    empty_database_and_media(media_root)
    # A migrated database holds the role groups (synced after migrate and after flush), nothing else.
    assert not Member.objects.exists() and media_files(media_root) == []
    assert set(Group.objects.values_list("name", flat=True)) == {PERSONNEL, DIRECTION}

    call_command("restore", str(archive), stdout=io.StringIO())

    assert report_html() == html
    assert media_contents(media_root) == media
    assert row_counts() == counts
    assert {g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()} == groups
    assert sorted(Member.objects.values_list("pk", flat=True)) == member_pks
    # The demo director logs in with the restored password and keeps the group.
    director = User.objects.get(email="direction@exemple.org")
    assert director.check_password("pole-demo") and director.groups.filter(name=DIRECTION).exists()
    # Sequences follow the restored ids (PostgreSQL): a new row gets a fresh id.
    new = Member.objects.create(name="Après la restauration", legal_form="cooperative")
    assert new.pk > max(member_pks)


def test_history_and_log_entries_survive(tmp_path, media_root):
    from members.tests.factories import MemberFactory

    member = MemberFactory(name="Coop historique", description="avant")
    member.description = "après"
    member.save()
    write_backup(tmp_path / "b.tar.gz")
    empty_database_and_media(media_root)
    restore_backup(tmp_path / "b.tar.gz")
    assert list(Member.objects.get(pk=member.pk).history.values_list("description", flat=True)) == ["après", "avant"]


def test_restore_refuses_a_database_that_is_not_empty_in_french(tmp_path):
    from members.tests.factories import MemberFactory

    MemberFactory(name="Déjà là")
    write_backup(tmp_path / "b.tar.gz")
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(tmp_path / "b.tar.gz"), stdout=io.StringIO())
    assert "La base de données n’est pas vide" in str(refused.value)
    assert "members.member (1)" in str(refused.value)
    assert list(Member.objects.values_list("name", flat=True)) == ["Déjà là"]


def rewrite_archive(source, target, change):
    """Copy the archive ``source`` to ``target``, passing each (TarInfo, bytes) through ``change``."""
    with tarfile.open(source, "r:gz") as old, tarfile.open(target, "w:gz") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read() if member.isfile() else None
            for info, content in change(member, data):
                new.addfile(info, io.BytesIO(content) if content is not None else None)


def test_restore_refuses_a_file_that_would_land_outside_media_root(tmp_path, media_root):
    from members.tests.factories import MemberFactory

    MemberFactory()
    (Path(media_root) / "members").mkdir(parents=True)
    (Path(media_root) / "members" / "logo.png").write_bytes(b"png")
    write_backup(tmp_path / "b.tar.gz")

    def escape(member, data):
        if member.name == "media/members/logo.png":
            member.name = "media/../../evil.png"
        if member.name == "manifest.json":
            manifest = json.loads(data)
            manifest["media"] = {"../../evil.png": manifest["media"]["members/logo.png"]}
            data = json.dumps(manifest).encode()
            member.size = len(data)
        yield member, data

    rewrite_archive(tmp_path / "b.tar.gz", tmp_path / "evil.tar.gz", escape)
    empty_database_and_media(media_root)
    with pytest.raises(BackupError, match="outside the media folder|hors du dossier"):
        restore_backup(tmp_path / "evil.tar.gz")
    assert not (tmp_path / "evil.png").exists() and not Member.objects.exists()


def test_restore_refuses_links_in_the_archive(tmp_path, media_root):
    from members.tests.factories import MemberFactory

    MemberFactory()
    write_backup(tmp_path / "b.tar.gz")

    def add_link(member, data):
        yield member, data
        if member.name == "data.json":
            link = tarfile.TarInfo("media/passwd")
            link.type = tarfile.SYMTYPE
            link.linkname = "/etc/passwd"
            yield link, None

    rewrite_archive(tmp_path / "b.tar.gz", tmp_path / "link.tar.gz", add_link)
    empty_database_and_media(media_root)
    with pytest.raises(BackupError):
        restore_backup(tmp_path / "link.tar.gz")
    assert not (Path(media_root) / "passwd").exists() and not Member.objects.exists()


def test_restore_refuses_altered_data_and_saves_nothing(tmp_path, media_root):
    from members.tests.factories import MemberFactory

    MemberFactory(name="Intacte")
    write_backup(tmp_path / "b.tar.gz")

    def alter(member, data):
        if member.name == "data.json":
            data = data.replace(b"Intacte", "Altérée".encode())
            member.size = len(data)
        yield member, data

    rewrite_archive(tmp_path / "b.tar.gz", tmp_path / "altered.tar.gz", alter)
    empty_database_and_media(media_root)
    with pytest.raises(BackupError):
        restore_backup(tmp_path / "altered.tar.gz")
    assert not Member.objects.exists()


@pytest.mark.parametrize(
    "name",
    ["media/../x", "/etc/passwd", "media/a/../../x", "data/x", "media", "media/a\\..\\..\\x"],
)
def test_media_target_refuses_paths_outside_media_root(tmp_path, name):
    with pytest.raises(BackupError):
        media_target(tmp_path, name)


def test_media_target_places_files_under_media_root(tmp_path):
    assert media_target(tmp_path, "media/members/logo.png") == (tmp_path / "members" / "logo.png").resolve()


def test_manifest_records_vendor_counts_and_media(tmp_path, media_root):
    from members.tests.factories import MemberFactory

    MemberFactory.create_batch(3)
    (Path(media_root) / "staff").mkdir(parents=True)
    (Path(media_root) / "staff" / "a.jpg").write_bytes(b"jpeg")
    manifest = write_backup(tmp_path / "b.tar.gz")
    assert manifest["database_vendor"] == connection.vendor
    assert manifest["counts"]["members.member"] == 3
    assert "contenttypes.contenttype" not in manifest["counts"]
    assert list(manifest["media"]) == ["staff/a.jpg"]
    assert {PERSONNEL, DIRECTION} <= set(Group.objects.values_list("name", flat=True))
    with tarfile.open(tmp_path / "b.tar.gz") as archive:
        assert sorted(archive.getnames()) == ["data.json", "manifest.json", "media/staff/a.jpg"]


# --- The archive's permissions ---------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o022, 0o000], ids=["umask-022", "umask-000"])
def test_backup_archive_is_readable_and_writable_by_its_owner_only(tmp_path, umask):
    from members.tests.factories import MemberFactory

    MemberFactory()
    archive = tmp_path / "b.tar.gz"
    archive.write_bytes(b"an older, world-readable archive")
    archive.chmod(0o644)
    previous = os.umask(umask)
    try:
        write_backup(archive)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    with tarfile.open(archive) as written:
        assert "data.json" in written.getnames()


# --- All or nothing --------------------------------------------------------------------------


def archive_of_one_member_and_two_files(tmp_path, media_root):
    """A valid archive (one member, files members/logos/a.png and staff/b.jpg); the database and media emptied after."""
    from members.tests.factories import MemberFactory

    MemberFactory(name="Coop archivée")
    for name, content in {"members/logos/a.png": b"archived a", "staff/b.jpg": b"archived b"}.items():
        (Path(media_root) / name).parent.mkdir(parents=True, exist_ok=True)
        (Path(media_root) / name).write_bytes(content)
    write_backup(tmp_path / "valid.tar.gz")
    empty_database_and_media(media_root)
    return tmp_path / "valid.tar.gz"


def media_already_there(media_root):
    """Files of the server before the restore: one the archive replaces, one it does not hold."""
    for name, content in {"members/logos/a.png": b"previous a", "other/keep.txt": b"keep"}.items():
        (Path(media_root) / name).parent.mkdir(parents=True, exist_ok=True)
        (Path(media_root) / name).write_bytes(content)
    return media_contents(media_root)


def assert_restore_changed_nothing(counts, media, media_root):
    assert row_counts() == counts
    assert not Member.objects.exists()
    assert media_contents(media_root) == media
    # Nothing left behind either: no partial file, no copy kept aside.
    assert sorted(p.relative_to(media_root).as_posix() for p in Path(media_root).rglob("*") if p.is_file()) == sorted(
        media
    )


def assert_a_valid_restore_still_works(archive, media_root):
    restore_backup(archive)
    assert list(Member.objects.values_list("name", flat=True)) == ["Coop archivée"]
    assert media_contents(media_root) == {
        "members/logos/a.png": b"archived a",
        "other/keep.txt": b"keep",
        "staff/b.jpg": b"archived b",
    }


def test_restore_of_an_archive_holding_a_file_and_a_folder_of_one_name_changes_nothing(tmp_path, media_root):
    valid = archive_of_one_member_and_two_files(tmp_path, media_root)

    def add_clashing_file(member, data):
        if member.name == "manifest.json":
            manifest = json.loads(data)
            manifest["media"]["staff"] = hashlib.sha256(b"a file named like a folder").hexdigest()
            data = json.dumps(manifest).encode()
            member.size = len(data)
        yield member, data
        if member.name == "data.json":
            clash = tarfile.TarInfo("media/staff")
            clash.size = len(b"a file named like a folder")
            yield clash, b"a file named like a folder"

    rewrite_archive(valid, tmp_path / "clash.tar.gz", add_clashing_file)
    media = media_already_there(media_root)
    counts = row_counts()

    with pytest.raises(BackupError, match="staff"):
        restore_backup(tmp_path / "clash.tar.gz")

    assert_restore_changed_nothing(counts, media, media_root)
    assert_a_valid_restore_still_works(valid, media_root)


def test_restore_of_an_archive_holding_a_media_file_twice_changes_nothing(tmp_path, media_root):
    valid = archive_of_one_member_and_two_files(tmp_path, media_root)

    def repeat_a_file(member, data):
        yield member, data
        if member.name == "media/staff/b.jpg":
            yield member, data  # the same name and content: its digest matches

    rewrite_archive(valid, tmp_path / "twice.tar.gz", repeat_a_file)
    media = media_already_there(media_root)
    counts = row_counts()

    with pytest.raises(BackupError, match="staff/b.jpg"):
        restore_backup(tmp_path / "twice.tar.gz")

    assert_restore_changed_nothing(counts, media, media_root)


def test_restore_refuses_a_file_of_the_media_folder_standing_where_the_archive_needs_a_folder(tmp_path, media_root):
    valid = archive_of_one_member_and_two_files(tmp_path, media_root)
    (Path(media_root) / "staff").write_bytes(b"in the way")
    counts = row_counts()

    with pytest.raises(BackupError, match="staff"):
        restore_backup(valid)

    assert_restore_changed_nothing(counts, {"staff": b"in the way"}, media_root)
    (Path(media_root) / "staff").unlink()
    restore_backup(valid)
    assert media_contents(media_root) == {"members/logos/a.png": b"archived a", "staff/b.jpg": b"archived b"}


def test_a_failure_while_moving_the_media_in_puts_the_database_and_media_back(tmp_path, media_root, monkeypatch):
    valid = archive_of_one_member_and_two_files(tmp_path, media_root)
    media = media_already_there(media_root)
    counts = row_counts()
    real_move = shutil.move
    moves = []

    def move_then_fail(source, target):
        moves.append(target)
        if len(moves) == 2:
            # The disk fails halfway through the second file.
            Path(target).write_bytes(b"half")
            raise OSError(errno.EIO, "Input/output error")
        return real_move(source, target)

    monkeypatch.setattr(shutil, "move", move_then_fail)
    with pytest.raises(BackupError):
        restore_backup(valid)
    monkeypatch.undo()

    assert len(moves) == 2  # the first file was in place, the previous one set aside
    assert_restore_changed_nothing(counts, media, media_root)
    assert_a_valid_restore_still_works(valid, media_root)


def test_a_failure_while_moving_media_into_a_new_media_folder_leaves_no_folder(tmp_path, media_root, monkeypatch):
    valid = archive_of_one_member_and_two_files(tmp_path, media_root)
    Path(media_root).rmdir()
    counts = row_counts()

    def fail(source, target):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "move", fail)
    with pytest.raises(BackupError):
        restore_backup(valid)
    monkeypatch.undo()

    assert row_counts() == counts and not Path(media_root).exists()
    restore_backup(valid)
    assert media_contents(media_root) == {"members/logos/a.png": b"archived a", "staff/b.jpg": b"archived b"}


DiskUsage = collections.namedtuple("DiskUsage", "total used free")


def test_restore_refuses_an_archive_larger_than_the_free_disk_space(tmp_path, media_root, monkeypatch):
    valid = archive_of_one_member_and_two_files(tmp_path, media_root)
    media = media_already_there(media_root)
    counts = row_counts()

    almost_full = DiskUsage(total=10**9, used=10**9 - 1000, free=1000)
    monkeypatch.setattr(shutil, "disk_usage", lambda path: almost_full)
    with pytest.raises(BackupError, match="disk space|espace disque"):
        restore_backup(valid)
    monkeypatch.undo()

    assert_restore_changed_nothing(counts, media, media_root)
    assert_a_valid_restore_still_works(valid, media_root)
