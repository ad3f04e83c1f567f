"""Error pages that cannot rely on the usual request context, the favicon and the brand colours."""

from django.conf import settings
from django.http import Http404, HttpResponse, HttpResponseForbidden, HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe

from pole.identity import get_identity, site_stylesheet, stylesheet_version
from pole.models import Unsubscription
from pole.privacy import policy_sections, retention_rules
from pole.unsubscribe import read_token, unsubscribed
from pole.unsubscribe import unsubscribe as record_unsubscription


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


@require_safe
def identity_css(request):
    """Public: the brand colours the Direction chose, as CSS variables for the site and the report.

    A stylesheet rather than an inline style, which the Content-Security-Policy forbids. Pages
    link it with the version of its content (``pole.identity.stylesheet_url``): that address is
    kept a year by browsers, since a new colour gives a new one. Any other address (none, or a
    version gone by) answers the current colours and must be asked again each time.
    """
    identity = get_identity()
    response = HttpResponse(site_stylesheet(identity), content_type="text/css; charset=utf-8")
    if request.GET.get("v") == stylesheet_version(identity):
        patch_cache_control(response, public=True, max_age=60 * 60 * 24 * 365, immutable=True)
    else:
        patch_cache_control(response, public=True, no_cache=True)
    return response


@require_safe
def robots_txt(request):
    """Public: what search engines may index — the public pages, not the accounts, portal or admin.

    The paths come from the URL configuration, so a renamed address stays covered.
    """
    private = [
        reverse("admin:index"),
        reverse("members:portal"),
        reverse("login"),
        reverse("logout"),
        reverse("password_change"),
        reverse("password_reset"),
        reverse("members:accept-invitation", args=["x"]).removesuffix("x/"),
        reverse("activities:cancel", args=["x"]).removesuffix("x/"),
        reverse("set_language"),
    ]
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in dict.fromkeys(private))]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=60 * 60 * 24)
    return response


@require_safe
def privacy_policy(request):
    """Public: the privacy policy, generated from the registry of personal fields (pole/privacy.py).

    Who is in charge and how to reach them, what is collected and why, who sees it, where it
    is kept, how long, the person's rights and the cookies, as Québec's act asks (s. 3.2, 8).
    """
    return render(
        request,
        "pole/privacy.html",
        {
            "sections": policy_sections(),
            "rules": retention_rules(),
            "hosting_region": settings.POLE_HOSTING_REGION,
            "cookies": [
                (settings.SESSION_COOKIE_NAME, _("keeps you logged in; deleted when you log out or after two weeks")),
                (settings.CSRF_COOKIE_NAME, _("protects the forms against forgery; kept a year")),
                (
                    settings.LANGUAGE_COOKIE_NAME,
                    _("remembers the language you chose, only if you choose one with the button at the foot of the page"),
                ),
            ],
            "retention": {
                "needs_days": settings.POLE_RETENTION_NEEDS_DAYS,
                "registrant_years": settings.POLE_RETENTION_REGISTRANT_YEARS,
                "login_days": settings.POLE_RETENTION_LOGIN_DAYS,
                "former_member_years": settings.POLE_RETENTION_FORMER_MEMBER_YEARS,
            },
        },
    )


def unsubscribe(request, token):
    """Public, no login: the page of an e-mail's unsubscribe link; one button per address, effective at once.

    The link's signed token names the kind of e-mail and the message's recipients; nobody else
    can be unsubscribed from it. A link not made here answers 404.
    """
    data = read_token(token)
    if data is None:
        raise Http404
    kind, addresses = data
    done = None
    if request.method == "POST":
        address = request.POST.get("email", "")
        if address not in addresses:
            return render(
                request,
                "pole/unsubscribe.html",
                {"rows": [(a, False) for a in addresses], "kind": Unsubscription.Kind(kind), "token": token, "error": True},
                status=400,
            )
        record_unsubscription(kind, address)
        done = address
    gone = unsubscribed(kind, addresses)
    return render(
        request,
        "pole/unsubscribe.html",
        {
            "rows": [(address, address in gone) for address in addresses],
            "kind": Unsubscription.Kind(kind),
            "token": token,
            "done": done,
        },
    )
