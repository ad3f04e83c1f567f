"""The French catalogue follows one typographic rule, checked over the compiled catalogue.

The rule (the Office québécois de la langue française's, with one choice made for the
whole application):

- a no-break space (U+00A0) before « : », as the OQLF asks;
- the same no-break space before « ; », « ! » and « ? » — the OQLF allows a thin space
  or none; the report's fonts lack the thin no-break space (U+202F), and the report already
  sets U+00A0 before these signs (reports/typography.py), so the site, the e-mails, the
  documents and the report follow one rule;
- « guillemets » with a no-break space inside, never "straight" or “English” quotes;
- the curly apostrophe ’ between letters, never the straight one;
- never the narrow no-break space U+202F, never a plain space where U+00A0 is due.

A sign counts as punctuation when a space, a line's end, the text's end or a closing sign
follows it: « https:// », « 10:30 » and « ?page=2 » are left alone. Inside an HTML tag
(``<span class="…">``) nothing is checked.
"""

import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

FRENCH = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES"
NBSP = "\u00a0"
NARROW_NBSP = "\u202f"

TAG = re.compile(r"<[^<>]*>")
# A sign followed by a space, the end, a closing sign, a quote or a tag: punctuation.
PUNCTUATION = re.compile(r"(?P<before>.?)(?P<sign>[:;!?])(?=\s|$|[)»\"”’.,<])", re.S)


def translations(path):
    """msgid (or (msgid, n)) → msgstr of a compiled catalogue, without its header."""
    with open(path, "rb") as file:
        catalogue = gettext.GNUTranslations(file)._catalog
    return {key: value for key, value in catalogue.items() if key != ""}


def visible(text):
    """The text outside HTML tags (attributes are not prose)."""
    return TAG.sub(" ", text)


def problems(text):
    """What ``text`` does against the rule, in words (empty when it follows it)."""
    found = []
    prose = visible(text)
    for match in PUNCTUATION.finditer(prose):
        before, sign = match.group("before"), match.group("sign")
        if before == NBSP:
            continue
        if sign == "?" and before in "?!":  # « ?! », « ?? »: the space goes before the first
            continue
        if sign == "!" and before in "?!":
            continue
        found.append(f"« {sign} » after {before!r} instead of a no-break space")
    for match in re.finditer(r"«(.)", prose):
        if match.group(1) != NBSP:
            found.append("« without a no-break space after it")
    for match in re.finditer(r"(.)»", prose):
        if match.group(1) != NBSP:
            found.append("» without a no-break space before it")
    if re.search(r"[^\W\d_]'[^\W\d_]", prose):
        found.append("a straight apostrophe between letters (’ expected)")
    if re.search(r"[\"“”]", prose.replace('(")', "")):  # « (") » names the character itself
        found.append("straight or English quotes (« » expected)")
    if NARROW_NBSP in text:
        found.append("a narrow no-break space U+202F (the fonts lack it)")
    if re.search(rf" {NBSP}|{NBSP} ", text):
        found.append("a plain space beside the no-break space")
    return found


def catalogue_problems(catalogue):
    report = []
    for key, value in catalogue.items():
        for problem in problems(value):
            msgid = key[0] if isinstance(key, tuple) else key
            report.append(f"{msgid!r} → {value!r}: {problem}")
    return report


def test_the_rule_catches_what_it_should():
    assert problems(f"Fonction{NBSP}: directrice") == []
    assert problems("Fonction : directrice") and problems("Fonction: directrice")
    assert problems(f"Virement bancaire{NBSP}; la facture") == []
    assert problems("virement bancaire; la facture") and problems("Vraiment ?")
    assert problems(f"«{NBSP}Écoquartier{NBSP}»") == [] and problems("« Écoquartier »")
    assert problems("L'objet") and problems(f"L’objet{NBSP}: x") == []
    assert problems("https://exemple.org, 10:30, ?page=2") == []
    assert problems(f'<span class="a:b">x</span>{NBSP}!') == []
    assert problems(f"a{NARROW_NBSP}: b")


def test_every_french_translation_follows_the_typographic_rule():
    report = catalogue_problems(translations(FRENCH / "django.mo"))
    assert report == [], f"{len(report)} translations break the rule:\n" + "\n".join(report)


def test_every_plural_has_both_french_forms():
    catalogue = translations(FRENCH / "django.mo")
    plurals = {key[0] for key in catalogue if isinstance(key, tuple)}
    for msgid in plurals:
        assert catalogue.get((msgid, 0)) and catalogue.get((msgid, 1)), msgid


def test_the_compiled_catalogue_is_the_catalogue(tmp_path):
    """django.mo is compiled from django.po as committed: no edit left uncompiled."""
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt is missing: apt-get install gettext")
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(FRENCH / "django.po")], check=True)
    assert translations(compiled) == translations(FRENCH / "django.mo")
