"""Small readers for settings taken from the environment.

Each one fails loudly with ImproperlyConfigured on a value it cannot read, so a
typo in production configuration stops the process at start-up instead of
silently falling back to a default.
"""

import os
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name, default=None, *, required=False):
    """Return the variable as a string, or ``default`` when unset or empty."""
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if required:
        raise ImproperlyConfigured(f"{name} must be set")
    return default


def env_bool(name, default):
    """Return the variable as a boolean (true/false, yes/no, on/off, 1/0)."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name, default, *, minimum=None, maximum=None):
    """Return the variable as an integer, checked against optional bounds."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise ImproperlyConfigured(f"{name} must be {bound}, not {number}")
    if maximum is not None and number > maximum:
        bound = f"between {minimum} and {maximum}" if minimum is not None else f"at most {maximum}"
        raise ImproperlyConfigured(f"{name} must be {bound}, not {number}")
    return number


def env_list(name, default=()):
    """Return the comma-separated variable as a list of non-empty strings."""
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or list(default)


def env_int_list(name, default, *, minimum=None):
    """Return the comma-separated variable as a non-empty list of whole numbers (``1,5,15``)."""
    items = env_list(name)
    if not items:
        return list(default)
    numbers = []
    for item in items:
        try:
            number = int(item)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must list whole numbers separated by commas, not {item!r}") from None
        if minimum is not None and number < minimum:
            raise ImproperlyConfigured(f"{name}: each number must be at least {minimum}, not {number}")
        numbers.append(number)
    return numbers


_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def env_bytes(name, default, *, minimum=1):
    """Return the variable as a number of bytes: ``10485760``, ``512k``, ``10M`` or ``1g`` (powers of 1024).

    The suffixes are those of nginx's ``client_max_body_size``, so the two limits read alike.
    """
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    match = re.fullmatch(r"(\d+)\s*([kmg]?)b?", value.lower())
    if match is None:
        raise ImproperlyConfigured(f"{name} must be a size such as 10485760, 512k or 10M, not {value!r}")
    number = int(match[1]) * _SIZE_UNITS[match[2]]
    if number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum} bytes, not {number}")
    return number


def env_decimal(name, default=None, *, minimum=None, maximum=None):
    """Return the variable as a Decimal (``5`` or ``9.975``; a comma is read as the decimal point)."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be a number such as 9.975, not {value!r}") from None
    if not number.is_finite() or (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise ImproperlyConfigured(f"{name} must be between {minimum} and {maximum}, not {value!r}")
    return number
