"""``manage.py import RESOURCE FILE``: django-import-export's command, reporting every bad row.

It takes the same arguments as the package's command, which it replaces (this
app comes before ``import_export`` in INSTALLED_APPS). The import is all or
nothing: when a row is bad, every problem is written to stderr with its line
in the file, nothing is saved and the command exits with status 1. A file over
the limits the admin applies (POLE_IMPORT_MAX_ROWS, POLE_IMPORT_MAX_BYTES) is
refused alike.
"""

import os
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from import_export.command_utils import get_default_format_names, get_format_class, get_resource_class

from pole.spreadsheets.cells import SpreadsheetError
from pole.spreadsheets.readers import check_upload_size, max_import_bytes, read_dataset
from pole.spreadsheets.resources import SpreadsheetResult


class Command(BaseCommand):
    help = (
        "Import a spreadsheet (CSV or XLSX) with a resource such as activities.resources.ActivityResource. "
        "Nothing is saved unless every row is valid; every bad row is reported with its line."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "resource", help="The resource class or model as a dotted path, e.g. members.resources.MemberResource."
        )
        parser.add_argument("import_file_name", help='The file to import from ("-" for standard input).')
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )
        parser.add_argument("--raise-errors", action="store_true", help="Stop with a traceback at the first error.")
        parser.add_argument("-n", "--dry-run", action="store_true", help="Check the file without saving anything.")
        parser.add_argument(
            "--format",
            help=f"The file's format ({get_default_format_names()}); guessed from the file name when omitted.",
        )
        parser.add_argument(
            "--encoding", help="The encoding of a CSV file (by default read from the file: UTF-8, Windows-1252…)."
        )

    def handle(
        self, *args, resource, import_file_name, interactive, raise_errors, dry_run, format, encoding, **options
    ):
        resource = get_resource_class(resource)()
        if import_file_name == "-" and not format:
            raise CommandError(_("Give the format of standard input with --format CSV or --format XLSX."))
        try:
            file_format = get_format_class(format, import_file_name, encoding)
        except CommandError:
            raise CommandError(
                _("Cannot tell the format of {file}: give --format CSV or --format XLSX.").format(file=import_file_name)
            ) from None

        if interactive and not dry_run:
            answer = input(_("Import {file}? Type « yes » to go on: ").format(file=import_file_name))
            if answer.strip().lower() not in ("yes", "oui"):
                raise CommandError(_("Import cancelled."))

        try:
            if import_file_name == "-":
                # One byte more than the limit is enough to tell that the input is too large.
                data = sys.stdin.buffer.read(max_import_bytes() + 1)
            else:
                check_upload_size(os.path.getsize(import_file_name))
                with open(import_file_name, "rb") as file:
                    data = file.read()
        except OSError as error:
            raise CommandError(
                _("Cannot read the file {file}: {reason}").format(file=import_file_name, reason=error.strerror)
            ) from None
        except SpreadsheetError as error:
            raise CommandError(str(error)) from None

        try:
            dataset = read_dataset(file_format, data)
        except SpreadsheetError as error:
            raise CommandError(str(error)) from None

        reading = getattr(dataset, "reading", None)
        if reading is not None:
            self.stdout.write(reading.describe())
        result = resource.import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=True)
        verbose_name_plural = resource._meta.model._meta.verbose_name_plural

        if result.base_errors:
            # The file as a whole is wrong (its columns): no row was read.
            raise CommandError(" ".join(str(error.error) for error in result.base_errors))
        if result.has_errors() or result.has_validation_errors():
            for message in self.error_messages(result):
                self.stderr.write(message)
            raise CommandError(_("Nothing was imported: correct the file and import it again."))

        if dry_run:
            self.stdout.write(_("Dry run: the file is valid and nothing was saved."))
        summary = result.summary(verbose_name_plural) if isinstance(result, SpreadsheetResult) else str(result.totals)
        self.stdout.write(self.style.SUCCESS(summary))

    def error_messages(self, result):
        if isinstance(result, SpreadsheetResult):
            return result.error_messages()
        # A resource outside the spreadsheet contract: row numbers count data rows.
        lines = [f"{row.number}: {row.error}" for row in result.invalid_rows]
        lines += [f"{line}: {error.error}" for line, errors in result.row_errors() for error in errors]
        return lines
