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
