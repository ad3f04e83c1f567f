import datetime

import pytest
from django.core import serializers
from django.core.exceptions import ValidationError
from django.utils import timezone

from members.models import Membership
from members.tests.factories import MemberFactory, MembershipFactory
from pole.fiscal_years import FiscalYear, FiscalYearField, FiscalYearFormField


def test_31_march_belongs_to_the_year_that_ends():
    assert FiscalYear.containing(datetime.date(2017, 3, 31)) == FiscalYear(2016)


def test_1_april_starts_the_next_year():
    assert FiscalYear.containing(datetime.date(2017, 4, 1)) == FiscalYear(2017)


def test_aware_datetime_is_read_in_local_time():
    # 1 April 03:30 UTC is 31 March 23:30 in Québec (TIME_ZONE): still 2016-2017.
    moment = datetime.datetime(2017, 4, 1, 3, 30, tzinfo=datetime.UTC)
    assert FiscalYear.containing(moment) == FiscalYear(2016)


def test_label_is_start_and_end_year():
    assert FiscalYear(2016).label == "2016-2017"
    assert str(FiscalYear(2016)) == "2016-2017"


def test_end_year_is_the_year_after_the_start():
    assert FiscalYear(2016).end_year == 2017


@pytest.mark.parametrize("text", ["2016-2017", " 2016 - 2017 ", "2016–2017", "2016/2017"])
def test_parse_reads_a_label(text):
    assert FiscalYear.parse(text) == FiscalYear(2016)


def test_parse_accepts_a_start_year_or_a_fiscal_year():
    assert FiscalYear.parse(2016) == FiscalYear(2016)
    assert FiscalYear.parse(FiscalYear(2016)) == FiscalYear(2016)


def test_parse_refuses_years_that_do_not_follow():
    with pytest.raises(ValueError, match="the second year must follow the first"):
        FiscalYear.parse("2016-2018")


@pytest.mark.parametrize("text", ["abc", "", "2016", "2016-17", "True"])
def test_parse_refuses_what_is_not_a_fiscal_year(text):
    with pytest.raises(ValueError, match="is not a fiscal year such as 2016-2017"):
        FiscalYear.parse(text)


def test_parse_refuses_a_boolean():
    with pytest.raises(ValueError):
        FiscalYear.parse(True)


@pytest.mark.parametrize("year", [1899, 3000])
def test_start_year_out_of_range_is_refused(year):
    with pytest.raises(ValueError, match="out of range"):
        FiscalYear(year)


def test_start_and_end_dates_run_from_1_april_to_31_march():
    assert FiscalYear(2016).start_date == datetime.date(2016, 4, 1)
    assert FiscalYear(2016).end_date == datetime.date(2017, 3, 31)


def test_end_date_of_a_year_ending_in_a_leap_february_is_29_february(settings):
    settings.POLE_FISCAL_YEAR_START_MONTH = 3
    assert FiscalYear(2015).end_date == datetime.date(2016, 2, 29)


def test_previous_and_next():
    assert FiscalYear(2016).previous == FiscalYear(2015)
    assert FiscalYear(2016).next == FiscalYear(2017)


def test_fiscal_years_order_by_start_year():
    years = [FiscalYear(2017), FiscalYear(2015), FiscalYear(2016)]
    assert sorted(years) == [FiscalYear(2015), FiscalYear(2016), FiscalYear(2017)]
    assert FiscalYear(2015) < FiscalYear(2016) <= FiscalYear(2016) < FiscalYear(2017)
    assert FiscalYear(2017) > FiscalYear(2016)


def test_fiscal_year_does_not_compare_with_an_int():
    with pytest.raises(TypeError):
        FiscalYear(2016) < 2017  # noqa: B015


def test_fiscal_year_is_hashable_and_equal_by_value():
    assert {FiscalYear(2016), FiscalYear(2016)} == {FiscalYear(2016)}


def test_contains_tells_whether_a_day_falls_in_the_year():
    assert datetime.date(2016, 4, 1) in FiscalYear(2016)
    assert datetime.date(2017, 3, 31) in FiscalYear(2016)
    assert datetime.date(2017, 4, 1) not in FiscalYear(2016)
    assert datetime.date(2016, 3, 31) not in FiscalYear(2016)


