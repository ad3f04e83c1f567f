"""The demo command freezes the 2016-2017 report as the June 2017 AGM adopted it, once."""

import io

import pytest
from django.core.management import call_command

from demo.loader import AGM_2017
from reports.models import ReportVersion

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_demo_command_freezes_the_report_as_adopted_once(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    call_command("load_demo", stdout=io.StringIO())
    (version,) = ReportVersion.objects.all()
    assert (version.number, version.published_at, version.published_by) == (1, AGM_2017, None)
