from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from backoffice import views as backoffice_views
from pole import views
from pole.health import health

admin.site.site_header = "Pôle"
admin.site.site_title = "Pôle"

# The 500 page renders without the request context (pole/views.py); 400, 403 and 404 use
# Django's views with the templates 400.html, 403.html and 404.html.
handler500 = "pole.views.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("rapports/", include("reports.urls")),
    path("", include("activities.urls")),
    path("", include("members.account_urls")),
    path("", include("members.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Browsers ask for /favicon.ico whatever the page says; the network's mark answers.
    path("favicon.ico", views.favicon, name="favicon"),
    path("identite.css", views.identity_css, name="identity-css"),
    # For a load balancer: a status code for anyone, each check's result for staff (pole/health.py).
    path("sante/", health, name="health"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("confidentialite/", views.privacy_policy, name="privacy"),
    path("desabonnement/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("", backoffice_views.home, name="home"),
]


def serve_media(request, path):
    """Uploaded files, from MEDIA_ROOT as configured at the time of the request."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


if settings.POLE_LOADTEST_BARE_VIEW:
    # The load test's yardstick (performance/views.py), only in the servers it starts.
    from performance.views import bare

    urlpatterns += [path("essai-de-charge/vide/", bare, name="loadtest-bare")]

if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.strip("/")
    urlpatterns += [re_path(rf"^{media_prefix}/(?P<path>.*)$", serve_media)]
