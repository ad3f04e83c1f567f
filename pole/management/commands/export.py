"""``manage.py export RESOURCE --format CSV``: django-import-export's command, writing text or a file.

It replaces the package's command (this app comes before ``import_export`` in
INSTALLED_APPS) and also accepts the package's order, ``export FORMAT RESOURCE``.
XLSX, being binary, goes to a file (``--output``) or to a redirected standard output.
Given a folder, ``--output`` writes the admin's file name (``membres-2026-11-28.csv``).
Like the admin's, the file escapes formulas and writes XLSX text as text (pole/spreadsheets/).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from import_export.command_utils import get_default_format_names, get_format_class, get_resource_class

from pole.spreadsheets.readers import spreadsheet_format
from pole.spreadsheets.resources import SpreadsheetResource, dated_file_name


class Command(BaseCommand):
    help = (
        "Export every row of a resource such as activities.resources.ActivityResource as CSV (the default) "
        "or XLSX, with the columns its import reads."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "targets",
            nargs="+",
            metavar="[FORMAT] RESOURCE",
            help="The resource class or model as a dotted path, e.g. activities.resources.ActivityResource, "
            "optionally preceded by the format.",
        )
        parser.add_argument("--format", help=f"The format ({get_default_format_names()}); CSV by default.")
        parser.add_argument("--encoding", help="The encoding of a text format (UTF-8 by default).")
        parser.add_argument(
            "-o",
            "--output",
            help="Write to this file instead of standard output; to a folder, under the date's name "
            "(membres-2026-11-28.csv).",
        )

    def handle(self, *args, targets, format, encoding, output, **options):
        if len(targets) == 2 and not format:
            format, resource_path = targets
        elif len(targets) == 1:
            (resource_path,) = targets
        else:
            raise CommandError(_("Give one resource, and the format either before it or with --format."))
        if not format:
            format = "XLSX" if output and output.lower().endswith(".xlsx") else "CSV"

        resource = get_resource_class(resource_path)()
        file_format = spreadsheet_format(get_format_class(format, None, encoding))
        exported = file_format.export_data(resource.export())
        if not file_format.is_binary():
            exported = exported.encode(encoding or "utf-8")

        if output:
            path = Path(output)
            if path.is_dir():
                if not isinstance(resource, SpreadsheetResource):
                    raise CommandError(_("Give a file name with --output for this resource."))
                path = path / dated_file_name(resource, file_format)
            path.write_bytes(exported)
            return
        stream = getattr(self.stdout, "buffer", None)
        if stream is None:
            if file_format.is_binary():
                raise CommandError(_("This format is binary: write it to a file with --output."))
            self.stdout.write(exported.decode(encoding or "utf-8"), ending="")
            return
        if file_format.is_binary() and self.stdout.isatty():
            raise CommandError(_("This format is binary: write it to a file with --output."))
        self.stdout.flush()
        stream.write(exported)
        stream.flush()
