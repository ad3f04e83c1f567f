"""The project's admin site: Django's, with the staff dashboard on its index page."""

from django.contrib import admin
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.utils.translation import gettext_noop

from backoffice.dashboard import campaign_dashboard, staff_dashboard
from pole.fiscal_years import FiscalYear
from pole.forms import with_control_character_checks
from reports.services import fiscal_years_with_data, latest_fiscal_year_with_figures

# Words of Django's admin that the project's catalogue translates its own way. Django's French
# reads « Modification » for the « Change » links of the index; staff look for « Modifier ».
# (The report's « Change » column, « Variation », has its own context: year-over-year.)
ADMIN_WORDS = [gettext_noop("Change")]


class LabelledTabularFieldsFormSetMixin:
    """A formset whose fields each carry their label as ``aria-label``.

    Django's tabular inlines name their columns in the table's header, which is no label of
    the inputs below for a screen reader (axe: « Form elements must have labels »).
    """

    def add_fields(self, form, index):
        super().add_fields(form, index)  # adds the DELETE and ordering fields
        for name, field in form.fields.items():
            widget = field.widget
            if isinstance(widget, RelatedFieldWidgetWrapper):
                widget = widget.widget  # the wrapper renders its inner widget with the inner's attrs
            if not widget.is_hidden:
                widget.attrs.setdefault("aria-label", str(field.label or name))


class LabelledTabularInlinesMixin:
    """A model admin whose tabular inlines' inputs are labelled (``LabelledTabularFieldsFormSetMixin``)."""

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            if isinstance(inline, admin.TabularInline) and not issubclass(formset, LabelledTabularFieldsFormSetMixin):
                formset = type(formset.__name__, (LabelledTabularFieldsFormSetMixin, formset), {})
            yield formset, inline


def with_labelled_tabular_inlines(admin_class):
    if issubclass(admin_class, LabelledTabularInlinesMixin):
        return admin_class
    return type(
        admin_class.__name__,
        (LabelledTabularInlinesMixin, admin_class),
        {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
    )


class PoleAdminSite(admin.AdminSite):
    site_header = "Pôle"
    site_title = "Pôle"

    def register(self, model_or_iterable, admin_class=None, **options):
        # Every admin form refuses invisible control characters (pole/forms.py), those of
        # model admins registered later included.
        admin_class = with_control_character_checks(admin_class or admin.ModelAdmin)
        # Every tabular inline's inputs are labelled for screen readers (WCAG 1.3.1, 4.1.2).
        admin_class = with_labelled_tabular_inlines(admin_class)
        super().register(model_or_iterable, admin_class, **options)

    def index(self, request, extra_context=None):
        # The index view already requires an active staff user.
        current = FiscalYear.current()
        with_data = fiscal_years_with_data()
        years = sorted({year for year in with_data if year <= current} | {current}, reverse=True)
        try:
            chosen = FiscalYear.parse(request.GET["exercice"])
        except (KeyError, ValueError):
            chosen = None
        dashboard = staff_dashboard(
            user=request.user,
            fiscal_year=chosen if chosen in years else None,
            years_with_data=with_data,
            default_year=latest_fiscal_year_with_figures(),
        )
        dashboard["year_choices"] = years
        dashboard["renewals"] = campaign_dashboard(user=request.user)
        extra_context = {"dashboard": dashboard, **(extra_context or {})}
        return super().index(request, extra_context)
