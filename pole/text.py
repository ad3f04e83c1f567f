"""Text folding for matching names and searching: case- and accent-insensitive."""

import unicodedata


def fold(text):
    """Return ``text`` without accents, case-folded, with runs of spaces made one.

    « Côte-de-Beaupré » and « COTE-DE-BEAUPRE » fold alike; so do « Québec » and « quebec ».
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())
