"""Events as iCalendar (RFC 5545) files, written by the ``icalendar`` library.

An activity with a start time is a timed event in the site's time zone (America/Toronto
by default, with its VTIMEZONE); without one it is an all-day event, whose DTEND is the
day after its last day (RFC 5545: DTEND is exclusive).
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from pole.formatting import format_date

PRODUCT_ID = "-//Pôle//Activités//FR"


def _event(activity, *, site_url, zone, stamp):
    event = Event()
    host = (site_url.split("://", 1)[-1] or "pole.local").strip("/")
    event.add("uid", f"activite-{activity.pk}@{host}")
    event.add("dtstamp", stamp)
    event.add("summary", activity.title)
    last_day = activity.end_date or activity.start_date
    if activity.start_time:
        event.add("dtstart", datetime.datetime.combine(activity.start_date, activity.start_time, tzinfo=zone))
        end_time = activity.end_time or activity.start_time
        end = datetime.datetime.combine(last_day, end_time, tzinfo=zone)
        if not activity.end_time:
            end += datetime.timedelta(hours=1) if not activity.end_date else datetime.timedelta(0)
        event.add("dtend", end)
    else:
        event.add("dtstart", activity.start_date)
        event.add("dtend", last_day + datetime.timedelta(days=1))
    place = ", ".join(part for part in [activity.place, str(activity.territory or "")] if part)
    if place:
        event.add("location", place)
    description = activity.public_description or activity.description
    if description:
        event.add("description", description)
    if site_url:
        event.add("url", event_url(activity, site_url))
    return event


def activity_calendar(activities, *, site_url="", name=None):
    """Return the iCalendar file (bytes) of ``activities``; their territory should be fetched with them."""
    zone = ZoneInfo(settings.TIME_ZONE)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    stamp = timezone.now()
    for activity in activities:
        calendar.add_component(_event(activity, site_url=site_url, zone=zone, stamp=stamp))
    timed = [activity for activity in activities if activity.start_time]
    if timed:
        # The time zone's rules over the events' span only, not 1970-2038.
        first = min(activity.start_date for activity in timed)
        last = max(activity.end_date or activity.start_date for activity in timed)
        until = last + datetime.timedelta(days=1)
        calendar.add_missing_timezones(first_date=first, last_date=until)
        # icalendar explains the span in English; the file speaks the page's language.
        for time_zone in calendar.walk("VTIMEZONE"):
            time_zone.pop("COMMENT", None)
            time_zone.add(
                "comment",
                _("These time zone rules hold from %(start)s to %(end)s.")
                % {"start": format_date(first), "end": format_date(until)},
            )
    return calendar.to_ical()


def event_url(activity, site_url=""):
    """The address of ``activity``'s public page, absolute when ``site_url`` is given."""
    return f"{site_url}{reverse('activities:detail', args=[activity.pk])}"
