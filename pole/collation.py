"""French alphabetical order, the same in PostgreSQL, in SQLite and in Python.

Names are listed the way a French reader looks for them: « Écoquartier » among the E, not
after « Traiteur »; case, spaces, hyphens and apostrophes do not decide the order (« L'Île-d'Orléans »
files as « lileddorleans »), accents only between words otherwise alike, compared from the
word's end as Canadian French dictionaries do (cote, côte, coté, côté); lower case before
upper case last of all, and the text's code points settle what is left, so that two different
names never compare equal (the order is total, as a unique constraint needs).

- **PostgreSQL**: the ICU collation ``pole_french`` (``fr-CA-u-ka-shifted``: French rules of
  Canada, punctuation and spaces « shifted » out of the comparison), created by migration
  ``pole`` 0003. Deterministic, so equality, ``LIKE`` and unique constraints are unchanged.
- **SQLite**: a collation of the same name, registered on every connection
  (``register_sqlite_collation``), comparing ``french_sort_key``.
- **Python**: ``french_sort_key`` for what is sorted once read (the directory's sectors).

Every list of names orders through ``french_order`` (``Meta.ordering``, ``order_by``, the
admin's sortable columns): ``Member.objects.order_by(french_order("name"))``.
"""

import unicodedata
from functools import lru_cache

from django.db.models import F
from django.db.models.functions import Collate

FRENCH_COLLATION = "pole_french"

# The ICU locale of the PostgreSQL collation (migration pole 0003 carries its own copy).
ICU_LOCALE = "fr-CA-u-ka-shifted"

# Secondary weights of the diacritics French uses, in the order of the Unicode collation
# algorithm's table (DUCET): acute < grave < breve < circumflex < caron < ring < diaeresis
# < double acute < tilde < dot above < cedilla < ogonek < macron. Others come after.
_ACCENT_WEIGHTS = {
    "\u0301": 1,
    "\u0300": 2,
    "\u0306": 3,
    "\u0302": 4,
    "\u030c": 5,
    "\u030a": 6,
    "\u0308": 7,
    "\u030b": 8,
    "\u0303": 9,
    "\u0307": 10,
    "\u0327": 11,
    "\u0328": 12,
    "\u0304": 13,
}
# Letters ICU expands into two (œ is o then e), with a case weight above plain letters.
_EXPANSIONS = {"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"}


@lru_cache(maxsize=16384)
def french_sort_key(text):
    """The key that puts ``text`` in French alphabetical order (module docstring); ``None`` first."""
    if text is None:
        return ((), (), (), "")
    letters, accents, cases = [], [], []
    for character in unicodedata.normalize("NFD", str(text)):
        if unicodedata.combining(character):
            if accents:  # a mark weighs on the letter before it
                accents[-1] += _ACCENT_WEIGHTS.get(character, 50) * 64
            continue
        expansion = _EXPANSIONS.get(character)
        for letter in expansion or character:
            if not letter.isalnum():
                continue  # spaces, hyphens, apostrophes, punctuation: shifted out
            letters.append(letter.lower())
            accents.append(0)
            cases.append((2 if expansion else 0) + (1 if letter.isupper() else 0))
    # Canadian French compares accents from the end of the word.
    return (tuple(letters), tuple(reversed(accents)), tuple(cases), str(text))


def french_sorted(items, key=None):
    """``items`` sorted in French alphabetical order of ``key(item)`` (the item itself by default)."""
    key = key or str
    return sorted(items, key=lambda item: french_sort_key(key(item)))


def surname_sort_key(full_name):
    """The key that lists people by last name, then first name, in French order (« Marc-André
    Gagnon » among the G). A name is stored whole: its last word is taken for the last name."""
    words = str(full_name or "").split()
    return (french_sort_key(words[-1] if words else ""), french_sort_key(" ".join(words[:-1])))


def french(field):
    """``field`` (a name, ``member__name``) as an expression compared in French alphabetical order."""
    return Collate(F(field) if isinstance(field, str) else field, FRENCH_COLLATION)


def french_order(field):
    """An ordering term for ``field`` in French alphabetical order; ``"-name"`` for the reverse."""
    descending = field.startswith("-")
    expression = french(field.removeprefix("-"))
    return expression.desc() if descending else expression.asc()


def _compare(left, right):
    left_key, right_key = french_sort_key(left), french_sort_key(right)
    return (left_key > right_key) - (left_key < right_key)


def register_sqlite_collation(sender, connection, **kwargs):
    """On a new SQLite connection, teach it ``pole_french`` (the ``connection_created`` signal)."""
    if connection.vendor == "sqlite" and connection.connection is not None:
        connection.connection.create_collation(FRENCH_COLLATION, _compare)
