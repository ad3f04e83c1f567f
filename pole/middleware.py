from django.conf import settings
from django.middleware.gzip import GZipMiddleware
from django.middleware.locale import LocaleMiddleware
from django.utils.cache import patch_vary_headers


class FrenchFirstLocaleMiddleware(LocaleMiddleware):
    """Speak French unless the person chose another language.

    Django's LocaleMiddleware follows the browser's Accept-Language header; many
    Québec users run English browsers yet expect the network's French interface.
    Only an explicit choice (the language cookie set by ``set_language``) switches.
    """

    def process_request(self, request):
        header = request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        try:
            super().process_request(request)
        finally:
            if header is not None:
                request.META["HTTP_ACCEPT_LANGUAGE"] = header


class SecurityHeadersMiddleware:
    """Send the Content-Security-Policy and Permissions-Policy headers on every response.

    Django's SecurityMiddleware and XFrameOptionsMiddleware already send nosniff, the
    Referrer-Policy and X-Frame-Options; this adds X-Frame-Options to the static files too. The policies are read from the settings
    ``CONTENT_SECURITY_POLICY`` and ``PERMISSIONS_POLICY`` (directive → value) once, at start.
    A view that sets its own header keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.content_security_policy = "; ".join(
            f"{directive} {value}" for directive, value in settings.CONTENT_SECURITY_POLICY.items()
        )
        self.permissions_policy = ", ".join(
            f"{feature}={allowlist}" for feature, allowlist in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.content_security_policy)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        # Static files are answered by WhiteNoise before XFrameOptionsMiddleware runs.
        if not getattr(response, "xframe_options_exempt", False):
            response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response


class PublicGZipMiddleware(GZipMiddleware):
    """Compress the text of public pages; never a page that carries a secret (BREACH).

    BREACH reads a secret out of a compressed page whose length an attacker can watch while
    making the victim's browser send requests whose text the page repeats. So:

    - responses to a logged-in person (the portal, the admin, the door: personal data beside
      search terms repeated in the page) go out uncompressed, and so does any response marked
      ``private`` or ``no-store`` (``never_cache``: the login form, invitation and
      password-reset links);
    - a visitor's page carries one secret, the CSRF token of its forms, which Django masks
      with new random bytes in every response (nothing stays the same to guess), and Django's
      GZipMiddleware pads each compressed response with random bytes as well.

    Only text is compressed (HTML, the calendar feed, CSS and scripts, JSON); PDFs, images and
    fonts are compressed already or served precompressed by WhiteNoise.
    """

    COMPRESSIBLE_TYPES = frozenset(
        {
            "text/html",
            "text/css",
            "text/plain",
            "text/calendar",
            "text/javascript",
            "application/javascript",
            "application/json",
            "application/xml",
            "image/svg+xml",
        }
    )

    def process_response(self, request, response):
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type not in self.COMPRESSIBLE_TYPES:
            return response
        user = getattr(request, "user", None)
        cache_control = response.get("Cache-Control", "").lower()
        if (user is not None and user.is_authenticated) or "private" in cache_control or "no-store" in cache_control:
            # Still varies with the encoding asked: a shared cache must not give this
            # uncompressed copy to a browser that cannot read it, nor the reverse.
            patch_vary_headers(response, ("Accept-Encoding",))
            return response
        return super().process_response(request, response)
