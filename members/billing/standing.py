"""The list of members in good standing for the annual general meeting, as CSV and PDF.

The figures (who is in good standing, the quorum) come from ``selectors.good_standing``;
this module only writes them out.
"""

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from pole.formatting import format_date, format_number
from pole.spreadsheets.writers import spreadsheet_response


def _rows(standing):
    for membership in standing.memberships:
        member = membership.member
        if membership.waived:
            status = _("waived: %(reason)s") % {"reason": membership.waiver_reason}
        else:
            status = _("paid on %(day)s") % {"day": format_date(membership.paid_on)}
        yield member.name, member.get_category_display(), str(member.territory or ""), status


def standing_csv(standing):
    """The list as UTF-8 CSV (with a byte-order mark, so a spreadsheet reads the accents), safe to open."""
    return spreadsheet_response(
        [_("name"), _("category"), _("territory"), _("standing")],
        _rows(standing),
        extension="csv",
        filename=_("members-in-good-standing-%(year)s.csv") % {"year": standing.fiscal_year.label},
    )


def short_date(day):
    """« 2016-04-16 »: the numeric date the OQLF recommends, short enough never to wrap in a column."""
    return day.isoformat()


def _sheet_rows(standing):
    for membership in standing.memberships:
        member = membership.member
        yield {
            "name": member.name,
            "details": " · ".join(
                str(value) for value in (member.get_category_display(), member.territory or "") if value
            ),
            "paid_on": short_date(membership.paid_on) if membership.paid_on and not membership.waived else "",
            "waiver": membership.waiver_reason if membership.waived else "",
        }


def standing_pdf(standing, *, today=None):
    """The list as the AGM's sign-in sheet (PDF): a row per member in good standing, in French
    alphabetical order, with columns for the delegate, their signature and « présent »; the
    count and the quorum above; « page x de y » and the day it was printed on every page."""
    from pathlib import Path

    from django.contrib.staticfiles import finders
    from django.utils import timezone

    from pole.identity import get_identity, palette_css
    from pole.pdf import render_pdf

    identity = get_identity()

    html = render_to_string(
        "members/invoices/good_standing.html",
        {
            "standing": standing,
            "rows": list(_sheet_rows(standing)),
            "printed_on": format_date(today or timezone.localdate()),
            "count": format_number(standing.count),
            "quorum": format_number(standing.quorum),
            "network_name": identity.name,
            "palette_css": palette_css(identity),
            "stylesheet": Path(finders.find("members/invoice.css")).read_text(encoding="utf-8"),
        },
    )
    pdf = render_pdf(html)
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = _("members-in-good-standing-%(year)s.pdf") % {"year": standing.fiscal_year.label}
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
