"""The staff dashboard on the admin index: the year so far against last year, and the missing data."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from activities.models import Activity
from activities.tests.factories import ActivityFactory, MeasureFactory, ObjectiveFactory
from backoffice.dashboard import missing_data, same_day_last_year, staff_dashboard, year_so_far
from members.models import Member
from members.tests.factories import MemberFactory, MembershipFactory, UserFactory
from partners.tests.factories import OrganisationFactory, PartnershipFactory
from pole.fiscal_years import FiscalYear
from pole.missing_data import checks_for

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
TODAY = datetime.date(2016, 9, 15)  # in 2016-2017; the same day last year is in 2015-2016

REALISATION = Activity.Role.REALISATION
CO_REALISATION = Activity.Role.CO_REALISATION
REPRESENTATION = Activity.Role.REPRESENTATION


def activity(day, participants, role=REALISATION):
    return ActivityFactory(start_date=day, participants=participants, role=role)


def membership(member, year, paid_on):
    return MembershipFactory(member=member, fiscal_year=FiscalYear(year), paid_on=paid_on)


@pytest.fixture
def year_data():
    # This year, up to 15 September 2016.
    activity(datetime.date(2016, 5, 1), 10)
    activity(datetime.date(2016, 9, 15), 5, CO_REALISATION)  # the cut-off day counts
    activity(datetime.date(2016, 7, 1), None)  # unknown participants count as 0
    activity(datetime.date(2016, 9, 16), 100)  # after today
    activity(datetime.date(2016, 6, 1), 50, REPRESENTATION)  # not reported
    # Last year, up to 15 September 2015.
    activity(datetime.date(2015, 4, 1), 8)
    activity(datetime.date(2015, 9, 16), 7)  # after the same day last year
    activity(datetime.date(2015, 3, 31), 9)  # the year before

    a, b, c, d, e = (MemberFactory(name=name) for name in "ABCDE")
    membership(a, 2015, datetime.date(2015, 5, 1))  # new last year
    membership(a, 2016, datetime.date(2016, 5, 1))
    membership(b, 2015, datetime.date(2015, 10, 1))  # paid after the same day last year
    membership(c, 2016, None)  # no payment date: counts; new this year
    membership(d, 2014, None)
    membership(d, 2015, None)
    membership(e, 2013, None)
    membership(e, 2016, datetime.date(2016, 9, 15))  # back after a gap: not new


def figures(comparisons):
    return {str(c.label): (c.current, c.previous, c.change) for c in comparisons}


def test_year_so_far_compares_with_the_same_day_last_year(year_data):
    assert figures(year_so_far(TODAY)) == {
        "activités": (3, 1, 200),
        "participants": (15, 8, 88),  # 87.5 % rounds half up
        "membres": (3, 2, 50),
        "nouveaux membres": (1, 1, 0),
    }


def test_year_so_far_on_the_first_day_of_the_fiscal_year(year_data):
    assert figures(year_so_far(datetime.date(2016, 4, 1))) == {
        "activités": (0, 1, -100),
        "participants": (0, 8, -100),
        # Only the undated memberships are in by 1 April: C this year, D last year.
        "membres": (1, 1, 0),
        "nouveaux membres": (1, 0, None),
    }


def test_a_previous_year_without_records_is_not_available_not_zero():
    (activities, participants, members, new_members) = year_so_far(TODAY)
    for figure in (activities, participants, members):
        assert (figure.previous, figure.change, figure.previous_display, figure.change_display) == (
            None,
            None,
            "n.d.",
            "n.d.",
        )
        assert figure.trend == "unknown"
    assert (new_members.current_display, new_members.previous_display) == ("n.d.", "n.d.")


def test_change_is_a_dash_when_last_year_was_recorded_but_zero():
    activity(datetime.date(2015, 12, 1), 4)  # last year has records, none by the same day
    activities = year_so_far(TODAY)[0]
    assert (activities.current, activities.previous, activities.change_display) == (0, 0, "—")


def test_in_the_first_year_of_records_new_members_and_growth_are_not_available():
    """Every member of the first year of records would look new: « n.d. », not « 19 … −59 % »."""
    for name in "ABC":
        MembershipFactory(member=MemberFactory(name=name), fiscal_year=FiscalYear(2016), paid_on=None)
    activities, participants, members, new_members = year_so_far(TODAY)
    assert (members.current, members.previous, members.change_display) == (3, None, "n.d.")
    assert (new_members.current, new_members.previous) == (None, None)
    assert (new_members.current_display, new_members.change_display) == ("n.d.", "n.d.")
    # The next year is the second year of records: new members are known, last year's are not.
    MembershipFactory(member=MemberFactory(name="D"), fiscal_year=FiscalYear(2017), paid_on=None)
    new_members = year_so_far(datetime.date(2017, 9, 15))[3]
    assert (new_members.current, new_members.previous, new_members.change_display) == (1, None, "n.d.")


def test_change_is_written_with_its_sign_in_french(year_data):
    displays = {str(c.label): (c.current_display, c.change_display) for c in year_so_far(TODAY)}
    assert displays["activités"] == ("3", f"+200{NBSP}%")
    assert displays["nouveaux membres"] == ("1", f"0{NBSP}%")
    assert figures(year_so_far(datetime.date(2016, 4, 1)))["activités"][2] == -100
    activities = year_so_far(datetime.date(2016, 4, 1))[0]
    assert (activities.change_display, activities.trend) == (f"−100{NBSP}%", "down")


def test_large_numbers_are_grouped_in_french():
    activity(datetime.date(2016, 5, 1), 15000)
    participants = year_so_far(TODAY)[1]
    assert participants.current_display == f"15{NBSP}000"


def test_same_day_last_year_of_29_february_is_the_28th():
    assert same_day_last_year(datetime.date(2020, 2, 29)) == datetime.date(2019, 2, 28)
    assert same_day_last_year(datetime.date(2016, 9, 15)) == datetime.date(2015, 9, 15)


@pytest.fixture
def incomplete_records():
    objective = ObjectiveFactory()
    complete = {"objectives": [objective]}
    # 2016-2017: one activity lacking all three, one lacking a territory only, one complete.
    ActivityFactory(start_date=datetime.date(2016, 5, 1), participants=None, territory=None)
    ActivityFactory(start_date=datetime.date(2016, 6, 1), territory=None, **complete)
    with_measure = ActivityFactory(start_date=datetime.date(2016, 7, 1), participants=None, **complete)
    MeasureFactory(activity=with_measure)
    # 2015-2016: one without objective.
    ActivityFactory(start_date=datetime.date(2015, 5, 1))
    # 2014-2015 is not shown.
    ActivityFactory(start_date=datetime.date(2014, 5, 1), territory=None)

    MemberFactory(fiscal_years=[2015, 2016], territory=None, founding_year=None)
    MemberFactory(fiscal_years=[2016], legal_form="", setting="")
    MemberFactory(fiscal_years=[2015], setting="")
    MemberFactory(setting="")  # no membership

    PartnershipFactory(fiscal_year=FiscalYear(2016))
    PartnershipFactory(fiscal_year=FiscalYear(2015), organisation=OrganisationFactory(member=MemberFactory()))


def counts(sections):
    return {
        (section.title, str(row.label)): [cell.count for cell in row.cells]
        for section in sections
        for row in section.rows
    }


def test_missing_data_counts_each_check_for_this_year_and_last(incomplete_records):
    years = [FiscalYear(2016), FiscalYear(2015)]
    assert counts(missing_data(years)) == {
        ("Activités", "aucun participant"): [1, 0],
        ("Activités", "aucun objectif"): [1, 1],
        ("Activités", "aucun territoire"): [2, 0],
        ("Membres", "aucun territoire"): [1, 1],
        ("Membres", "aucune forme juridique"): [1, 0],
        ("Membres", "aucun milieu (urbain ou rural)"): [1, 1],
        ("Membres", "aucune année de fondation"): [1, 1],
        ("Partenariats", "aucun logo"): [1, 1],
    }


def test_each_missing_data_link_lists_exactly_the_counted_records(incomplete_records, direction_client):
    sections = missing_data([FiscalYear(2016), FiscalYear(2015)])
    cells = [cell for section in sections for row in section.rows for cell in row.cells]
    assert cells[0].url == "/admin/activities/activity/?exercice=2016-2017&manque=participants"
    for cell in cells:
        response = direction_client.get(cell.url)
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == cell.count, cell.url


def test_missing_data_leaves_out_what_the_user_may_not_view(incomplete_records):
    user = UserFactory(is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=["view_activity", "view_member"]))
    titles = [section.title for section in missing_data([FiscalYear(2016)], user=user)]
    assert [str(t) for t in titles] == ["Activités", "Membres"]


def test_dashboard_queries_do_not_grow_with_the_rows(django_assert_num_queries):
    def build(n):
        for i in range(n):
            activity(datetime.date(2016, 4, 1) + datetime.timedelta(days=i), i)
            MemberFactory(fiscal_years=[2015, 2016], territory=None)
            PartnershipFactory(fiscal_year=FiscalYear(2016))

    build(2)
    with django_assert_num_queries(6):
        staff_dashboard(today=TODAY)
    build(18)
    with django_assert_num_queries(6):
        dashboard = staff_dashboard(today=TODAY)
    assert figures(dashboard["comparisons"])["activités"][0] == 20
    assert Member.objects.count() == 20


# On the admin index


def test_admin_index_shows_the_dashboard_in_french(year_data, direction_client, fixed_today):
    fixed_today(TODAY)
    response = direction_client.get(reverse("admin:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "L’exercice 2016-2017 à ce jour" in html
    assert "Jusqu’au 15 septembre 2016, comparé à l’exercice précédent jusqu’au 15 septembre 2015." in html
    assert f"+200{NBSP}%" in html
    assert "il y a un an\u00a0: 8" in html
    assert "Données manquantes" in html
    assert "css/admin-dashboard.css" in html
    assert 'style="' not in html.split('class="pole-dashboard"')[1].split("</section>")[0]


def test_admin_index_links_each_missing_count_to_its_list(incomplete_records, personnel_client, fixed_today):
    fixed_today(TODAY)
    html = personnel_client.get(reverse("admin:index")).content.decode()
    assert 'href="/admin/members/member/?exercice=2016-2017&amp;manque=forme-juridique"' in html
    assert 'href="/admin/partners/partnership/?exercice=2015-2016&amp;manque=logo"' in html


def test_admin_index_queries_do_not_grow_with_the_rows(personnel_client, assert_constant_queries, fixed_today):
    fixed_today(TODAY)

    def build(i):
        activity(datetime.date(2016, 4, 1) + datetime.timedelta(days=i), None)
        MemberFactory(fiscal_years=[2016], legal_form="")
        PartnershipFactory(fiscal_year=FiscalYear(2016))

    response = assert_constant_queries(personnel_client, reverse("admin:index"), build)
    assert figures(response.context["dashboard"]["comparisons"])["activités"][0] == 20


def test_an_earlier_fiscal_year_is_shown_whole_against_the_year_before():
    ActivityFactory(start_date=datetime.date(2017, 3, 30), participants=12)
    ActivityFactory(start_date=datetime.date(2016, 3, 30), participants=5)
    MemberFactory(fiscal_years=[2015, 2016])

    dashboard = staff_dashboard(today=datetime.date(2018, 5, 1), fiscal_year="2016-2017")

    assert dashboard["complete"] is True
    assert dashboard["fiscal_year"] == FiscalYear(2016)
    assert dashboard["missing_years"] == [FiscalYear(2016), FiscalYear(2015)]
    activities, participants, members, new_members = ((c.current, c.previous) for c in dashboard["comparisons"])
    assert activities == (1, 1)
    assert participants == (12, 5)
    assert members == (1, 1)
    # 2015-2016 is the first year of records: its new members are not known.
    assert new_members == (0, None)


def test_the_admin_index_offers_the_years_with_data(personnel_client):
    ActivityFactory(start_date=datetime.date(2016, 6, 1))
    response = personnel_client.get(reverse("admin:index"), {"exercice": "2016-2017"})
    dashboard = response.context["dashboard"]
    assert dashboard["fiscal_year"] == FiscalYear(2016)
    assert FiscalYear(2016) in dashboard["year_choices"]
    assert FiscalYear.current() in dashboard["year_choices"]
    assert "Exercice 2016-2017" in response.content.decode()

    # An unreadable year opens the default: here the latest year with data.
    for unreadable in ("2016-2018", "n'importe quoi", "1800-1801"):
        response = personnel_client.get(reverse("admin:index"), {"exercice": unreadable})
        assert response.status_code == 200
        assert response.context["dashboard"]["fiscal_year"] == FiscalYear(2016)


def test_the_dashboard_opens_on_the_latest_year_with_data_and_says_so(personnel_client):
    ActivityFactory(start_date=datetime.date(2016, 6, 1))
    MemberFactory(fiscal_years=[2015, 2016])
    response = personnel_client.get(reverse("admin:index"))
    dashboard = response.context["dashboard"]
    assert dashboard["fiscal_year"] == FiscalYear(2016)
    assert dashboard["complete"] is True
    assert dashboard["current_without_data"] == FiscalYear.current()
    content = response.content.decode()
    current = FiscalYear.current().label
    assert f"{current} n’a pas encore de chiffres" in content
    assert "le tableau de bord montre 2016-2017, le dernier exercice qui en a." in content


def test_the_dashboard_opens_on_the_current_year_once_it_has_data(personnel_client, fixed_today):
    fixed_today(datetime.date(2017, 5, 2))
    MemberFactory(fiscal_years=[2016])
    ActivityFactory(start_date=datetime.date(2017, 4, 20))
    response = personnel_client.get(reverse("admin:index"))
    dashboard = response.context["dashboard"]
    assert dashboard["fiscal_year"] == FiscalYear(2017)
    assert dashboard["current_without_data"] is None
    assert "n’a pas encore de chiffres" not in response.content.decode()


# Events not held yet, and the year the dashboard opens on


def test_an_activity_not_yet_held_lacks_no_participants(fixed_today):
    from activities.tests.factories import EventFactory, RegistrationFactory

    fixed_today(datetime.date(2026, 12, 5))
    objective = ObjectiveFactory()
    complete = {"objectives": [objective]}
    EventFactory(start_date=datetime.date(2026, 12, 19), **complete)  # two weeks ahead, registrations open
    EventFactory(start_date=datetime.date(2026, 12, 1), end_date=datetime.date(2026, 12, 9), **complete)  # under way
    ActivityFactory(start_date=datetime.date(2026, 11, 20), participants=None, **complete)  # held, no count
    held = EventFactory(start_date=datetime.date(2026, 11, 21), **complete)  # held, attendance marked
    RegistrationFactory(activity=held, present=True)
    nobody = EventFactory(start_date=datetime.date(2026, 11, 22), **complete)  # held, nobody marked present
    RegistrationFactory(activity=nobody)
    year = FiscalYear(2026)
    assert counts(missing_data([year]))[("Activités", "aucun participant")] == [2]
    participants = next(check for check in checks_for(Activity) if check.key == "participants")
    flagged = Activity.objects.filter(participants.condition)
    assert sorted(a.start_date.day for a in flagged) == [20, 22]


def test_the_dashboard_opens_on_the_latest_year_with_figures_not_a_year_of_coming_events(personnel_client, fixed_today):
    from activities.tests.factories import EventFactory

    fixed_today(datetime.date(2026, 12, 5))
    EventFactory(start_date=datetime.date(2026, 12, 19))  # the current year holds only events to come
    ActivityFactory(start_date=datetime.date(2016, 6, 1))
    MemberFactory(fiscal_years=[2015, 2016, 2017])  # 2017-2018: renewals only, nothing held
    response = personnel_client.get(reverse("admin:index"))
    dashboard = response.context["dashboard"]
    assert dashboard["fiscal_year"] == FiscalYear(2016)
    assert dashboard["current_without_data"] == FiscalYear(2026)
    content = response.content.decode()
    assert "2026-2027 n’a pas encore de chiffres (aucune activité tenue)" in content
    assert "le tableau de bord montre 2016-2017, le dernier exercice qui en a." in content
    # Another year, chosen: the dashboard says which it shows and which it opens on.
    response = personnel_client.get(reverse("admin:index"), {"exercice": "2017-2018"})
    assert response.context["dashboard"]["fiscal_year"] == FiscalYear(2017)
    content = response.content.decode()
    assert "Vous consultez 2017-2018, l’exercice choisi." in content
    assert "Le tableau de bord s’ouvre sur 2016-2017, le dernier exercice qui a des chiffres." in content
    assert '<a href="?exercice=2016-2017">Revenir à 2016-2017</a>' in content


def test_latest_fiscal_year_with_figures_is_the_latest_with_an_activity_held():
    from activities.tests.factories import EventFactory
    from reports.services import latest_fiscal_year_with_figures

    today = datetime.date(2026, 12, 5)
    assert latest_fiscal_year_with_figures(today) is None
    EventFactory(start_date=datetime.date(2026, 12, 19))  # to come
    ActivityFactory(start_date=datetime.date(2026, 11, 1), role=REPRESENTATION)  # not a figure
    MemberFactory(fiscal_years=[2027])  # next year's renewal
    assert latest_fiscal_year_with_figures(today) is None
    MemberFactory(fiscal_years=[2016, 2020])  # without any activity held: the memberships' latest year
    assert latest_fiscal_year_with_figures(today) == FiscalYear(2020)
    ActivityFactory(start_date=datetime.date(2019, 5, 1))  # an activity held: its year
    assert latest_fiscal_year_with_figures(today) == FiscalYear(2019)
    ActivityFactory(start_date=today)  # held today
    assert latest_fiscal_year_with_figures(today) == FiscalYear(2026)
