"""The report's French typography as a template filter: ``{% filter french_typography %}…{% endfilter %}``.

For text the report context cannot typeset: the template's own words and translations, and
model fields printed as they are (an objective's name). A no-op unless French is active.
"""

from django import template

from reports import typography

register = template.Library()


@register.filter(is_safe=True)
def french_typography(value):
    """Return ``value`` in French typography when French is active; HTML stays HTML."""
    if not typography.is_french():
        return value
    return typography.french_typography(value)
