"""Model fields shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from pole.phones import normalize_phone


class WebsiteField(models.URLField):
    """A web address; typed without a scheme (``exemple.org``), it is read as https.

    Django 6.0 makes https the forms' default; until then every form field built from this
    model field (admin, member portal, history revert) asks for it, instead of the
    transitional FORMS_URLFIELD_ASSUME_HTTPS setting, deprecated as soon as it appeared.
    """

    def formfield(self, **kwargs):
        # A text input, not type="url": « exemple.org » is a valid answer here, which a url
        # input holds as invalid (and the HTML checker refuses as its value once sent back).
        widget = forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url", "spellcheck": "false"})
        return super().formfield(**{"assume_scheme": "https", "widget": widget, **kwargs})

    def clean(self, value, model_instance):
        # The forms' rule for every ``full_clean`` too (the spreadsheet imports): « deuxrives.coop »
        # is stored as « https://deuxrives.coop », as the portal stores it.
        if value:
            value = forms.URLField(assume_scheme="https").to_python(value)
        return super().clean(value, model_instance)


class PhoneField(models.CharField):
    """A phone number, checked and stored in the North American form (« 418 555-0134, poste 12 »).

    The value is normalised when the model is cleaned, so the admin, the member portal and
    the spreadsheet imports (which all run ``full_clean``) store the same form.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)

    def clean(self, value, model_instance):
        # Here, not in to_python: Django calls to_python on every save and lookup, and a
        # number stored before this field existed (left for a person to fix) must not make a
        # delete or a filter fail. Model.full_clean stores what this returns.
        value = super().clean(value, model_instance)
        if not value:
            return value
        try:
            return normalize_phone(value)
        except ValueError:
            raise ValidationError(
                _("« %(value)s » is not a phone number such as 418 555-0134 (an extension may follow: « poste 12 »)."),
                code="invalid_phone",
                params={"value": value},
            ) from None

    def formfield(self, **kwargs):
        widget = forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})
        return super().formfield(**{"widget": widget, **kwargs})