def test_calendar_fiscal_year_when_the_start_month_is_january(settings):
    settings.POLE_FISCAL_YEAR_START_MONTH = 1
    assert FiscalYear.containing(datetime.date(2017, 1, 1)) == FiscalYear(2017)
    assert FiscalYear.containing(datetime.date(2016, 12, 31)) == FiscalYear(2016)
    assert FiscalYear(2017).label == "2017"
    assert FiscalYear(2017).end_year == 2017
    assert FiscalYear(2017).start_date == datetime.date(2017, 1, 1)
    assert FiscalYear(2017).end_date == datetime.date(2017, 12, 31)
    assert FiscalYear.parse("2017") == FiscalYear(2017)


def test_fiscal_year_starting_in_july(settings):
    settings.POLE_FISCAL_YEAR_START_MONTH = 7
    assert FiscalYear.containing(datetime.date(2017, 6, 30)) == FiscalYear(2016)
    assert FiscalYear.containing(datetime.date(2017, 7, 1)) == FiscalYear(2017)
    assert FiscalYear(2016).start_date == datetime.date(2016, 7, 1)
    assert FiscalYear(2016).end_date == datetime.date(2017, 6, 30)
    assert FiscalYear(2016).label == "2016-2017"


def test_current_is_the_year_containing_today():
    today = timezone.localdate()
    assert FiscalYear.current().start_date <= today <= FiscalYear.current().end_date


@pytest.mark.django_db
def test_field_round_trips_a_fiscal_year_through_the_database():
    membership = MembershipFactory(fiscal_year=FiscalYear(2016))
    membership.refresh_from_db()
    assert membership.fiscal_year == FiscalYear(2016)
    assert Membership.objects.values_list("fiscal_year", flat=True).get() == FiscalYear(2016)


@pytest.mark.django_db
def test_field_stores_the_start_year():
    MembershipFactory(fiscal_year=FiscalYear(2016))
    stored = Membership.objects.extra(select={"raw": "fiscal_year"}).values_list("raw", flat=True).get()
    assert stored == 2016


@pytest.mark.django_db
def test_field_saves_a_label_and_reads_back_a_fiscal_year():
    membership = MembershipFactory(fiscal_year="2016-2017")
    membership.refresh_from_db()
    assert membership.fiscal_year == FiscalYear(2016)


@pytest.mark.django_db
@pytest.mark.parametrize("value", [FiscalYear(2016), "2016-2017", 2016])
def test_field_filters_with_a_fiscal_year_a_label_or_a_start_year(value):
    kept = MembershipFactory(fiscal_year=FiscalYear(2016))
    MembershipFactory(fiscal_year=FiscalYear(2017))
    assert list(Membership.objects.filter(fiscal_year=value)) == [kept]


@pytest.mark.django_db
def test_field_orders_and_compares_in_the_database():
    member = MemberFactory()
    for year in (2017, 2015, 2016):
        MembershipFactory(member=member, fiscal_year=FiscalYear(year))
    years = Membership.objects.filter(fiscal_year__gte=FiscalYear(2016)).order_by("fiscal_year")
    assert [m.fiscal_year for m in years] == [FiscalYear(2016), FiscalYear(2017)]


def test_field_to_python_reads_labels_and_start_years():
    field = FiscalYearField()
    assert field.to_python("2016-2017") == FiscalYear(2016)
    assert field.to_python("2016") == FiscalYear(2016)
    assert field.to_python(2016) == FiscalYear(2016)
    assert field.to_python("") is None
    assert field.to_python(None) is None


@pytest.mark.django_db
def test_model_full_clean_accepts_a_fiscal_year():
    membership = MembershipFactory.build(member=MemberFactory(), fiscal_year="2016-2017")
    membership.full_clean()
    assert membership.fiscal_year == FiscalYear(2016)


@pytest.mark.django_db
def test_model_full_clean_refuses_a_bad_fiscal_year_on_its_field():
    membership = MembershipFactory.build(member=MemberFactory(), fiscal_year="2016-2018")
    with pytest.raises(ValidationError) as caught:
        membership.full_clean()
    assert list(caught.value.message_dict) == ["fiscal_year"]


