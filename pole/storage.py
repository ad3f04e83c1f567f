"""Where files live: a public storage and a private one, on the local disk or on object storage.

Two storages, both named in ``STORAGES`` (``pole/settings.py``):

- ``default``, the **public** files: logos, photos, the identity's images. Anyone may read
  them at their address (``field.url``): under ``MEDIA_URL`` on the local disk, at the public
  bucket's address on object storage.
- ``private``, the **private** files: the archived report versions (PDF and HTML), and anything
  else that only the app's permission-checked views may hand out. They have no address at
  all: on the local disk they live under ``POLE_PRIVATE_ROOT``, outside ``MEDIA_ROOT`` and its
  URL, and the storage refuses to make a URL; on object storage they are in a bucket of their
  own that grants no public read.

Models name the private storage with ``storage=private_storage`` (a callable, so that a
migration records a reference, not a path, and so that tests and settings may change it).
A stored file's name identifies its content: uploads are stored under random names and
object storage never overwrites a name (``file_overwrite`` off), so a name can key a cache.
"""

import os
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, cached_property, empty

PUBLIC = "default"
PRIVATE = "private"
# Files that come and go on their own: the health check's probe (django-health-check writes
# and deletes one on every /sante/ request). Left out of listings, hence of backups.
TRANSIENT_FOLDERS = ("health_check_storage_test/",)


class PrivateFileSystemStorage(FileSystemStorage):
    """Private files on the local disk, under ``POLE_PRIVATE_ROOT``; no URL can be made for them."""

    def __init__(self, location=None, **kwargs):
        kwargs.pop("base_url", None)
        super().__init__(location=location, **kwargs)

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.POLE_PRIVATE_ROOT)

    @cached_property
    def base_url(self):
        # FileSystemStorage.url() refuses a storage without a base URL: « not accessible via a URL ».
        return None

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "POLE_PRIVATE_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


class _PrivateStorage(LazyObject):
    """``storages["private"]``, looked up when first used and again after STORAGES changes."""

    def _setup(self):
        self._wrapped = storages[PRIVATE]


_private = _PrivateStorage()


def private_storage():
    """The private storage, for ``FileField(storage=private_storage)``."""
    return _private


def public_storage():
    return storages[PUBLIC]


@receiver(setting_changed)
def _forget_private_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        _private._wrapped = empty


def is_local(storage):
    """Whether ``storage`` keeps its files in a folder of this machine (``storage.location``)."""
    try:
        storage.path("x")
    except NotImplementedError:
        return False
    return True


def local_files(root):
    """Return the regular files under the folder ``root`` as sorted POSIX paths relative to it (links skipped)."""
    root = Path(root)
    if not root.is_dir():
        return []
    files = []
    for directory, _dirs, names in os.walk(root):
        for name in names:
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                files.append(path.relative_to(root).as_posix())
    return sorted(files)


def stored_files(storage):
    """Return the names of the files ``storage`` holds, sorted, as POSIX paths relative to it.

    A local folder is walked (links are skipped: nothing outside it is read); a bucket is
    listed page by page, one request per thousand files.
    """
    if is_local(storage):
        names = local_files(storage.location)
    else:
        names = _bucket_files(storage)
    return [name for name in names if not name.startswith(TRANSIENT_FOLDERS)]


def _bucket_files(storage):
    bucket = storage.bucket
    prefix = storage.location.strip("/")
    prefix = f"{prefix}/" if prefix else ""
    names = []
    for item in bucket.objects.filter(Prefix=prefix):
        name = item.key[len(prefix) :]
        if name and not name.endswith("/"):
            names.append(name)
    return sorted(names)


def safe_name(name):
    """Whether ``name`` is a plain relative name inside a storage: no ``..``, no absolute path, no backslash."""
    posix = PurePosixPath(name)
    return bool(name) and not posix.is_absolute() and "\\" not in name and ".." not in posix.parts


def file_version(storage, name):
    """A value that changes when the stored file ``name`` changes: its path, time and size on disk.

    On object storage a name is never reused for other content (see the module's docstring),
    so the name alone identifies the file, and no request is made.
    """
    if is_local(storage):
        path = storage.path(name)
        stat = Path(path).stat()
        return (str(path), stat.st_mtime_ns, stat.st_size)
    return (f"{storage.bucket_name}/{name}", 0, 0)
