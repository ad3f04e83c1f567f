"""Invisible control characters: refused in forms and imports, stripped from exports and stored text.

A representative pasting text into the portal can bring along characters nobody sees:
the C0 controls (U+0000 to U+001F), DEL (U+007F) and the C1 controls (U+0080 to U+009F).
PostgreSQL refuses U+0000, XLSX (XML) cannot hold most C0 controls, so one such
character in an address broke every staff export. Tab, line feed and carriage return
are the exceptions: a multi-line text (a textarea, a spreadsheet cell) may hold them.
The noncharacters U+FFFE and U+FFFF and lone surrogates (U+D800 to U+DFFF) are no text
either, and XML (so XLSX) cannot hold them: they are refused and stripped alike.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

#: Never kept anywhere: every C0 control but tab, line feed and carriage return; DEL; the C1 controls;
#: lone surrogates and the noncharacters U+FFFE and U+FFFF, which XML cannot hold.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
#: What a single-line text may not hold either.
LINE_BREAKS_AND_TABS = re.compile(r"[\t\n\r]")


def strip_control_characters(text):
    """Return ``text`` without its invisible control characters (tab and line breaks kept)."""
    return CONTROL_CHARACTERS.sub("", text)


def single_line(text):
    """Return ``text`` without control characters, its tabs and line breaks made single spaces."""
    return re.sub(r" *[\t\n\r]+ *", " ", strip_control_characters(text))


@deconstructible
class ControlCharacterValidator:
    """Refuse invisible control characters; tab and line breaks only in a multi-line text."""

    message = _("This text holds an invisible control character ({character}); remove it.")
    single_line_message = _("This field must hold a single line: remove its tabs and line breaks.")
    code = "control_character"

    def __init__(self, multiline=False):
        self.multiline = multiline

    def __call__(self, value):
        text = str(value)
        found = CONTROL_CHARACTERS.search(text)
        if found:
            character = f"U+{ord(found.group()):04X}"
            raise ValidationError(str(self.message).format(character=character), code=self.code)
        if not self.multiline and LINE_BREAKS_AND_TABS.search(text):
            raise ValidationError(self.single_line_message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, ControlCharacterValidator) and other.multiline == self.multiline
