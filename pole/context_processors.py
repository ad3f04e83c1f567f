from pole.identity import get_identity, stylesheet_url


def network(request):
    """Expose the network's identity and names to every template."""
    identity = get_identity()
    return {
        "network": identity,
        "network_name": identity.name,
        "network_short_name": identity.short_name,
        # /identite.css?v=<digest>: a new colour is a new address (pole.identity.stylesheet_url).
        "identity_stylesheet_url": stylesheet_url(identity),
    }
