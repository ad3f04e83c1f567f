from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve

admin.site.site_header = "Pôle"
admin.site.site_title = "Pôle"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("rapports/", include("reports.urls")),
    path("", include("members.account_urls")),
    path("", include("members.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", RedirectView.as_view(pattern_name="reports:list", permanent=False)),
]


def serve_media(request, path):
    """Uploaded files, from MEDIA_ROOT as configured at the time of the request."""
    return serve(request, path, document_root=settings.MEDIA_ROOT)


if settings.SERVE_MEDIA:
    media_prefix = settings.MEDIA_URL.strip("/")
    urlpatterns += [re_path(rf"^{media_prefix}/(?P<path>.*)$", serve_media)]
