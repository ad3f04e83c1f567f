"""The project's admin site: Django's, with the staff dashboard on its index page."""

from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from backoffice.dashboard import campaign_dashboard, staff_dashboard
from pole.collation import french_order
from pole.fiscal_years import FiscalYear
from pole.forms import with_control_character_checks
from pole.french import DEFINITE, INDEFINITE, noun_with_article
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


def _in_french_order(model, term):
    """``term`` of a list's ordering, in French alphabetical order when it names a text field."""
    if not isinstance(term, str):
        return term
    try:
        field = get_fields_from_path(model, term.removeprefix("-"))[-1]
    except (FieldDoesNotExist, NotRelationField):
        return term
    # Codes behind choices (« association », « rural ») keep their plain order.
    if isinstance(field, (models.CharField, models.TextField)) and not field.choices:
        return french_order(term)
    return term


class FrenchOrderingChangeList(ChangeList):
    """An admin list whose text columns sort in French alphabetical order (pole/collation.py),
    the column a person clicks included, not only the model's default ordering."""

    def get_ordering(self, request, queryset):
        return [_in_french_order(self.model, term) for term in super().get_ordering(request, queryset)]


class FrenchOrderingMixin:
    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        if issubclass(changelist, FrenchOrderingChangeList):
            return changelist
        return type(changelist.__name__, (FrenchOrderingChangeList, changelist), {})


def with_french_ordering(admin_class):
    if issubclass(admin_class, FrenchOrderingMixin):
        return admin_class
    return type(
        admin_class.__name__,
        (FrenchOrderingMixin, admin_class),
        {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
    )


class FrenchTitlesMixin:
    """Titles and buttons that name the model with its article, as French needs.

    Django writes « Ajout de %s » and « Ajouter %s » around a model's bare name, which gives
    « Ajout de activité », « Modification de identité du réseau ». Here a page says
    « Ajouter une activité », « Modifier l’identité du réseau » (the noun and its article come
    from the catalogue: pole/french.py); English reads as Django's (« Add activity »).
    """

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if add:
            title = _("Add %(noun)s") % {"noun": noun_with_article(self.opts, INDEFINITE)}
        elif self.has_change_permission(request, obj):
            title = _("Change %(noun)s") % {"noun": noun_with_article(self.opts, DEFINITE)}
        else:
            title = _("View %(noun)s") % {"noun": noun_with_article(self.opts, DEFINITE)}
        context.update(title=title, noun_with_indefinite_article=noun_with_article(self.opts, INDEFINITE))
        return super().render_change_form(request, context, add=add, change=change, form_url=form_url, obj=obj)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"noun_with_indefinite_article": noun_with_article(self.opts, INDEFINITE), **(extra_context or {})}
        return super().changelist_view(request, extra_context)


def with_french_titles(admin_class):
    if issubclass(admin_class, FrenchTitlesMixin):
        return admin_class
    return type(
        admin_class.__name__,
        (FrenchTitlesMixin, admin_class),
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
        # Every list sorts names in French alphabetical order (« Écoquartier » among the E).
        admin_class = with_french_ordering(admin_class)
        # « Ajouter une activité », « Modifier l’identité du réseau » (not « Ajout de activité »).
        admin_class = with_french_titles(admin_class)
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
