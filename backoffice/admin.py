"""Admin pages that need several apps at once (the back office may import every app).

Deleting a membership of a year whose annual report is published changes that report's
figures (and the next year's growth and new members): the Direction confirms it, on a page
that names each published figure that would change. Personnel cannot; a bulk deletion
refuses such memberships (delete them one at a time, to see what changes).
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import transaction
from django.db.models import ProtectedError, QuerySet
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from members.admin import MembershipAdmin, MembershipInlineFormSet
from members.models import Membership
from reports.models import AnnualReport, Figure
from reports.statistics import MEMBER_FIGURES, year_figures

#: The member figures in the report's order.
REPORT_MEMBER_FIGURES = [figure for figure in Figure if figure in MEMBER_FIGURES]


def published_years(fiscal_years):
    return set(
        AnnualReport.objects.filter(fiscal_year__in=list(fiscal_years), is_published=True).values_list(
            "fiscal_year", flat=True
        )
    )


def published_figure_changes(membership):
    """Return [(year, figure label, before, after)] that deleting ``membership`` changes in published reports.

    None when no report it counts in is published. The deletion is made and rolled back in a
    savepoint, so the figures are the statistics module's own, not a second computation.
    """
    years = sorted(published_years([membership.fiscal_year, membership.fiscal_year.next]))
    if not years:
        return None
    before = {year: year_figures(year) for year in years}
    try:
        with transaction.atomic():
            Membership.objects.filter(pk=membership.pk).delete()
            after = {year: year_figures(year) for year in years}
            transaction.set_rollback(True)
    except ProtectedError:
        return None  # an invoice keeps it: the page says so
    changes = []
    for year in years:
        for figure in REPORT_MEMBER_FIGURES:
            old, new = before[year].value(figure), after[year].value(figure)
            if old != new:
                changes.append((year.label, Figure(figure).label, "—" if old is None else old, "—" if new is None else new))
    return changes


def published_deletion_reason(membership):
    """Why ``membership`` is not deleted from its member's page: a published report counts it (else None)."""
    fiscal_year = membership.fiscal_year
    if published_years([fiscal_year, fiscal_year.next]):
        return PUBLISHED_ELSEWHERE().format(membership=membership)
    return None


def PUBLISHED_ELSEWHERE():  # noqa: N802 - a message, read in the active language
    return _(
        "{membership}: a published annual report counts it; delete it from its own page, "
        "which names the figures that change."
    )


class PublishedYearMembershipAdmin(MembershipAdmin):
    delete_confirmation_template = "admin/members/membership/delete_confirmation.html"

    @staticmethod
    def may_change_published(request):
        return request.user.has_perm("reports.change_annualreport")

    def delete_view(self, request, object_id, extra_context=None):
        membership = self.get_object(request, unquote(object_id))
        changes = published_figure_changes(membership) if membership is not None else None
        if changes is not None:
            here = reverse("admin:members_membership_delete", args=[membership.pk], current_app=self.admin_site.name)
            if not self.may_change_published(request):
                messages.error(
                    request,
                    _(
                        "The annual report counting this membership is published: only the Direction may delete it."
                    ),
                )
                return redirect(reverse("admin:members_membership_change", args=[membership.pk]))
            if request.method == "POST" and request.POST.get("confirm_published") != "yes":
                messages.error(request, _("Tick the box to confirm that the published report's figures change."))
                return redirect(here)
            extra_context = {**(extra_context or {}), "published_changes": changes}
        return super().delete_view(request, object_id, extra_context)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if isinstance(objs, QuerySet):  # the bulk action: one at a time for a published year
            memberships = list(objs)
            published = published_years(
                {m.fiscal_year for m in memberships} | {m.fiscal_year.next for m in memberships}
            )
            for membership in memberships:
                if membership.fiscal_year in published or membership.fiscal_year.next in published:
                    protected = [*protected, PUBLISHED_ELSEWHERE().format(membership=membership)]
        return deleted, counts, perms_needed, protected


admin.site.unregister(Membership)
admin.site.register(Membership, PublishedYearMembershipAdmin)
# The member page's inline: a membership a published report counts is deleted from its own page.
MembershipInlineFormSet.deletion_guard = staticmethod(published_deletion_reason)
