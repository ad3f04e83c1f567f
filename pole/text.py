"""Text folding for matching names and searching: case- and accent-insensitive."""

import unicodedata


def fold(text):
    """Return ``text`` without accents, case-folded, with runs of spaces made one and plain apostrophes.

    « Côte-de-Beaupré » and « COTE-DE-BEAUPRE » fold alike; so do « Québec » and « quebec »,
    and « d’entraide » and « d'entraide ». The one folding for matching names: searches,
    sectors' keys, spreadsheet imports.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", str(text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.replace("\u2019", "'").casefold().split())


def normalize_email_identifier(address):
    """Return the key of an account's e-mail address: for logging in, counting failures, storing.

    NFKC folds compatibility look-alikes (full-width letters, ligatures) and composes accents;
    upper-casing before case-folding also makes the dotless « ı » an « i », as SQL's UPPER
    does and case-folding alone does not. One function for the lookup and for django-axes'
    count, so no spelling reaches an account while escaping its lock. Normalising the result
    again changes nothing.
    """
    if not address:
        return ""
    text = unicodedata.normalize("NFKC", str(address))
    folded = unicodedata.normalize("NFKC", text.upper()).casefold()
    return unicodedata.normalize("NFKC", folded).strip()


def normalization_changes_only_case(address):
    """Whether ``address`` normalised differs from it by letter case alone.

    Otherwise its key would be another mailbox (« Straße@… » becomes « strasse@… », a
    full-width letter a plain one), so mail sent to the key could reach someone else: such
    an address is not used for an account. Accents composed or not are the same text (NFC).
    """
    return normalize_email_identifier(address) == unicodedata.normalize("NFC", str(address or "")).strip().lower()
