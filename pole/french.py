"""French grammar the catalogue cannot carry alone: elision before a name, articles before a
model's name in the admin's titles.

gettext translates sentences; it cannot know that « de » becomes « d’ » before « Émilie » or
« activité », nor which article a model's French name takes. Names get ``of_name``; models
get their noun with its article from the catalogue itself, under the message contexts
``definite article`` and ``indefinite article`` (« l’activité », « une activité »), which
``tests`` require for every model of the admin.
"""

import unicodedata

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from pole.formatting import is_french

DEFINITE = "definite article"
INDEFINITE = "indefinite article"

# French elides « de », « le », « la » before a vowel or a mute h; a few words begin with an
# aspirated h (no elision), too few in names and the admin's nouns to list but these.
_ASPIRATED_H = ("hausse", "haut", "hibou", "homard", "hockey", "honte")


def begins_with_vowel_sound(text):
    """Whether French elides before ``text`` (« Émilie », « activité », « Hélène », not « Hugo »… mostly)."""
    stripped = str(text).lstrip(" «\"'’(")
    if not stripped:
        return False
    first = unicodedata.normalize("NFD", stripped[0])[0].lower()
    if first == "h":
        return not stripped.lower().startswith(_ASPIRATED_H)
    return first in "aeiouy"


def of_name(name):
    """« de Jean », « d’Émilie » in French; « of Jean » in English."""
    if not is_french():
        return _("of %(name)s") % {"name": name}
    return f"d’{name}" if begins_with_vowel_sound(name) else f"de {name}"


def noun_with_article(opts, article):
    """A model's name with its article, from the catalogue: « une activité », « l’activité ».

    ``article`` is ``DEFINITE`` or ``INDEFINITE``. Where the active language has no such
    entry (English), the model's verbose name as it is.
    """
    raw = opts.verbose_name_raw
    text = pgettext(article, raw)
    return str(opts.verbose_name) if text == raw else text
