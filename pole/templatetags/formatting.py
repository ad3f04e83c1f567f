"""The base's formatting in templates: ``{{ version.pdf_size|file_size }}`` gives « 1,2 Mo »."""

from django import template

from pole.formatting import format_file_size

register = template.Library()


@register.filter
def file_size(size):
    """A size in bytes as ``pole.formatting.format_file_size`` writes it (« 2 Mo », « 520 ko »)."""
    return format_file_size(size)
