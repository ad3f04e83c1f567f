"""Québec French date and time formats, correcting Django's own.

Django 5.2's fr_CA formats write the hour as ``H\xa0h\xa0i``: the non-breaking space
is not an escape, so the ``h`` is read as the 12-hour format character and a time
prints as « 08 08 ». Here the ``h`` is escaped and the hour has no leading zero, as
the Office québécois de la langue française writes it: « 15 juin 2017 à 8 h 08 ».
Everything not set here comes from Django's fr_CA module.
"""

from django.conf.locale.fr_CA.formats import *  # noqa: F403

TIME_FORMAT = "G\xa0\\h\xa0i"  # 8 h 08
DATETIME_FORMAT = "j F Y à G\xa0\\h\xa0i"  # 15 juin 2017 à 8 h 08
SHORT_DATETIME_FORMAT = "Y-m-d G\xa0\\h\xa0i"  # 2017-06-15 8 h 08
