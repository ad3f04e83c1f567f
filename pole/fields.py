"""Model fields shared by the apps."""

from django.db import models


class WebsiteField(models.URLField):
    """A web address; typed without a scheme (``exemple.org``), it is read as https.

    Django 6.0 makes https the forms' default; until then every form field built from this
    model field (admin, member portal, history revert) asks for it, instead of the
    transitional FORMS_URLFIELD_ASSUME_HTTPS setting, deprecated as soon as it appeared.
    """

    def formfield(self, **kwargs):
        return super().formfield(**{"assume_scheme": "https", **kwargs})
