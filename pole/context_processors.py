from django.conf import settings


def network(request):
    """Expose the network's names to every template."""
    return {
        "network_name": settings.POLE_NETWORK_NAME,
        "network_short_name": settings.POLE_NETWORK_SHORT_NAME,
    }
