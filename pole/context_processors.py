from pole.identity import get_identity


def network(request):
    """Expose the network's identity and names to every template."""
    identity = get_identity()
    return {
        "network": identity,
        "network_name": identity.name,
        "network_short_name": identity.short_name,
    }
