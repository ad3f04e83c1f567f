"""``manage.py backup FILE``: the whole application (every row, every public and private file) in one archive.

See pole/backups.py for what the archive holds; ``manage.py restore FILE`` loads it.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from pole.backups import BackupError, describe, write_backup


class Command(BaseCommand):
    help = "Write every row of the database and every file of both storages into one .tar.gz archive."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The archive to write, e.g. pole-2026-05-01.tar.gz.")
        parser.add_argument("--database", default="default", help="The database to back up.")

    def handle(self, *args, file, database, **options):
        # Operators read the network's language (management commands start in English).
        with translation.override(settings.LANGUAGE_CODE):
            try:
                manifest = write_backup(file, using=database)
            except (BackupError, OSError) as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                self.style.SUCCESS(
                    _("Backup written to {file}: {summary}").format(file=file, summary=describe(manifest))
                )
            )
