from django.conf import settings
from django.middleware.locale import LocaleMiddleware


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
