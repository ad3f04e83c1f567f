"""Back up the whole application into one archive, and restore it into an empty database.

The archive is a ``.tar.gz`` holding:

- ``manifest.json``: format, date, the code's commit when known, the database vendor, the
  applied migrations, the rows of every model and the media files with their SHA-256;
- ``data.json``: every row of every model (``dumpdata``), with users, groups and
  permissions written by their natural keys so the archive loads into a database whose
  ids differ (SQLite to PostgreSQL and back). Content types and permissions are left out:
  ``migrate`` creates them; sessions are left out: they are disposable;
- ``media/…``: every file of the public storage (logos, photos), on the local disk
  (``MEDIA_ROOT``) or in the public bucket;
- ``private/…``: every file of the private storage (the archived report versions), on the
  local disk (``POLE_PRIVATE_ROOT``) or in the private bucket.

Both storages are read through their API (``pole/storage.py``), so a backup moves between the
local disk and object storage in either direction. An archive of format 1 (media only, before
the private storage existed) restores too: its ``reports/versions/`` files go to the private
storage.

The archive holds password hashes: it is written readable by its owner only (mode 0600).

Restoring is all or nothing. It checks the archive first (plain files only, none landing
outside its storage, no name both a file and a folder, none blocked by what a local folder
already holds, enough free disk space), runs ``migrate``, checks the database holds nothing
but what migrations create, unpacks the data and files into a temporary folder, then, in one
transaction, loads the rows, checks every model's row count against the manifest and, last,
puts the files in place. A file that the archive replaces is set aside (beside itself on a
local disk, in the temporary folder for a bucket) until the transaction commits; if anything
fails, the rows are rolled back and both storages are put back as they were.
"""

import contextlib
import datetime
import hashlib
import io
import json
import os
import secrets
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from pole.formatting import format_file_size
from pole.storage import is_local, local_files, private_storage, public_storage, stored_files

FORMAT = "pole-backup/2"
# Format 1: public media only (``media/``), archived before the private storage existed.
READABLE_FORMATS = ("pole-backup/1", FORMAT)
MANIFEST = "manifest.json"
DATA = "data.json"
MEDIA_PREFIX = "media"
PRIVATE_PREFIX = "private"
# The archive's folder of each storage, and the manifest's key listing its files.
STORAGE_PREFIXES = (MEDIA_PREFIX, PRIVATE_PREFIX)
# In a format-1 archive, the files under this folder were the archived report versions.
VERSION_FILES = "reports/versions/"
# Files take whole blocks of the disk; the free-space check counts them so.
DISK_BLOCK = 4096

# Rows that ``migrate`` creates itself (or that are disposable) and so are not archived.
NOT_ARCHIVED = ("contenttypes", "auth.permission", "sessions")
# Rows a freshly migrated database already holds; the archive's rows are merged into them
# by natural key (the role groups of members/roles.py, created by data migrations).
CREATED_BY_MIGRATIONS = ("contenttypes.contenttype", "auth.permission", "auth.group", "auth.group_permissions")


class BackupError(Exception):
    """The archive cannot be written or restored; the message is for the operator."""


def _label(model):
    return model._meta.label_lower


def _archived_models():
    """Every concrete model whose rows go into the archive (auto-created m2m tables included)."""
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        label = _label(model)
        if label.split(".")[0] in NOT_ARCHIVED or label in NOT_ARCHIVED:
            continue
        yield model


def row_counts(using=DEFAULT_DB_ALIAS):
    """Return {model label: rows} for every archived model; one COUNT query per model."""
    return {_label(model): model._base_manager.using(using).count() for model in _archived_models()}


