"""Backups cover both storages — the public and the private one — on the local disk and on object storage."""

import io
import json
import tarfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from conftest import bucket_keys
from members.models import Member
from members.tests.factories import MemberFactory
from pole.backups import restore_backup, write_backup
from pole.storage import private_storage, stored_files
from reports.models import ReportVersion
from reports.tests.factories import ReportVersionFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def role_groups(transactional_db):
    from django.apps import apps

    from members.roles import sync_role_groups

    sync_role_groups(apps)


def read(storage, name):
    with storage.open(name, "rb") as file:
        return file.read()


def some_files():
    """A member with a logo (public) and a published version (private); return {storage: {name: bytes}}."""
    member = MemberFactory(name="Coop archivée")
    member.logo.save("logo.png", ContentFile(b"a logo"), save=True)
    version = ReportVersionFactory()
    public = {member.logo.name: b"a logo"}
    private = {version.pdf.name: b"%PDF-1.7\n%%EOF\n", version.html.name: b"<!DOCTYPE html><title>Rapport</title>"}
    return public, private


def contents(storage):
    return {name: read(storage, name) for name in stored_files(storage)}


def empty_everything():
    call_command("flush", interactive=False, verbosity=0)
    for storage in (default_storage, private_storage()):
        for name in stored_files(storage):
            storage.delete(name)


def test_the_private_files_round_trip_on_the_local_disk(tmp_path):
    public, private = some_files()
    archive = tmp_path / "pole.tar.gz"
    manifest = write_backup(archive)
    assert set(manifest["media"]) == set(public) and set(manifest["private"]) == set(private)
    with tarfile.open(archive) as opened:
        assert {f"private/{name}" for name in private} <= set(opened.getnames())

    empty_everything()
    restore_backup(archive)
    assert contents(default_storage) == public
    assert contents(private_storage()) == private
    version = ReportVersion.objects.get()
    assert read(version.pdf.storage, version.pdf.name) == b"%PDF-1.7\n%%EOF\n"


def test_both_buckets_round_trip_and_move_to_the_local_disk(tmp_path, s3_storages, settings):
    public, private = some_files()
    assert bucket_keys(s3_storages.client, s3_storages.private) == sorted(private)
    archive = tmp_path / "pole.tar.gz"
    write_backup(archive)

    empty_everything()
    assert bucket_keys(s3_storages.client, s3_storages.public) == []
    default_storage.save("other/keep.txt", ContentFile(b"kept"))  # not in the archive: left as it is
    restore_backup(archive)
    assert bucket_keys(s3_storages.client, s3_storages.public) == sorted([*public, "other/keep.txt"])
    assert contents(private_storage()) == private
    assert Member.objects.get().logo.name in public

    # The same archive into a server on the local disk.
    call_command("flush", interactive=False, verbosity=0)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {"BACKEND": "pole.storage.PrivateFileSystemStorage"},
    }
    restore_backup(archive)
    assert contents(default_storage) == public and contents(private_storage()) == private


def test_a_failed_restore_puts_the_buckets_back(tmp_path, s3_storages, monkeypatch):
    public, private = some_files()
    archive = tmp_path / "pole.tar.gz"
    write_backup(archive)
    call_command("flush", interactive=False, verbosity=0)
    previous_name = next(iter(private))
    private_storage().delete(previous_name)
    private_storage().save(previous_name, ContentFile(b"what the bucket held before"))
    before = {"public": contents(default_storage), "private": contents(private_storage())}

    from storages.backends.s3 import S3Storage

    from pole.backups import BackupError

    real_save, saves = S3Storage._save, []

    def save_then_fail(self, name, content):
        saves.append(name)
        if len(saves) == 2:  # the public logo is written, then the first private file fails
            raise OSError("the bucket refuses the write")
        return real_save(self, name, content)

    monkeypatch.setattr(S3Storage, "_save", save_then_fail)
    with pytest.raises(BackupError):
        restore_backup(archive)
    monkeypatch.undo()
    assert len(saves) >= 2
    assert {"public": contents(default_storage), "private": contents(private_storage())} == before
    assert not Member.objects.exists()


def test_an_archive_of_format_1_sends_report_versions_to_the_private_storage(tmp_path):
    public, private = some_files()
    archive = tmp_path / "pole.tar.gz"
    write_backup(archive)
    # As the previous version wrote it: every file under media/, format 1.
    old = tmp_path / "old.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(old, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                manifest["format"] = "pole-backup/1"
                manifest["media"].update(manifest.pop("private"))
                data = json.dumps(manifest).encode()
            elif member.name.startswith("private/"):
                member.name = "media/" + member.name.removeprefix("private/")
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))

    empty_everything()
    restore_backup(old)
    assert contents(default_storage) == public
    assert contents(private_storage()) == private
