"""French grammar in templates: ``{{ registration.name|of_name }}`` gives « d’Émilie »."""

from django import template

from pole.french import of_name as _of_name

register = template.Library()


@register.filter
def of_name(name):
    """``name`` after « de », elided where French elides (« d’Émilie »); « of … » in English."""
    return _of_name(name)
