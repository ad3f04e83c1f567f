"""Error pages that cannot rely on the usual request context, and the favicon."""

from django.conf import settings
from django.http import HttpResponseForbidden, HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.templatetags.static import static
from django.views.decorators.csrf import requires_csrf_token


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

    A redirect to the static file, whose address carries a hash in production.
    """
    return HttpResponseRedirect(static("img/favicon.ico"))
