import datetime

import pytest

from activities.tests.factories import ActivityFactory, ObjectiveFactory
from backoffice.dashboard import missing_data
from members.tests.factories import MemberFactory
from partners.tests.factories import OrganisationFactory, PartnershipFactory
from pole.fiscal_years import FiscalYear
from reports.readiness import readiness_check

pytestmark = pytest.mark.django_db

YEAR = FiscalYear(2016)


def test_readiness_and_dashboard_count_the_same_gaps():
    ActivityFactory(start_date=datetime.date(2016, 5, 1), territory=None, participants=None, objectives=[])
    ActivityFactory(start_date=datetime.date(2016, 6, 1), objectives=[ObjectiveFactory()])
    MemberFactory(name="Sans territoire", territory=None, founding_year=None, fiscal_years=[2016])
    MemberFactory(fiscal_years=[2016])
    PartnershipFactory(organisation=OrganisationFactory(logo=""), fiscal_year=YEAR)

    check = readiness_check(YEAR)

    [activity] = check["activities"]
    assert activity["problems"] == ["aucun participant", "aucun objectif", "aucun territoire"]
    [member] = check["members"]
    assert member["label"] == "Sans territoire"
    assert member["problems"] == ["aucun territoire", "aucune année de fondation"]
    assert [p["problems"] for p in check["partners"]] == [["aucun logo"]]

    dashboard = {
        (str(section.title), str(row.label)): row.cells[0].count
        for section in missing_data([YEAR])
        for row in section.rows
    }
    listed = sum(len(row["problems"]) for key in ("activities", "members", "partners") for row in check[key])
    assert sum(dashboard.values()) == listed
