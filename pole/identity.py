"""The network's identity as every page, e-mail and report reads it.

One record (``pole.models.NetworkIdentity``), read through the cache: the site's header, the
report's covers and the e-mails ask for it on every render. Saving it clears the cache.
Before the Direction records one, the names come from the settings and the colours are the
palette's.
"""

import hashlib
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse

from pole.colours import mix, readable_on_white
from pole.models import NetworkIdentity

CACHE_KEY = "pole:network-identity:1"


def get_identity():
    """The network's identity: the recorded one, or the defaults."""
    identity = cache.get(CACHE_KEY)
    if identity is None:
        identity = NetworkIdentity.objects.first() or NetworkIdentity.defaults()
        cache.set(CACHE_KEY, identity, None)
    return identity


@receiver(post_save, sender=NetworkIdentity)
@receiver(post_delete, sender=NetworkIdentity)
def forget_identity(**kwargs):
    cache.delete(CACHE_KEY)


def palette(identity=None):
    """The CSS custom properties of the brand: the two colours and the shades drawn from them."""
    identity = identity or get_identity()
    primary, accent = identity.primary_colour, identity.accent_colour
    return {
        "--primary": primary,
        "--primary-dark": mix(primary, "#000000", 0.3),
        "--accent": accent,
        # Small text in the accent's hue (kickers, outcomes): a shade that reads on white.
        "--accent-text": readable_on_white(accent),
        "--soft": mix(primary, "#ffffff", 0.9),
        "--soft-accent": mix(accent, "#ffffff", 0.85),
    }


def palette_css(identity=None):
    """``:root { … }`` declaring ``palette()``, for a stylesheet."""
    declarations = "".join(f"{name}:{value};" for name, value in palette(identity).items())
    return f":root{{{declarations}}}\n"


def site_stylesheet(identity=None):
    """The site's stylesheet of the brand colours: ``palette_css`` plus Bootstrap's variables."""
    identity = identity or get_identity()
    colours = palette(identity)
    primary, dark = colours["--primary"], colours["--primary-dark"]
    red, green, blue = (int(primary[i : i + 2], 16) for i in (1, 3, 5))
    return (
        palette_css(identity)
        + f":root{{--pole-teal:{primary};--bs-primary:{primary};--bs-primary-rgb:{red},{green},{blue};"
        f"--bs-link-color:{primary};--bs-link-color-rgb:{red},{green},{blue};--bs-link-hover-color:{dark};}}\n"
        f".btn-primary{{--bs-btn-bg:{primary};--bs-btn-border-color:{primary};--bs-btn-hover-bg:{dark};"
        f"--bs-btn-hover-border-color:{dark};--bs-btn-active-bg:{dark};--bs-btn-active-border-color:{dark};"
        f"--bs-btn-disabled-bg:{primary};--bs-btn-disabled-border-color:{primary};}}\n"
        f".btn-outline-primary{{--bs-btn-color:{primary};--bs-btn-border-color:{primary};--bs-btn-hover-bg:{primary};"
        f"--bs-btn-hover-border-color:{primary};--bs-btn-active-bg:{dark};--bs-btn-active-border-color:{dark};}}\n"
        f".pagination{{--bs-pagination-color:{primary};--bs-pagination-active-bg:{primary};"
        f"--bs-pagination-active-border-color:{primary};}}\n"
    )


def stylesheet_version(identity=None):
    """A short digest of ``site_stylesheet``: it changes exactly when the stylesheet does."""
    return hashlib.sha256(site_stylesheet(identity).encode()).hexdigest()[:12]


def stylesheet_url(identity=None):
    """The address of the brand stylesheet, versioned by its content.

    Pages link ``/identite.css?v=<digest>``: browsers keep that file for a year, and a new
    colour gives every page a new address at once, with the logo that changes beside it.
    """
    return f"{reverse('identity-css')}?v={stylesheet_version(identity)}"


def from_address(identity=None):
    """The From of the app's e-mails: DEFAULT_FROM_EMAIL's address under the network's short name."""
    identity = identity or get_identity()
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((identity.short_name, address)) if address else settings.DEFAULT_FROM_EMAIL
