"""``manage.py restore FILE``: load an archive of ``manage.py backup`` into an empty database.

``migrate`` is run first; a database holding anything more than what migrations create is
refused. All or nothing: the rows load in one transaction whose last step puts the files in
both storages (public and private, local folders or buckets); if anything fails, the database
and the storages stay as they were.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from pole.backups import BackupError, describe, restore_backup


class Command(BaseCommand):
    help = "Load a backup archive into an empty database and its files into the public and private storages."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The archive written by manage.py backup.")
        parser.add_argument("--database", default="default", help="The database to restore into.")

    def handle(self, *args, file, database, **options):
        with translation.override(settings.LANGUAGE_CODE):
            try:
                manifest = restore_backup(file, using=database)
            except BackupError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                self.style.SUCCESS(
                    _("Backup restored from {file}: {summary}").format(file=file, summary=describe(manifest))
                )
            )
