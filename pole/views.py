"""Error pages that cannot rely on the usual request context, the favicon and the brand colours."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden, HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe

from pole.identity import get_identity, palette, palette_css


def server_error(request):
    """The 500 page in the site's layout, rendered without the request.

    Whatever failed (the database, a context processor) must not fail again here, so the
    template gets the network's names and nothing computed from the request: no user, no
    messages, no session.
    """
    template = loader.get_template("500.html")
    context = {
        "network_name": settings.POLE_NETWORK_NAME,
        "network_short_name": settings.POLE_NETWORK_SHORT_NAME,
    }
    return HttpResponseServerError(template.render(context))


@requires_csrf_token
def csrf_failure(request, reason=""):
    """A refused form (expired or missing CSRF token), in French and in the site's layout.

    Django's own page carries an inline style, which the Content-Security-Policy blocks.
    """
    response = render(request, "403_csrf.html", {"reason": reason})
    return HttpResponseForbidden(response.content, content_type=response["Content-Type"])


def favicon(request):
    """Public: the network's mark, for browsers that ask for /favicon.ico.

    A redirect to the network's logo when the Direction recorded one, else to the static
    mark, whose address carries a hash in production.
    """
    identity = get_identity()
    if identity.logo:
        return HttpResponseRedirect(identity.logo.url)
    return HttpResponseRedirect(static("img/favicon.ico"))


def _site_palette_css(identity):
    """The site's stylesheet variables (Bootstrap's included) from the brand colours."""
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


@require_safe
def identity_css(request):
    """Public: the brand colours the Direction chose, as CSS variables for the site and the report.

    A stylesheet rather than an inline style, which the Content-Security-Policy forbids.
    """
    response = HttpResponse(_site_palette_css(get_identity()), content_type="text/css; charset=utf-8")
    patch_cache_control(response, public=True, max_age=300)
    return response
