"""The report's French typography as a template filter: ``{% filter french_typography %}…{% endfilter %}``.

The report template wraps its whole page in it: the data, the template's own words and
translations, and the text attributes (alt texts, labels, the title). A no-op unless French
is active.
"""

from django import template

from pole.formatting import is_french
from reports import typography

register = template.Library()


@register.filter(is_safe=True)
def french_typography(value):
    """Return ``value`` in French typography when French is active; HTML stays HTML."""
    if not is_french():
        return value
    return typography.french_typography(value)