def applied_migrations(using=DEFAULT_DB_ALIAS):
    """Return {app label: sorted names of the applied migrations}."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    applied = {}
    for app_label, name in loader.applied_migrations:
        applied.setdefault(app_label, []).append(name)
    return {app_label: sorted(names) for app_label, names in sorted(applied.items())}


def pending_migrations(using=DEFAULT_DB_ALIAS):
    """Return the ``app.name`` of the code's migrations not applied to the database."""
    executor = MigrationExecutor(connections[using])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def _code_commit():
    """The checkout's commit when the code is a Git working tree; None otherwise."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def media_files(media_root=None):
    """Return the regular files under MEDIA_ROOT as sorted POSIX paths relative to it."""
    return local_files(media_root or settings.MEDIA_ROOT)


def archive_storages():
    """{archive folder: storage}: the public storage under ``media/``, the private one under ``private/``."""
    return {MEDIA_PREFIX: public_storage(), PRIVATE_PREFIX: private_storage()}


def _spool(storage, name, scratch):
    """Copy the stored file ``name`` into the folder ``scratch``; return its path and SHA-256."""
    scratch.mkdir(parents=True, exist_ok=True)
    target = scratch / hashlib.sha256(name.encode()).hexdigest()
    digest = hashlib.sha256()
    with storage.open(name, "rb") as source, open(target, "wb") as output:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
            output.write(block)
    return target, digest.hexdigest()


def _add_bytes(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o644
    archive.addfile(info, io.BytesIO(data))


def write_backup(path, *, using=DEFAULT_DB_ALIAS):
    """Write the database's rows and the media files into the archive ``path``; return the manifest.

    The rows are read in one transaction (a consistent snapshot on PostgreSQL) and spooled
    to a temporary file, so a large database does not sit in memory.
    """
    path = Path(path)
    pending = pending_migrations(using)
    if pending:
        raise BackupError(
            _("The database lacks migrations of this code ({names}): run manage.py migrate first.").format(
                names=", ".join(pending[:5]) + ("…" if len(pending) > 5 else "")
            )
        )
    with tempfile.TemporaryDirectory() as scratch:
        data_path = Path(scratch) / DATA
        # The isolation level can only be set by the transaction's first statement.
        snapshot = connections[using].vendor == "postgresql" and not connections[using].in_atomic_block
        with transaction.atomic(using=using):
            if snapshot:
                with connections[using].cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            call_command(
                "dumpdata",
                *[f"--exclude={label}" for label in NOT_ARCHIVED],
                natural_foreign=True,
                natural_primary=True,
                use_base_manager=True,
                database=using,
                indent=1,
                output=str(data_path),
                verbosity=0,
            )
            counts = row_counts(using)
        # Each file: where the archive reads it from (a local path, or a copy in the scratch folder).
        sources, listed = {}, {}
        for prefix, storage in archive_storages().items():
            listed[prefix] = {}
            for name in stored_files(storage):
                if is_local(storage):
                    source = Path(storage.path(name))
                    digest = _sha256(source)
                else:
                    source, digest = _spool(storage, name, Path(scratch) / prefix)
                sources[f"{prefix}/{name}"] = source
                listed[prefix][name] = digest
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "code_commit": _code_commit(),
            "database_vendor": connections[using].vendor,
            "migrations": applied_migrations(using),
            "data_sha256": _sha256(data_path),
            "counts": counts,
            "media": listed[MEDIA_PREFIX],
            "private": listed[PRIVATE_PREFIX],
        }
        temporary = path.with_name(f".{path.name}.partial")
        try:
            # The archive holds password hashes: readable by its owner only, whatever the umask,
            # from its first byte. O_EXCL refuses to write through a link left at that name.
            temporary.unlink(missing_ok=True)
            with open(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as output:
                os.fchmod(output.fileno(), 0o600)
                with tarfile.open(fileobj=output, mode="w:gz") as archive:
                    _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False).encode())
                    archive.add(data_path, arcname=DATA, recursive=False)
                    for arcname, source in sources.items():
                        archive.add(source, arcname=arcname, recursive=False)
            # Only a complete archive takes the final name.
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    return manifest


def read_manifest(archive):
    try:
        member = archive.getmember(MANIFEST)
        manifest = json.load(archive.extractfile(member))
    except (KeyError, ValueError, AttributeError) as error:
        raise BackupError(
            _("This archive has no readable manifest: it is not a backup of this application.")
        ) from error
    if manifest.get("format") not in READABLE_FORMATS:
        raise BackupError(
            _("This archive's format ({format}) is not one this version reads ({expected}).").format(
                format=manifest.get("format"), expected=FORMAT
            )
        )
    manifest.setdefault("private", {})
    return manifest


def destination(manifest, member_name):
    """Return ``(archive folder, name)`` of where the archive's file ``member_name`` goes.

    The folder names the storage (``media`` public, ``private``); a format-1 archive's report
    versions go to the private storage.
    """
    prefix, _slash, name = member_name.partition("/")
    if manifest.get("format") != FORMAT and prefix == MEDIA_PREFIX and name.startswith(VERSION_FILES):
        return PRIVATE_PREFIX, name
    return prefix, name


def media_target(media_root, name):
    """Return where the archive member ``name`` (``media/…``) goes under ``media_root``.

    Raise BackupError for a name that is absolute, climbs out with ``..`` or otherwise
    resolves outside ``media_root``.
    """
    posix = PurePosixPath(name)
    parts = posix.parts
    if posix.is_absolute() or "\\" in name or len(parts) < 2 or parts[0] not in STORAGE_PREFIXES or ".." in parts:
        raise BackupError(_("The archive holds a file outside the media folder: {name}.").format(name=name))
    root = Path(media_root).resolve()
    target = root.joinpath(*parts[1:]).resolve()
    if root not in target.parents:
        raise BackupError(_("The archive holds a file outside the media folder: {name}.").format(name=name))
    return target


class ArchivedFile:
    """A file of the archive and where it goes: ``prefix`` (the storage's folder) and ``name`` in that storage."""

    def __init__(self, member, prefix, name):
        self.member, self.prefix, self.name = member, prefix, name

    @property
    def parts(self):
        return PurePosixPath(self.name).parts


def _storage_root(prefix):
    """The local folder of the storage ``prefix`` names, or None for object storage."""
    storage = archive_storages()[prefix]
    return Path(storage.location) if is_local(storage) else None


def _check_members(archive, manifest):
    """Check every member of the archive is a plain file where it belongs; return its ``ArchivedFile`` list."""
    files = []
    for member in archive.getmembers():
        if member.name in (MANIFEST, DATA):
            if not member.isfile():
                raise BackupError(_("The archive's {name} is not a plain file.").format(name=member.name))
            continue
        if member.isdir():
            media_target(settings.MEDIA_ROOT, member.name.rstrip("/") + "/x")
            continue
        if not member.isfile():
            # Links, devices and pipes could point anywhere on the disk.
            raise BackupError(
                _("The archive holds something other than a plain file: {name}.").format(name=member.name)
            )
        media_target(settings.MEDIA_ROOT, member.name)
        prefix, name = destination(manifest, member.name)
        root = _storage_root(prefix)
        if root is not None:
            media_target(root, f"{MEDIA_PREFIX}/{name}")
        files.append(ArchivedFile(member, prefix, name))
    listed = {f"{prefix}/{name}" for prefix in STORAGE_PREFIXES for name in manifest.get(prefix, {})}
    found = {file.member.name for file in files}
    if listed != found:
        raise BackupError(_("The archive's media files do not match its manifest: it is incomplete or altered."))
    return files


def unexpected_rows(using=DEFAULT_DB_ALIAS):
    """Return {model label: rows} of the tables holding more than a fresh migrate leaves."""
    return {label: count for label, count in row_counts(using).items() if count and label not in CREATED_BY_MIGRATIONS}


def _check_migrations(manifest, using):
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    unknown = sorted(
        f"{app_label}.{name}"
        for app_label, names in manifest.get("migrations", {}).items()
        for name in names
        if (app_label, name) not in known
    )
    if unknown:
        raise BackupError(
            _(
                "The archive was made by a newer version of the application (migrations unknown here: {names}). "
                "Restore it with that version."
            ).format(names=", ".join(unknown))
        )


def restore_backup(path, *, using=DEFAULT_DB_ALIAS, migrate=True, stdout=None):
    """Load the archive ``path`` into an empty database and its files into both storages; return the manifest.

    All or nothing: the archive, the local folders and the free disk space are checked
    before anything is written; the rows and the files are unpacked into a temporary
    folder; then one transaction loads the rows, checks every model ends with the
    manifest's row count and, last, puts the files in place. If anything fails, the
    transaction is rolled back and the storages are put back as they were (``migrate`` aside).
    """
    path = Path(path)
    try:
        archive = tarfile.open(path, "r:gz")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(_("Cannot read the archive {path}: {reason}").format(path=path, reason=error)) from error
    with archive, tempfile.TemporaryDirectory() as scratch:
        manifest = read_manifest(archive)
        files = _check_members(archive, manifest)
        for prefix in STORAGE_PREFIXES:
            root = _storage_root(prefix)
            if root is not None:
                _check_media_tree(root, [file for file in files if file.prefix == prefix])
        _check_disk_space(archive, files, Path(scratch))
        _check_migrations(manifest, using)
        if migrate:
            call_command("migrate", database=using, interactive=False, verbosity=0, stdout=stdout)
        present = unexpected_rows(using)
        if present:
            details = ", ".join(f"{label} ({count})" for label, count in sorted(present.items())[:5])
            if len(present) > 5:
                details += ", …"

            raise BackupError(
                _(
                    "The database is not empty ({details}). Restore into a new database, "
                    "created and left empty (migrate is run for you)."
                ).format(details=details)
            )

        data_path = Path(scratch) / DATA
        try:
            source = archive.extractfile(DATA)
        except KeyError:
            source = None
        if source is None:
            raise BackupError(_("The archive has no {name}.").format(name=DATA))
        try:
            with source, open(data_path, "wb") as target:
                shutil.copyfileobj(source, target)
            if _sha256(data_path) != manifest.get("data_sha256"):
                raise BackupError(_("The archive's data does not match its manifest: it is damaged or altered."))
            staged = _stage_media(archive, files, manifest, Path(scratch) / "staged")
        except OSError as error:
            raise BackupError(
                _("The archive could not be unpacked in {folder}: {reason}").format(folder=scratch, reason=error)
            ) from error

        placement = _Placements(staged, Path(scratch) / "previous")
        try:
            with transaction.atomic(using=using):
                _load_rows(data_path, manifest, using)
                # Last step before the commit, so that a failure rolls back the rows as well.
                placement.move_in()
        except BaseException:
            placement.put_back()
            raise
        placement.forget_previous()
    return manifest


def _load_rows(data_path, manifest, using):
    """Load ``data.json`` in the current transaction and check every model's row count."""
    try:
        call_command("loaddata", str(data_path), database=using, verbosity=0)
    except Exception as error:
        raise BackupError(_("The archive's data could not be loaded: {reason}").format(reason=error)) from error
    counts = row_counts(using)
    wrong = []
    for label, expected in manifest.get("counts", {}).items():
        found = counts.get(label)
        # Groups merge by name into those the migrations created, so there may be more.
        if found is None or (found < expected if label in CREATED_BY_MIGRATIONS else found != expected):
            wrong.append(f"{label} ({found} / {expected})")
    if wrong:
        raise BackupError(
            _("After loading, these tables do not hold the archived rows: {tables}. Nothing was saved.").format(
                tables=", ".join(wrong)
            )
        )


def _check_media_tree(media_root, media):
    """Check the files bound for the local folder ``media_root`` can all take their places.

    No name is both a file and a folder: neither in the archive (``media/a`` beside
    ``media/a/b``) nor against what ``media_root`` already holds (a file where the archive
    needs a folder, a folder where it has a file).
    """
    files = set()
    for archived in media:
        parts = archived.parts
        if parts in files:
            raise BackupError(_("The archive holds the media file {name} twice.").format(name="/".join(parts)))
        files.add(parts)
    root = Path(media_root)
    for parts in sorted(files):
        for depth in range(len(parts)):
            folder = root.joinpath(*parts[:depth])
            if depth and parts[:depth] in files:
                raise BackupError(
                    _("The archive holds {name} both as a file and as a folder.").format(name="/".join(parts[:depth]))
                )
            if (folder.exists() or folder.is_symlink()) and not folder.is_dir():
                raise BackupError(
                    _(
                        "{path} is in the way of the archive's media file {name}: move it away, then restore again."
                    ).format(path=folder, name="/".join(parts))
                )
        if root.joinpath(*parts).is_dir():
            raise BackupError(
                _("{path} is in the way of the archive's media file {name}: move it away, then restore again.").format(
                    path=root.joinpath(*parts), name="/".join(parts)
                )
            )


def _existing_folder(path):
    """``path``, or its nearest ancestor that exists."""
    path = Path(path).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _check_disk_space(archive, files, scratch):
    """Check the disks hold the unpacked data and files (in ``scratch``) and their copies in local folders."""

    def on_disk(size):
        return -(-size // DISK_BLOCK) * DISK_BLOCK

    try:
        data = on_disk(archive.getmember(DATA).size)
    except KeyError:
        data = 0
    needs = {scratch: data + sum(on_disk(file.member.size) for file in files)}
    scratch_device = os.stat(scratch).st_dev
    for prefix in STORAGE_PREFIXES:
        root = _storage_root(prefix)
        if root is None:
            continue
        folder = _existing_folder(root)
        # On one disk, the files move into the folder by renaming; on another they are copied there.
        if os.stat(folder).st_dev != scratch_device:
            needs[folder] = needs.get(folder, 0) + sum(on_disk(f.member.size) for f in files if f.prefix == prefix)
    for folder, needed in needs.items():
        free = shutil.disk_usage(folder).free
        if needed > free:
            raise BackupError(
                _(
                    "Not enough free disk space in {folder}: the restore needs {needed} there, {free} are free. "
                    "Nothing was changed."
                ).format(folder=folder, needed=format_file_size(needed), free=format_file_size(free))
            )


def _stage_media(archive, files, manifest, scratch):
    """Extract the files into ``scratch``, checking each digest; return [(staged file, ArchivedFile)]."""
    staged = []
    for index, archived in enumerate(files):
        listed_prefix, listed_name = archived.member.name.split("/", 1)
        scratch.mkdir(parents=True, exist_ok=True)
        staged_path = scratch / str(index)
        digest = hashlib.sha256()
        with archive.extractfile(archived.member) as source, open(staged_path, "wb") as output:
            for block in iter(lambda: source.read(1 << 20), b""):
                digest.update(block)
                output.write(block)
        if digest.hexdigest() != manifest[listed_prefix][listed_name]:
            raise BackupError(_("The media file {name} is damaged in the archive.").format(name=listed_name))
        staged.append((staged_path, archived))
    return staged


class _Placements:
    """Put the staged files in both storages, able to put both back as they were.

    Files bound for a local folder move by renaming (``_MediaPlacement``); files bound for a
    bucket are written through the storage (``_StoragePlacement``).
    """

    def __init__(self, staged, scratch):
        self.placements = []
        for prefix in STORAGE_PREFIXES:
            mine = [(path, archived) for path, archived in staged if archived.prefix == prefix]
            root = _storage_root(prefix)
            if root is not None:
                targets = [(path, media_target(root, f"{MEDIA_PREFIX}/{archived.name}")) for path, archived in mine]
                self.placements.append(_MediaPlacement(targets, root))
            else:
                self.placements.append(_StoragePlacement(archive_storages()[prefix], mine, scratch / prefix))

    def move_in(self):
        for placement in self.placements:
            placement.move_in()

    def put_back(self):
        failures = []
        for placement in reversed(self.placements):
            try:
                placement.put_back()
            except BackupError as error:
                failures.append(str(error))
        if failures:
            raise BackupError(" ".join(failures))

    def forget_previous(self):
        for placement in self.placements:
            placement.forget_previous()


class _StoragePlacement:
    """Write staged files into a storage without a local folder (a bucket), able to undo it.

    A file already stored under a name is copied into ``scratch`` first, and written back if
    the restore fails.
    """

    def __init__(self, storage, staged, scratch):
        self.storage, self.staged, self.scratch = storage, staged, scratch
        self.done = []  # (name, copy of what was there or None)

    def move_in(self):
        try:
            for staged_path, archived in self.staged:
                previous = None
                if self.storage.exists(archived.name):
                    previous, _digest = _spool(self.storage, archived.name, self.scratch)
                    self.storage.delete(archived.name)
                self.done.append((archived.name, previous))
                with open(staged_path, "rb") as source:
                    stored = self.storage.save(archived.name, File(source))
                if stored != archived.name:
                    raise OSError(f"stored as {stored}")
        except Exception as error:
            raise BackupError(
                _("The media files could not be moved into {folder}: {reason}. Nothing was restored.").format(
                    folder=getattr(self.storage, "bucket_name", self.storage), reason=error
                )
            ) from error

    def put_back(self):
        failures = []
        while self.done:
            name, previous = self.done.pop()
            try:
                self.storage.delete(name)
                if previous is not None:
                    with open(previous, "rb") as source:
                        self.storage.save(name, File(source))
            except Exception as error:
                failures.append(f"{name}: {error}")
        if failures:
            raise BackupError(
                _(
                    "The media folder could not be put back as it was ({failures}); files set aside end with {suffix}."
                ).format(failures="; ".join(failures), suffix=str(self.scratch))
            )

    def forget_previous(self):
        self.done = []


class _MediaPlacement:
    """Move staged media files to their places, able to put MEDIA_ROOT back as it was.

    A file already at a place is renamed aside, beside itself (one folder, so one disk:
    a rename cannot fail half-way), and removed only once the restore has succeeded.
    """

    def __init__(self, staged, root=None):
        self.staged = staged
        self.root = Path(root or settings.MEDIA_ROOT)
        self.suffix = f".{secrets.token_hex(8)}.before-restore"
        # What was done, in order: ("folder", created folder, None) or ("file", place, set-aside copy or None).
        self.done = []

    def move_in(self):
        try:
            for staged_path, target in self.staged:
                self._make_folders(target.parent)
                aside = None
                if target.exists() or target.is_symlink():
                    aside = target.with_name(f".{target.name}{self.suffix}")
                    os.replace(target, aside)
                self.done.append(("file", target, aside))
                shutil.move(staged_path, target)
        except OSError as error:
            raise BackupError(
                _("The media files could not be moved into {folder}: {reason}. Nothing was restored.").format(
                    folder=self.root, reason=error
                )
            ) from error

    def _make_folders(self, folder):
        missing = []
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for folder in reversed(missing):
            folder.mkdir()
            self.done.append(("folder", folder, None))

    def put_back(self):
        """Undo ``move_in``, last step first: remove what was moved in, rename back what was set aside."""
        failures = []
        while self.done:
            kind, path, aside = self.done.pop()
            try:
                if kind == "folder":
                    path.rmdir()
                else:
                    path.unlink(missing_ok=True)
                    if aside is not None:
                        os.replace(aside, path)
            except OSError as error:
                failures.append(f"{path}: {error}")
        if failures:
            raise BackupError(
                _(
                    "The media folder could not be put back as it was ({failures}); files set aside end with {suffix}."
                ).format(failures="; ".join(failures), suffix=self.suffix)
            )

    def forget_previous(self):
        """Remove the files set aside, once the restore has succeeded."""
        for kind, _path, aside in self.done:
            if kind == "file" and aside is not None:
                # A copy left behind harms nothing but disk space: the restore has succeeded.
                with contextlib.suppress(OSError):
                    aside.unlink()
        self.done = []


def describe(manifest):
    """One line per fact of the manifest, for the commands' output."""
    rows = sum(manifest["counts"].values())
    created = datetime.datetime.fromisoformat(manifest["created_at"])
    return _("{rows} rows in {models} tables and {files} media files, from {vendor}, made on {date}.").format(
        rows=rows,
        models=sum(1 for count in manifest["counts"].values() if count),
        files=len(manifest["media"]) + len(manifest.get("private", {})),
        vendor=manifest["database_vendor"],
        date=timezone.localtime(created).strftime("%Y-%m-%d %H:%M"),
    )
