"""The client's address of a request, for throttling logins and registrations."""

from django.conf import settings


def client_ip_address(request):
    """The client's address: the proxy's last X-Forwarded-For entry behind a TLS proxy.

    Behind the proxy every request comes from the proxy's address, which would lock an
    account for everyone at once. The proxy appends the address it saw to X-Forwarded-For;
    entries before it were sent by the client and prove nothing, so only the last counts.
    Without a proxy (DJANGO_SECURE_PROXY off), the header is ignored: anyone could send it.
    """
    if settings.SECURE_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        addresses = [address.strip() for address in forwarded.split(",") if address.strip()]
        if addresses:
            return addresses[-1]
    return request.META.get("REMOTE_ADDR")
