"""French typography for what the annual report prints.

Staff type straight apostrophes and plain spaces; the report prints, in French:

- ’ for an apostrophe between two letters (« l’année », « aujourd’hui »);
- a no-break space (U+00A0) before « : », « ; », « ! », « ? » where a space is typed, so
  that the sign never starts a line; one is added before « : » where none is typed
  (« objectif: » → « objectif : »), not before « ; ! ? », which Québec usage also writes
  with no space;
- a no-break space between a number and « % », added if missing (« 35% » → « 35 % »);
- a no-break space inside « guillemets », added where missing;
- a no-break space between a count and the word it counts (« 450 personnes », « 1 650
  participants »), so that « Au total, 450 » never ends a line with « personnes » opening the
  next; a year (« en 2016 le Pôle ») is no count and keeps its plain space;
- in HTML, an ordinal's letters in superscript (« 45<sup>e</sup> anniversaire »).

The no-break space is U+00A0 throughout, as pole.formatting writes « 35 % »: the narrow
one (U+202F) is missing from Source Serif Pro, the report's serif face, so a browser or
WeasyPrint would draw it with another font. A narrow one in the text (word processors type
it before « ; ! ? ») becomes U+00A0 for the same reason.

Addresses (URLs, e-mail addresses, paths) are left as they are; in HTML, only the text
between tags and the text attributes (alt, title, aria-label, content) change, never a tag's
name, another attribute or a stylesheet. The report template applies it to the whole page
with the ``french_typography`` filter (reports/templatetags/report_typography.py).
"""

import html
import re

from django.utils.functional import Promise
from django.utils.safestring import SafeData, mark_safe

from pole.formatting import NBSP

NARROW_NBSP = "\u202f"
APOSTROPHE = "\u2019"

# Addresses, left untouched: a URL with a scheme, www.…, an e-mail address, a path. Every part
# that may repeat at each position of a long word is bounded (a scheme of 32 characters at most,
# an e-mail's local part of 64 and its domain's labels of 63, as the standards have them), so the
# search stays linear in the text's length: unbounded, a 60 000-letter word took 40 s.
ADDRESS = re.compile(
    r"[a-zA-Z][a-zA-Z0-9+.-]{0,31}://\S+|\bwww\.\S+|[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+"
    r"|(?<!\S)/\S*|\bmailto:\S+"
)
# HTML: tags and comments, and elements whose text is not prose.
HTML_TOKEN = re.compile(
    r"<!--.*?-->|<(style|script|pre|code|textarea)\b[^>]*>.*?</\1\s*>|<[^>]*>", re.DOTALL | re.IGNORECASE
)
SPACES = f"[ {NBSP}{NARROW_NBSP}]"
TITLE_ELEMENT = re.compile(r"<title\b[^>]*>.*?</title\s*>", re.DOTALL | re.IGNORECASE)
# A French ordinal: 1er, 1re, 2e, 45e, 3es (not 1e6 nor h2e: a whole word).
ORDINAL = re.compile(r"(?<![\w.,])(\d+)(er|re|ers|res|e|es)(?![\w])")
LETTER = r"[^\W\d_]"

RULES = [
    # An apostrophe between letters: l'année, aujourd'hui.
    (re.compile(rf"(?<={LETTER})'(?={LETTER})"), APOSTROPHE),
    # Inside guillemets: one no-break space, added if missing.
    (re.compile(rf"«{SPACES}*(?=\S)"), f"«{NBSP}"),
    (re.compile(rf"(?<=\S){SPACES}*»"), f"{NBSP}»"),
    # Before « ; ! ? » and « : », a typed space becomes a no-break one (read from the start of a
    # run of spaces only: from each of its spaces, a long run would be read again and again).
    (re.compile(rf"(?<!{SPACES}){SPACES}+(?=[;!?:])"), NBSP),
    # Before « : » after a word (not in 8:30), a no-break space is added.
    (re.compile(r"(?<=[\w)\]»’])(?=:(?:\s|$))"), NBSP),
    # Before « % » after a number (a « % » after a word is no percentage: « %(year)s »).
    (re.compile(rf"(?<=\d){SPACES}*%"), f"{NBSP}%"),
    # Any remaining narrow no-break space (a thousands separator, say): the serif face lacks it.
    (re.compile(NARROW_NBSP), NBSP),
    # A count and the word it counts stay on one line; a year (1900-2099 alone) is no count.
    (re.compile(rf"(?<![\w.,:/{NBSP}-])(?!(?:19|20)\d\d )(\d{{1,3}}(?:{NBSP}\d{{3}})*|\d+) (?={LETTER})"), rf"\1{NBSP}"),
]


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


# The attributes a reader meets as text: alternative texts, titles, labels, the page's metadata.
TEXT_ATTRIBUTE = re.compile(r'(\s(?:alt|title|aria-label|content)=")([^"]*)(")')


def _typeset_html(markup):
    """Apply the rules to the text between the tags of ``markup`` and to its text attributes, read and written escaped."""
    pieces, position = [], 0
    for token in HTML_TOKEN.finditer(markup):
        pieces.append(_typeset_html_text(markup[position : token.start()]))
        tag = token.group(0)
        if not token.group(1) and not tag.startswith("<!"):
            tag = TEXT_ATTRIBUTE.sub(_typeset_attribute, tag)
        pieces.append(tag)
        position = token.end()
    pieces.append(_typeset_html_text(markup[position:]))
    # A title element (the page's, an SVG's) holds text only: no superscript there.
    return TITLE_ELEMENT.sub(lambda m: m.group(0).replace("<sup>", "").replace("</sup>", ""), "".join(pieces))


def _typeset_attribute(match):
    value = html.unescape(match.group(2))
    typeset = _typeset_text(value)
    return match.group(0) if typeset == value else f"{match.group(1)}{html.escape(typeset)}{match.group(3)}"


def _typeset_html_text(text):
    if not text.strip():
        return text
    plain = html.unescape(text)
    typeset = _typeset_text(plain)
    escaped = html.escape(typeset, quote=False) if typeset != plain else text
    return _superscript_ordinals(escaped)


def _superscript_ordinals(escaped):
    """« 45e » → « 45<sup>e</sup> » in escaped HTML text, addresses left alone."""
    pieces, position = [], 0
    for address in ADDRESS.finditer(escaped):
        pieces.append(ORDINAL.sub(r"\1<sup>\2</sup>", escaped[position : address.start()]))
        pieces.append(address.group(0))
        position = address.end()
    pieces.append(ORDINAL.sub(r"\1<sup>\2</sup>", escaped[position:]))
    return "".join(pieces)


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
