"""Phone numbers read in any usual form and written the North American way: « 418 555-0134 ».

Parsing and validity come from ``phonenumbers`` (Google's libphonenumber), with Canada as
the default region, so « (418) 555-0134 », « 418.555.0134 » and « +1 418 555 0134 » are one
number. An extension may follow (« poste 12 », « ext. 12 », « x12 », « #12 ») and is written
« , poste 12 », as the Office québécois de la langue française recommends. A number outside
North America keeps its international form (« +33 1 42 68 53 00 »).
"""

import re

import phonenumbers

DEFAULT_REGION = "CA"
# A trailing extension in French or English; phonenumbers knows only the English words.
_EXTENSION = re.compile(r"[\s,;]*(?:\bposte|\bpost\.|\bp\.|\bext(?:ension)?\.?|\bx|#)\s*(\d{1,7})\s*$", re.IGNORECASE)


def normalize_phone(text):
    """Return ``text`` as « 418 555-0134[, poste 12] »; raise ValueError if it is no phone number."""
    text = (text or "").strip()
    if not text:
        return ""
    extension = None
    match = _EXTENSION.search(text)
    if match:
        extension = match[1]
        text = text[: match.start()]
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValueError(text) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(text)
    extension = extension or number.extension
    if number.country_code == 1:
        digits = str(number.national_number)
        written = f"{digits[:3]} {digits[3:6]}-{digits[6:]}"
        if phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.TOLL_FREE:
            written = f"1 {written}"  # dialled with the 1 from anywhere: « 1 800 555-0134 »
    else:
        number.extension = None
        written = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return f"{written}, poste {extension}" if extension else written
