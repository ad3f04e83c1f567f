"""The network's identity in templates that may render without a request (the report's page)."""

from django import template

from pole.identity import stylesheet_url

register = template.Library()


@register.simple_tag
def identity_stylesheet_url():
    """The versioned address of ``/identite.css`` (``pole.identity.stylesheet_url``)."""
    return stylesheet_url()
