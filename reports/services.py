import datetime

from django.db.models.functions import ExtractMonth, ExtractYear

from activities.models import Activity
from members.models import Membership
from pole.fiscal_years import FiscalYear
from reports.models import AnnualReport


def fiscal_years_with_data():
    """Return the set of fiscal years that have memberships, activities or a report. Three queries."""
    years = set(Membership.objects.order_by().values_list("fiscal_year", flat=True).distinct())
    years |= set(AnnualReport.objects.values_list("fiscal_year", flat=True))
    months = (
        Activity.objects.annotate(year=ExtractYear("start_date"), month=ExtractMonth("start_date"))
        .order_by()
        .values_list("year", "month")
        .distinct()
    )
    years |= {FiscalYear.containing(datetime.date(year, month, 1)) for year, month in months}
    return years