def test_field_to_python_refuses_a_bad_value_with_a_validation_error():
    with pytest.raises(ValidationError) as caught:
        FiscalYearField().to_python("2016-2018")
    assert caught.value.code == "invalid"


@pytest.mark.django_db
def test_serialisation_round_trips_the_fiscal_year():
    membership = MembershipFactory(fiscal_year=FiscalYear(2016))
    data = serializers.serialize("json", [membership])
    assert '"fiscal_year": "2016-2017"' in data
    (restored,) = serializers.deserialize("json", data)
    assert restored.object.fiscal_year == FiscalYear(2016)


def test_form_field_cleans_a_label_to_a_fiscal_year():
    field = FiscalYearFormField()
    assert field.clean("2016-2017") == FiscalYear(2016)
    assert field.prepare_value(FiscalYear(2016)) == "2016-2017"
    assert field.prepare_value(2016) == "2016-2017"


def test_form_field_refuses_a_bad_label():
    with pytest.raises(ValidationError):
        FiscalYearFormField().clean("2016-2018")


# --- The fiscal-year select of every form -------------------------------------------------


@pytest.mark.django_db
def test_years_with_data_reads_every_fiscal_year_column_and_activity_dates_in_one_query(
    django_assert_num_queries, fixed_today
):
    from activities.tests.factories import ActivityFactory, ProjectFactory
    from partners.tests.factories import PartnershipFactory
    from pole.fiscal_years import years_with_data

    fixed_today(datetime.date(2020, 6, 1))
    MembershipFactory(fiscal_year=FiscalYear(2014))
    PartnershipFactory(fiscal_year=FiscalYear(2011))
    ProjectFactory(first_fiscal_year=FiscalYear(2012), last_fiscal_year=FiscalYear(2013))
    ActivityFactory(start_date=datetime.date(2010, 3, 31))  # in 2009-2010
    ActivityFactory(start_date=datetime.date(2016, 4, 1))  # in 2016-2017
    with django_assert_num_queries(1):
        years = years_with_data()
    assert years == [FiscalYear(y) for y in (2016, 2014, 2013, 2012, 2011, 2009)]
    assert all(type(year.start_year) is int for year in years)


@pytest.mark.django_db
def test_the_choices_run_from_the_first_year_with_data_to_the_next_year(fixed_today):
    from pole.fiscal_years import fiscal_year_choices

    fixed_today(datetime.date(2020, 6, 1))
    assert fiscal_year_choices() == [("2021-2022", "2021-2022"), ("2020-2021", "2020-2021")]
    MembershipFactory(fiscal_year=FiscalYear(2017))
    labels = [label for _value, label in fiscal_year_choices()]
    assert labels == ["2021-2022", "2020-2021", "2019-2020", "2018-2019", "2017-2018"]


@pytest.mark.django_db
def test_within_a_request_the_years_are_read_once(django_assert_num_queries):
    from pole.fiscal_years import fiscal_year_choices, years_read_once

    with years_read_once(), django_assert_num_queries(1):
        for _ in range(20):
            fiscal_year_choices()


@pytest.mark.django_db
def test_the_select_offers_a_blank_first_and_keeps_a_stored_year_outside_the_choices():
    field = FiscalYearFormField()
    html = field.widget.render("fiscal_year", field.prepare_value(FiscalYear(1990)))
    assert html.startswith("<select")
    assert '<option value="" ' in html or '<option value="">' in html
    assert '<option value="1990-1991" selected>1990-1991</option>' in html
    assert field.clean("1990-1991") == FiscalYear(1990)


def test_the_admin_number_input_is_not_used_for_a_fiscal_year():
    from django.contrib.admin import widgets

    from members.models import Membership

    formfield = Membership._meta.get_field("fiscal_year").formfield(widget=widgets.AdminIntegerFieldWidget)
    assert isinstance(formfield, FiscalYearFormField)
    assert type(formfield.widget).__name__ == "FiscalYearSelect"
