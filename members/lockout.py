"""Login throttling with django-axes: who is counted, and what a locked-out person sees.

Settings (pole/settings.py) lock an (e-mail address, client address) pair after five
failures for 30 minutes, and a client address after twenty failures whatever the
accounts, on the site's login and the admin's alike.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
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


def address_failures(request):
    """Failed logins from the request's client address within the cool-off, all accounts together.

    One query over django-axes' attempts (one row per account, address and browser).
    """
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0


def is_address_locked(request):
    return settings.AXES_LOCK_OUT_AT_FAILURE and address_failures(request) >= settings.POLE_LOGIN_ADDRESS_FAILURE_LIMIT


class LoginThrottleHandler(AxesDatabaseHandler):
    """django-axes' database handler, plus a limit per client address across accounts.

    Axes compares every lockout parameter with one failure limit, so five per (account,
    address) pair and twenty per address cannot both be its settings: the pair stays
    axes' (AXES_LOCKOUT_PARAMETERS), the address is counted here from the same attempts.
    The address is not an axes lockout parameter on purpose: axes would then clear its
    count at any successful login from it, and an attacker holding an account of their
    own could reset it at will.
    """

    def is_locked(self, request, credentials=None):
        return super().is_locked(request, credentials) or is_address_locked(request)

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False) or self.is_whitelisted(request, credentials):
            return
        if is_address_locked(request):
            # As axes does when the pair reaches its limit: the middleware shows the lockout page.
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )


def lockout_response(request, original_response=None, credentials=None):
    """The page shown instead of the login form while the account or the address is locked (HTTP 429)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    address_locked = is_address_locked(request)
    limit = settings.POLE_LOGIN_ADDRESS_FAILURE_LIMIT if address_locked else settings.AXES_FAILURE_LIMIT
    return render(
        request,
        "accounts/locked.html",
        {"minutes": minutes, "failure_limit": limit, "address_locked": address_locked},
        status=429,
    )
