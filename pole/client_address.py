"""The client's address of a request, for throttling logins and registrations."""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies):
    """The trusted proxies (addresses or networks such as 10.0.0.0/8), parsed once; « * » trusts every peer."""
    networks = []
    for item in proxies:
        if item == "*":
            return None
        networks.append(ipaddress.ip_network(item, strict=False))
    return tuple(networks)


def _is_proxy(address, networks):
    if networks is None:
        return True
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in networks)


def client_ip_address(request):
    """The client's address: behind a trusted proxy, the nearest X-Forwarded-For entry that is not a proxy.

    Behind the proxy every request comes from the proxy's address, which would lock an
    account for everyone at once; the proxy appends the address it saw to X-Forwarded-For.
    The header is believed only when the peer itself (REMOTE_ADDR) is one of the configured
    proxies (``TRUSTED_PROXIES``, the GUNICORN_FORWARDED_ALLOW_IPS list gunicorn trusts): anyone
    reaching the app directly would otherwise choose their address and escape every limit.
    Entries are read from the right, past the proxies' own; those left of the first client
    address were sent by the client and prove nothing. Without a proxy (DJANGO_SECURE_PROXY
    off), the header is ignored.
    """
    peer = request.META.get("REMOTE_ADDR")
    if not settings.SECURE_PROXY:
        return peer
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not peer or not _is_proxy(peer, networks):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed([entry.strip() for entry in forwarded.split(",") if entry.strip()]):
        try:
            ipaddress.ip_address(entry)
        except ValueError:
            return peer  # not an address: the chain cannot be read further
        if not _is_proxy(entry, networks) or networks is None:
            return entry
    return peer
