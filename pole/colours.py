"""Colour arithmetic for the network's brand colours: WCAG contrast, darker shades."""

import re

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
WHITE = "#ffffff"


def _channels(colour):
    colour = colour.lstrip("#")
    return [int(colour[i : i + 2], 16) for i in (0, 2, 4)]


def relative_luminance(colour):
    """WCAG 2.1 relative luminance of ``#rrggbb``."""

    def linear(channel):
        channel /= 255
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in _channels(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first, second=WHITE):
    """WCAG 2.1 contrast ratio of two colours (1 to 21)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def darken(colour, factor):
    """``colour`` with each channel multiplied by ``factor`` (0 to 1)."""
    return "#" + "".join(f"{round(c * factor):02x}" for c in _channels(colour))


def mix(colour, other, weight):
    """``colour`` mixed with ``other``: ``weight`` of ``other`` (0 to 1)."""
    pairs = zip(_channels(colour), _channels(other), strict=True)
    return "#" + "".join(f"{round(a + (b - a) * weight):02x}" for a, b in pairs)


def readable_on_white(colour, ratio=4.5):
    """The lightest darker shade of ``colour`` that reads as small text on white (AA: 4.5:1)."""
    factor = 1.0
    shade = colour.lower()
    while contrast_ratio(shade) < ratio and factor > 0:
        factor = round(factor - 0.02, 2)
        shade = darken(colour, factor)
    return shade
