"""Gunicorn's settings for production: ``gunicorn pole.wsgi -c pole/gunicorn.py``.

Read from the environment like the app's settings (README, Production):
GUNICORN_BIND (``0.0.0.0:8000``), WEB_CONCURRENCY (worker processes, 3) and
GUNICORN_TIMEOUT (seconds, 60: a PDF of the annual report takes a few seconds to render).
"""

import os


def _whole_number(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise SystemExit(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


wsgi_app = "pole.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "").strip() or "0.0.0.0:8000"
workers = _whole_number("WEB_CONCURRENCY", 3)
timeout = _whole_number("GUNICORN_TIMEOUT", 60)
# Requests on standard output, gunicorn's own messages on standard error; the app's logs
# go to standard output too (LOGGING in pole/settings.py).
accesslog = "-"
errorlog = "-"
