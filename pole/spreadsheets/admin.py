"""The admin's spreadsheet pages: import (preview, then confirm), export, and the template
file of each resource."""


import tablib
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from import_export.admin import ImportExportMixin
from import_export.forms import ExportForm, ImportForm

from pole.spreadsheets.cells import SpreadsheetError
from pole.spreadsheets.readers import SpreadsheetCSV, SpreadsheetXLSX, check_upload_size, read_failure_message
from pole.spreadsheets.resources import dated_file_name


def template_file(resource, file_format):
    """Return the bytes of ``resource``'s template: the column names and one example row."""
    dataset = tablib.Dataset(resource.export_row(resource.example_row()), headers=resource.columns())
    content = file_format.export_data(dataset)
    return content if isinstance(content, bytes) else content.encode(SpreadsheetAdminMixin.to_encoding)


class SpreadsheetImportForm(ImportForm):
    """The admin's import form; a file over the size limit is refused before it is read."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_upload_size(upload.size)
        except SpreadsheetError as error:
            raise ValidationError(str(error)) from None
        return upload


class SpreadsheetAdminMixin(ImportExportMixin):
    """Import (preview, then confirm) and export of a changelist as CSV or XLSX.

    Import needs the add and change permissions of the model; export, the view
    permission. Export always writes every column of the contract, so that the
    file can be imported again. The import page describes every column and offers
    a template file in each format (``import_template``).
    """

    formats = [SpreadsheetCSV, SpreadsheetXLSX]
    #: The template files' formats, by the extension in their address.
    template_formats = {"csv": SpreadsheetCSV, "xlsx": SpreadsheetXLSX}
    export_form_class = ExportForm
    import_form_class = SpreadsheetImportForm
    # The package's page, with each bad row's reasons shown in the table rather than on hover.
    import_template_name = "admin/pole/import.html"
    # A byte order mark lets spreadsheet programs read the CSV's accents as UTF-8.
    to_encoding = "utf-8-sig"
    # Uploads are read as bytes and their encoding detected (pole.spreadsheets.readers.decode_csv):
    # a French Excel saves its CSV in Windows-1252, not UTF-8.
    from_encoding = None

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_urls(self):
        app_label, model_name = self.get_model_info()
        return [
            path(
                "import/modele.<str:extension>",
                self.admin_site.admin_view(self.import_template),
                name=f"{app_label}_{model_name}_import_template",
            ),
            *super().get_urls(),
        ]

    def spreadsheet_resource(self, request):
        return self.get_import_resource_classes(request)[0](**self.get_import_resource_kwargs(request))

    def import_template(self, request, extension):
        """Download the template file (column names and one example row) as CSV or XLSX."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        format_class = self.template_formats.get(extension)
        if format_class is None:
            raise Http404
        resource = self.spreadsheet_resource(request)
        file_format = format_class()
        response = HttpResponse(template_file(resource, file_format), content_type=file_format.get_content_type())
        response["Content-Disposition"] = f'attachment; filename="modele-{resource.file_stem}.{extension}"'
        return response

    def get_export_data(self, file_format, request, queryset, **kwargs):
        """The file, and a line in the exports' log (who, when, which list, how many rows) to trace an incident."""
        from pole.privacy import record_export

        data = super().get_export_data(file_format, request, queryset, **kwargs)
        record_export(
            user=request.user,
            what=f"{self.model._meta.verbose_name_plural} ({file_format.get_extension()})",
            rows=queryset.count(),
        )
        return data

    def get_export_filename(self, request, queryset, file_format):
        resource = self.get_export_resource_classes(request)[0]
        return dated_file_name(resource, file_format)

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, SpreadsheetError):
            form.add_error("import_file", str(e))
        else:
            file_format = self.get_import_formats()[int(form.cleaned_data["format"])]()
            form.add_error("import_file", read_failure_message(file_format))

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        # The package's import_action has already refused anyone without the import permission.
        app_label, model_name = self.get_model_info()
        url_name = f"admin:{app_label}_{model_name}_import_template"
        context["column_help"] = self.spreadsheet_resource(request).column_help()
        context["template_links"] = [
            (extension.upper(), reverse(url_name, args=[extension], current_app=self.admin_site.name))
            for extension in self.template_formats
        ]
        result = context.get("result")
        if result is not None and result.base_errors:
            # Wrong columns: say so beside the file field, without a traceback.
            for error in result.base_errors:
                context["form"].add_error("import_file", str(error.error))
            del context["result"]
            context.pop("confirm_form", None)
        return response

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The data changed between the preview and the confirmation.
            for message in result.error_messages():
                messages.error(request, message)
            messages.error(request, _("Nothing was imported."))
            app_label, model_name = self.get_model_info()
            return HttpResponseRedirect(
                reverse(f"admin:{app_label}_{model_name}_import", current_app=self.admin_site.name)
            )
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        """The import's counts, then what comes next: the rows in the list, what they still lack."""
        messages.success(
            request,
            format_html(
                "{} {} <a href=\"{}\">{}</a>",
                result.summary(self.model._meta.verbose_name_plural),
                _("What’s next: the imported rows are in the list below; the dashboard counts what they still lack "
                  "for the annual report."),
                reverse("admin:index", current_app=self.admin_site.name),
                _("Open the dashboard"),
            ),
        )
