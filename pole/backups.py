"""Back up the whole application into one archive, and restore it into an empty database.

The archive is a ``.tar.gz`` holding:

- ``manifest.json``: format, date, the code's commit when known, the database vendor, the
  applied migrations, the rows of every model and the media files with their SHA-256;
- ``data.json``: every row of every model (``dumpdata``), with users, groups and
  permissions written by their natural keys so the archive loads into a database whose
  ids differ (SQLite to PostgreSQL and back). Content types and permissions are left out:
  ``migrate`` creates them; sessions are left out: they are disposable;
- ``media/…``: every file under ``MEDIA_ROOT`` (logos, photos).

The archive holds password hashes: it is written readable by its owner only (mode 0600).

Restoring is all or nothing. It checks the archive first (plain files only, none landing
outside ``MEDIA_ROOT``, no name both a file and a folder, none blocked by what
``MEDIA_ROOT`` already holds, enough free disk space), runs ``migrate``, checks the database
holds nothing but what migrations create, unpacks the data and media files into a
temporary folder, then, in one transaction, loads the rows, checks every model's row count
against the manifest and, last, moves the media files in place. A file of ``MEDIA_ROOT``
that the archive replaces is set aside until the transaction commits; if anything fails,
the rows are rolled back and ``MEDIA_ROOT`` is put back as it was.
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
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from pole.formatting import format_file_size

FORMAT = "pole-backup/1"
MANIFEST = "manifest.json"
DATA = "data.json"
MEDIA_PREFIX = "media"
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
    root = Path(media_root or settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    files = []
    for directory, _dirs, names in os.walk(root):
        for name in names:
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                files.append(path.relative_to(root).as_posix())
    return sorted(files)


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
    media_root = Path(settings.MEDIA_ROOT)
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
        files = media_files(media_root)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "code_commit": _code_commit(),
            "database_vendor": connections[using].vendor,
            "migrations": applied_migrations(using),
            "data_sha256": _sha256(data_path),
            "counts": counts,
            "media": {name: _sha256(media_root / name) for name in files},
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
                    for name in files:
                        archive.add(media_root / name, arcname=f"{MEDIA_PREFIX}/{name}", recursive=False)
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
    if manifest.get("format") != FORMAT:
        raise BackupError(
            _("This archive's format ({format}) is not one this version reads ({expected}).").format(
                format=manifest.get("format"), expected=FORMAT
            )
        )
    return manifest


def media_target(media_root, name):
    """Return where the archive member ``name`` (``media/…``) goes under ``media_root``.

    Raise BackupError for a name that is absolute, climbs out with ``..`` or otherwise
    resolves outside ``media_root``.
    """
    posix = PurePosixPath(name)
    parts = posix.parts
    if posix.is_absolute() or "\\" in name or len(parts) < 2 or parts[0] != MEDIA_PREFIX or ".." in parts:
        raise BackupError(_("The archive holds a file outside the media folder: {name}.").format(name=name))
    root = Path(media_root).resolve()
    target = root.joinpath(*parts[1:]).resolve()
    if root not in target.parents:
        raise BackupError(_("The archive holds a file outside the media folder: {name}.").format(name=name))
    return target


def _check_members(archive, manifest):
    """Check every member of the archive is a plain file where it belongs; return the media members."""
    media = []
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
        media.append(member)
    listed = {f"{MEDIA_PREFIX}/{name}" for name in manifest.get("media", {})}
    found = {member.name for member in media}
    if listed != found:
        raise BackupError(_("The archive's media files do not match its manifest: it is incomplete or altered."))
    return media


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
    """Load the archive ``path`` into an empty database and its files into MEDIA_ROOT; return the manifest.

    All or nothing: the archive, the media folder and the free disk space are checked
    before anything is written; the rows and the media files are unpacked into a temporary
    folder; then one transaction loads the rows, checks every model ends with the
    manifest's row count and, last, moves the media files in place. If anything fails,
    the transaction is rolled back and MEDIA_ROOT is put back as it was (``migrate`` aside).
    """
    path = Path(path)
    media_root = Path(settings.MEDIA_ROOT)
    try:
        archive = tarfile.open(path, "r:gz")
    except (OSError, tarfile.TarError) as error:
        raise BackupError(_("Cannot read the archive {path}: {reason}").format(path=path, reason=error)) from error
    with archive, tempfile.TemporaryDirectory() as scratch:
        manifest = read_manifest(archive)
        media = _check_members(archive, manifest)
        _check_media_tree(media_root, media)
        _check_disk_space(archive, media, Path(scratch), media_root)
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
            staged = _stage_media(archive, media, manifest, Path(scratch) / MEDIA_PREFIX)
        except OSError as error:
            raise BackupError(
                _("The archive could not be unpacked in {folder}: {reason}").format(folder=scratch, reason=error)
            ) from error

        placement = _MediaPlacement(staged)
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


def _media_parts(member):
    """The path of the archive's media ``member`` under MEDIA_ROOT, as a tuple of names."""
    return PurePosixPath(member.name).parts[1:]


