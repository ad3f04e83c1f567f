"""Login throttling with django-axes: who is counted, and what a locked-out person sees.

Settings (pole/settings.py) lock an (e-mail address, client address) pair after five
failures for 30 minutes, on the site's login and the admin's alike.
"""

from django.conf import settings
from django.shortcuts import render

from pole.text import normalize_email_identifier


def login_username(request, credentials=None):
    """The account a login attempt is for: its e-mail address, normalised.

    Both login forms name the field ``username``. The key is the one the login looks the
    account up by (``EmailUserManager.get_by_natural_key``), so ``Marie@Exemple.org``,
    ``marie@exemple.org`` and a look-alike such as ``dırection@…`` (dotless ı) count as
    the one account they would open.
    """
    data = credentials if credentials is not None else getattr(request, "POST", {})
    return normalize_email_identifier(data.get("username"))


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


def lockout_response(request, original_response=None, credentials=None):
    """The page shown instead of the login form while the account is locked (HTTP 429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/locked.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )
