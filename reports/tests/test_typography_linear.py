"""The report's typography runs in linear time (reports/typography.py).

A 60 000-character word in a profile made one render of the report take 36 to 47 s: the
address pattern tried, at every position of the word, to read a URL's scheme to its end. Each
shape below is 100 000 characters long and must be typeset in well under a second.
"""

import time

import pytest
from django.utils.safestring import mark_safe

from reports.typography import french_typography

N = 100_000
SHAPES = {
    "a long word": "a" * N,
    "a long word with a scheme's characters": "a+b.c-" * (N // 6),
    "an e-mail's local part without its domain": "prenom.nom" * (N // 10) + "@",
    "a long domain after an at sign": "a@" + "b" * N,
    "many at signs": "a@" * (N // 2),
    "a long run of spaces before nothing": "mot" + " " * N + "fin",
    "a long run of no-break spaces": "mot" + "\u00a0" * N + "x",
    "long digits before letters": "1" * N + "er",
    "guillemets": "«" * N,
    "colons": "a:" * (N // 2),
}


@pytest.mark.parametrize("text", SHAPES.values(), ids=SHAPES.keys())
@pytest.mark.parametrize("as_html", [False, True], ids=["text", "html"])
def test_a_100_000_character_text_is_typeset_in_linear_time(text, as_html):
    value = mark_safe(f"<p>{text}</p>") if as_html else text

    started = time.perf_counter()
    french_typography(value)
    elapsed = time.perf_counter() - started

    assert elapsed < 1.0, f"{elapsed:.2f} s"


def test_addresses_are_still_left_as_they_are():
    text = "Voir https://www.exemple.org/a?b=c et info@exemple.org: l'adresse www.pole.coop ; 35%"
    assert french_typography(text) == (
        "Voir https://www.exemple.org/a?b=c et info@exemple.org: l’adresse www.pole.coop\u00a0; 35\u00a0%"
    )