def _check_media_tree(media_root, media):
    """Check the media files can all take their places: no name is both a file and a folder.

    Neither in the archive (``media/a`` beside ``media/a/b``) nor against what ``media_root``
    already holds (a file where the archive needs a folder, a folder where it has a file).
    """
    files = set()
    for member in media:
        parts = _media_parts(member)
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


def _check_disk_space(archive, media, scratch, media_root):
    """Check the disks hold the unpacked data and media files (in ``scratch``) and their copy in MEDIA_ROOT."""

    def on_disk(size):
        return -(-size // DISK_BLOCK) * DISK_BLOCK

    try:
        data = on_disk(archive.getmember(DATA).size)
    except KeyError:
        data = 0
    files = sum(on_disk(member.size) for member in media)
    scratch_device = os.stat(scratch).st_dev
    media_folder = _existing_folder(media_root)
    needs = [(scratch, data + files)]
    # On one disk, the files move into MEDIA_ROOT by renaming; on another they are copied there.
    if os.stat(media_folder).st_dev != scratch_device:
        needs.append((media_folder, files))
    for folder, needed in needs:
        free = shutil.disk_usage(folder).free
        if needed > free:
            raise BackupError(
                _(
                    "Not enough free disk space in {folder}: the restore needs {needed} there, {free} are free. "
                    "Nothing was changed."
                ).format(folder=folder, needed=format_file_size(needed), free=format_file_size(free))
            )


def _stage_media(archive, media, manifest, scratch):
    """Extract the media files into ``scratch``, checking each digest; return [(file, final place)]."""
    media_root = Path(settings.MEDIA_ROOT)
    staged = []
    for index, member in enumerate(media):
        target = media_target(media_root, member.name)
        name = member.name.split("/", 1)[1]
        scratch.mkdir(parents=True, exist_ok=True)
        staged_path = scratch / str(index)
        digest = hashlib.sha256()
        with archive.extractfile(member) as source, open(staged_path, "wb") as output:
            for block in iter(lambda: source.read(1 << 20), b""):
                digest.update(block)
                output.write(block)
        if digest.hexdigest() != manifest["media"][name]:
            raise BackupError(_("The media file {name} is damaged in the archive.").format(name=name))
        staged.append((staged_path, target))
    return staged


class _MediaPlacement:
    """Move staged media files to their places, able to put MEDIA_ROOT back as it was.

    A file already at a place is renamed aside, beside itself (one folder, so one disk:
    a rename cannot fail half-way), and removed only once the restore has succeeded.
    """

    def __init__(self, staged):
        self.staged = staged
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
                    folder=settings.MEDIA_ROOT, reason=error
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
        files=len(manifest["media"]),
        vendor=manifest["database_vendor"],
        date=timezone.localtime(created).strftime("%Y-%m-%d %H:%M"),
    )
