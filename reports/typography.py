"""French typography for what the annual report prints.

Staff type straight apostrophes and plain spaces; the report prints, in French:

- ’ for an apostrophe between two letters (« l’année », « aujourd’hui »);
- a no-break space (U+00A0) before « : », « ; », « ! », « ? » where a space is typed, so
  that the sign never starts a line; one is added before « : » where none is typed
  (« objectif: » → « objectif : »), not before « ; ! ? », which Québec usage also writes
  with no space;
- a no-break space between a number and « % », added if missing (« 35% » → « 35 % »);
- a no-break space inside « guillemets », added where missing.

The no-break space is U+00A0 throughout, as reports.formatting writes « 35 % »: the narrow
one (U+202F) is missing from Source Serif Pro, the report's serif face, so a browser or
WeasyPrint would draw it with another font. A narrow one in the text (word processors type
it before « ; ! ? ») becomes U+00A0 for the same reason.

Addresses (URLs, e-mail addresses, paths) are left as they are; in HTML, only the text
between tags changes, never a tag, an attribute or a stylesheet.
"""

import dataclasses
import html
import re

from django.utils.functional import Promise
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import get_language

NBSP = "\u00a0"
NARROW_NBSP = "\u202f"
APOSTROPHE = "\u2019"

# Addresses, left untouched: a URL with a scheme, www.…, an e-mail address, a path.
ADDRESS = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://\S+|\bwww\.\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|(?<!\S)/\S*|\bmailto:\S+")
# HTML: tags and comments, and elements whose text is not prose.
HTML_TOKEN = re.compile(
    r"<!--.*?-->|<(style|script|pre|code|textarea)\b[^>]*>.*?</\1\s*>|<[^>]*>", re.DOTALL | re.IGNORECASE
)
SPACES = f"[ {NBSP}{NARROW_NBSP}]"
LETTER = r"[^\W\d_]"

RULES = [
    # An apostrophe between letters: l'année, aujourd'hui.
    (re.compile(rf"(?<={LETTER})'(?={LETTER})"), APOSTROPHE),
    # Inside guillemets: one no-break space, added if missing.
    (re.compile(rf"«{SPACES}*(?=\S)"), f"«{NBSP}"),
    (re.compile(rf"(?<=\S){SPACES}*»"), f"{NBSP}»"),
    # Before « ; ! ? » and « : », a typed space becomes a no-break one.
    (re.compile(rf"{SPACES}+(?=[;!?:])"), NBSP),
    # Before « : » after a word (not in 8:30), a no-break space is added.
    (re.compile(r"(?<=[\w)\]»’])(?=:(?:\s|$))"), NBSP),
    # Before « % » after a number (a « % » after a word is no percentage: « %(year)s »).
    (re.compile(rf"(?<=\d){SPACES}*%"), f"{NBSP}%"),
    # Any remaining narrow no-break space (a thousands separator, say): the serif face lacks it.
    (re.compile(NARROW_NBSP), NBSP),
]


def is_french():
    """Whether the active language is French (fr, fr-CA…)."""
    return (get_language() or "fr").startswith("fr")


def _typeset_text(text):
    """Apply the rules to plain text, leaving addresses as they are."""
    pieces, position = [], 0
    for address in ADDRESS.finditer(text):
        pieces.append(_apply_rules(text[position : address.start()]))
        pieces.append(address.group(0))
        position = address.end()
    pieces.append(_apply_rules(text[position:]))
    return "".join(pieces)


def _apply_rules(text):
    for pattern, replacement in RULES:
        text = pattern.sub(replacement, text)
    return text


def _typeset_html(markup):
    """Apply the rules to the text between the tags of ``markup``, read and written escaped."""
    pieces, position = [], 0
    for token in HTML_TOKEN.finditer(markup):
        pieces.append(_typeset_html_text(markup[position : token.start()]))
        pieces.append(token.group(0))
        position = token.end()
    pieces.append(_typeset_html_text(markup[position:]))
    return "".join(pieces)


def _typeset_html_text(text):
    if not text.strip():
        return text
    typeset = _typeset_text(html.unescape(text))
    return html.escape(typeset, quote=False) if typeset != html.unescape(text) else text


def french_typography(text):
    """Return ``text`` with French apostrophes and no-break spaces.

    HTML (a string marked safe) stays HTML: only the text between tags changes. Applying
    the function twice gives the same text as applying it once.
    """
    if text is None:
        return text
    if isinstance(text, Promise):
        text = str(text)
    if isinstance(text, SafeData):
        return mark_safe(_typeset_html(str(text)))
    return _typeset_text(str(text))


def typeset(value):
    """Return ``value`` with ``french_typography`` applied to every string it holds.

    Walks dicts, lists, tuples and dataclasses (copied, never changed in place); leaves
    anything else (numbers, model instances, fiscal years) as it is. A no-op unless the
    active language is French.
    """
    if not is_french():
        return value
    return _typeset(value)


def _typeset(value):
    if isinstance(value, (str, Promise)):
        return french_typography(value)
    if isinstance(value, dict):
        return {key: _typeset(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_typeset(item) for item in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(_typeset(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _typeset(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **changes)
    return value
