"""What every form of the project shares: no invisible control character in a text.

The portal's forms use ``ControlCharacterFormMixin``; the admin gets the same check on
every model admin and inline through its site (``PoleAdminSite.register``), so a model
admin added later is covered without anyone remembering to. Validating in the forms,
not on the model fields, keeps the models' migrations free of it; imports check their
cells themselves (``pole.spreadsheets``) and exports strip what older rows still hold.
"""

from django import forms

from pole.control_characters import ControlCharacterValidator


def refuse_control_characters(field):
    """Add the control-character check to a text form field; return the field.

    A textarea may hold tabs and line breaks, a one-line input may not.
    """
    if isinstance(field, forms.CharField) and not any(
        isinstance(validator, ControlCharacterValidator) for validator in field.validators
    ):
        multiline = isinstance(field.widget, forms.Textarea)
        field.validators.append(ControlCharacterValidator(multiline=multiline))
    return field


class ControlCharacterFormMixin:
    """A form whose text fields, declared or built from a model, refuse control characters."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            refuse_control_characters(field)


class ControlCharacterAdminMixin:
    """A model admin or inline whose form fields (change form, inlines, list_editable) refuse control characters."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        return refuse_control_characters(field) if field is not None else None

    def get_form(self, request, obj=None, **kwargs):
        # Fields declared on a custom admin form are not built by formfield_for_dbfield.
        form = super().get_form(request, obj, **kwargs)
        guard_declared_fields(form)
        return form

    def get_inlines(self, request, obj):
        return [with_control_character_checks(inline) for inline in super().get_inlines(request, obj)]


def guard_declared_fields(form_class):
    for name, field in list(form_class.base_fields.items()):
        if isinstance(field, forms.CharField) and not any(
            isinstance(validator, ControlCharacterValidator) for validator in field.validators
        ):
            # A declared field is shared with the form class it comes from: change a copy.
            form_class.base_fields[name] = refuse_control_characters(field.__deepcopy__({}))


_checked_admin_classes = {}


def with_control_character_checks(admin_class):
    """Return a subclass of ``admin_class`` (a ModelAdmin or an inline) with ``ControlCharacterAdminMixin``."""
    if issubclass(admin_class, ControlCharacterAdminMixin):
        return admin_class
    checked = _checked_admin_classes.get(admin_class)
    if checked is None:
        checked = type(
            admin_class.__name__,
            (ControlCharacterAdminMixin, admin_class),
            {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__},
        )
        _checked_admin_classes[admin_class] = checked
    return checked


def privacy_notice_html(text):
    """One or two lines under a form: why it collects what it asks, how long, and the policy's link."""
    from django.urls import reverse
    from django.utils.html import format_html
    from django.utils.translation import gettext

    return format_html(
        '<p class="form-text privacy-notice">{} <a href="{}">{}</a></p>', text, reverse("privacy"), gettext("Privacy policy")
    )
