"""Load the 2016-2017 annual report's content as demo data.

Every write is keyed on a natural key (names, dates and titles, fiscal years),
so loading twice leaves the database as the first load left it.
"""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from activities.models import (
    Activity,
    Campaign,
    CampaignMetric,
    Measure,
    Objective,
    Project,
    ProjectYear,
    Registration,
)
from demo import data
from members.models import BoardMandate, Contact, Member, Membership, Sector, StaffMember, Territory
from partners.models import Affiliation, CommitteeSeat, Organisation, Partnership
from pole.fiscal_years import FiscalYear
from pole.models import NetworkIdentity
from reports.models import AnnualReport, DeclaredFigure, ReportMessage, SectionIntro, Signatory

REPORT_YEAR = FiscalYear(2016)
PREVIOUS_YEAR = FiscalYear(2015)

LEGAL_FORMS = {
    "C": Member.LegalForm.COOPERATIVE,
    "M": Member.LegalForm.MUTUAL,
    "A": Member.LegalForm.ASSOCIATION,
    "S": Member.LegalForm.COMPANY,
}
CATEGORIES = {
    "R": Member.Category.REGULAR,
    "G": Member.Category.BUSINESS_GROUP,
    "AM": Member.Category.AMBASSADOR,
    "F": Member.Category.SUPPLIER,
}
SETTINGS = {"U": Member.Setting.URBAN, "R": Member.Setting.RURAL}
PRESENCE = {"B": (PREVIOUS_YEAR, REPORT_YEAR), "N": (REPORT_YEAR,), "O": (PREVIOUS_YEAR,)}

def _date(text):
    return datetime.date.fromisoformat(text) if text else None


AGM_2017 = datetime.datetime(2017, 6, 15, 12, 0, tzinfo=datetime.UTC)


@transaction.atomic
def load_demo(*, password="pole-demo", archive=False, campaign=True):
    """Write the whole 2016-2017 report's content; return counts of what is in the database.

    With ``archive``, the published report is also frozen as it was adopted at the June 2017
    AGM (its version 1: PDF and self-contained HTML), unless a version exists already.
    Without ``campaign``, the 2017-2018 renewals are left out (its dues, campaign, invoices and
    memberships): a test that enters that year from scratch, as staff would, starts clean.
    """
    territories = {
        name: Territory.objects.update_or_create(name=name, defaults={"order": index})[0]
        for index, name in enumerate(data.TERRITORIES)
    }
    objectives = {
        name: Objective.objects.update_or_create(name=name, defaults={"order": index, "report_block": block})[0]
        for index, (name, block) in enumerate(data.OBJECTIVES, start=1)
    }
    members = _load_members(territories)
    organisations = _load_organisations(members)
    _load_activities(territories, objectives, organisations)
    _load_projects_and_campaign(objectives, organisations)
    _load_partners(organisations)
    _load_people()
    _load_report(objectives)
    _load_identity()
    _load_accounts(members, password)
    _load_events(territories, objectives, members)
    _load_dues(members, campaign=campaign)
    if archive:
        _archive_report()
    return {
        "members": Member.objects.count(),
        "activities": Activity.objects.count(),
        "organisations": Organisation.objects.count(),
        "board": BoardMandate.objects.count(),
    }


def _load_members(territories):
    members, sectors = {}, {}
    for line in data.MEMBERS.strip().splitlines():
        name, legal, category, founded, territory, setting, sector_name, presence = (c.strip() for c in line.split("|"))
        if sector_name not in sectors:
            sectors[sector_name] = Sector.objects.get_or_create_named(sector_name)
        sector = sectors[sector_name]
        member, _ = Member.objects.update_or_create(
            name=name,
            defaults={
                "legal_form": LEGAL_FORMS[legal],
                "category": CATEGORIES[category],
                "founding_year": int(founded) if founded else None,
                "territory": territories[territory],
                "setting": SETTINGS[setting],
                "sector": sector,
                "directory_consent": True,
                "description": f"{name} est membre du Pôle des entreprises d'économie sociale ({sector_name.lower()}).",
            },
        )
        for fiscal_year in PRESENCE[presence]:
            Membership.objects.update_or_create(
                member=member, fiscal_year=fiscal_year, defaults={"dues": Decimal("150.00")}
            )
        members[name] = member
    return members


def _load_organisations(members):
    organisations = {}
    for name, website, member_name in data.ORGANISATIONS:
        organisation, _ = Organisation.objects.update_or_create(
            name=name, defaults={"website": website, "member": members.get(member_name)}
        )
        organisations[name] = organisation
    return organisations


def _load_activities(territories, objectives, organisations):
    for row in data.ACTIVITIES:
        activity, _ = Activity.objects.update_or_create(
            start_date=_date(row["date"]),
            title=row["title"],
            defaults={
                "end_date": _date(row.get("end")),
                "territory": territories[row["territory"]],
                "place": row.get("place", ""),
                "role": row["role"],
                "participants": row["participants"],
                "participants_label": row.get("label", ""),
                "photo_caption": row.get("caption", ""),
            },
        )
        activity.objectives.set([objectives[row["objective"]]])
        activity.partners.set([organisations[name] for name in row.get("partners", [])])
        labels = []
        for order, (label, value) in enumerate(row.get("measures", [])):
            Measure.objects.update_or_create(activity=activity, label=label, defaults={"value": value, "order": order})
            labels.append(label)
        activity.measures.exclude(label__in=labels).delete()


def _load_events(territories, objectives, members, *, today=None):
    """The two upcoming events of the current fiscal year (``data.DEMO_EVENTS``) and their registrations.

    Dated from ``today`` and kept within its fiscal year; found again by title, so loading
    twice moves them to the new dates instead of adding more. The seats go in order of
    registration, the last ones to the waiting list, as the registration service does.
    """
    from django.utils import timezone

    today = today or timezone.localdate()
    days_left = (FiscalYear.containing(today).end_date - today).days
    for row in data.DEMO_EVENTS:
        fields = {
            "start_date": today + datetime.timedelta(days=min(row["days"], days_left)),
            "end_date": None,
            "start_time": datetime.time.fromisoformat(row["start"]),
            "end_time": datetime.time.fromisoformat(row["end"]),
            "territory": territories[row["territory"]],
            "place": row["place"],
            "role": Activity.Role.REALISATION,
            "participants": None,
            "registration_open": True,
            "capacity": row["capacity"],
            "registration_deadline": None,
            "member_price": Decimal(row["member_price"]),
            "non_member_price": Decimal(row["non_member_price"]),
            "non_members_allowed": True,
            "public_description": row["description"],
        }
        activity = Activity.objects.filter(title=row["title"]).first()
        if activity is None:
            activity = Activity.objects.create(title=row["title"], **fields)
        else:
            for name, value in fields.items():
                setattr(activity, name, value)
            activity.save()
        activity.objectives.set([objectives[row["objective"]]])
        for index, (name, email, member, needs) in enumerate(row["registrations"]):
            confirmed = index < row["capacity"]
            Registration.objects.update_or_create(
                activity=activity,
                email=email,
                defaults={
                    "name": name,
                    "member": members[member] if member else None,
                    "organisation": member,
                    "needs": needs,
                    "status": Registration.Status.CONFIRMED if confirmed else Registration.Status.WAITING,
                    "present": False,
                },
            )


def _load_projects_and_campaign(objectives, organisations):
    for order, row in enumerate(data.PROJECTS):
        project, _ = Project.objects.update_or_create(
            title=row["title"],
            defaults={
                "objective": objectives[row["objective"]],
                "subtitle": row.get("subtitle", ""),
                "first_fiscal_year": FiscalYear.parse(row["first"]),
                "last_fiscal_year": FiscalYear.parse(row["last"]) if row.get("last") else None,
                "announce_as_new": row["new_label"],
                "order": order,
            },
        )
        project.partners.set([organisations[name] for name in row["partners"]])
        # The printed report's text is this project's text for 2016-2017 (its « bilan » of that year).
        ProjectYear.objects.update_or_create(project=project, fiscal_year=REPORT_YEAR, defaults={"body": row["body"]})

    row = data.CAMPAIGN
    campaign, _ = Campaign.objects.update_or_create(
        name=row["name"],
        fiscal_year=FiscalYear.parse(row["fiscal_year"]),
        defaults={
            "objective": objectives[row["objective"]],
            "start_date": _date(row["start"]),
            "end_date": _date(row["end"]),
            "official_partner": organisations[row["official_partner"]],
            "body": row["body"],
            "closing": row["closing"],
        },
    )
    for order, (label, value) in enumerate(row["metrics"]):
        CampaignMetric.objects.update_or_create(
            campaign=campaign, label=label, defaults={"value": value, "order": order}
        )


def _load_partners(organisations):
    for order, (name, category) in enumerate(data.PARTNERSHIPS_2016):
        Partnership.objects.update_or_create(
            organisation=organisations[name], fiscal_year=REPORT_YEAR, defaults={"category": category, "order": order}
        )
    for order, name in enumerate(data.AFFILIATIONS_2016):
        Affiliation.objects.update_or_create(
            organisation=organisations[name], fiscal_year=REPORT_YEAR, defaults={"order": order}
        )
    for order, (name, host) in enumerate(data.COMMITTEES_2016):
        CommitteeSeat.objects.update_or_create(
            name=name,
            fiscal_year=REPORT_YEAR,
            defaults={"order": order, "organisation": organisations.get(host) if host else None},
        )


def _load_people():
    # Mandates start at the June 2016 AGM and end at the June 2017 one.
    for order, (name, role) in enumerate(data.BOARD):
        mandate, _ = BoardMandate.objects.update_or_create(
            name=name,
            start_date=datetime.date(2016, 6, 15),
            defaults={"role": role, "order": order, "end_date": datetime.date(2017, 6, 14)},
        )
    for order, (name, title) in enumerate(data.STAFF):
        staff_member, _ = StaffMember.objects.update_or_create(
            name=name, defaults={"title": title, "order": order, "start_date": datetime.date(2015, 4, 1)}
        )


def _load_dues(members, *, campaign=True):
    """The dues schedule, the paid invoices of 2016-2017 and the 2017-2018 campaign (see demo_data).

    Keyed on the member and year: a member that has an invoice for the year is left as it is.
    The 2016-2017 memberships keep their dues (so the report's figures do not move); the
    2017-2018 renewals create that year's memberships, as a renewal does.
    """
    from members.billing.invoices import issue_invoice, issue_paid_invoices, record_payment
    from members.models import DuesNotice, DuesRate, Invoice, RenewalCampaign

    for label, rates in data.DUES_RATES.items():
        if not campaign and FiscalYear.parse(label) != REPORT_YEAR:
            continue
        for code, amount in rates.items():
            DuesRate.objects.update_or_create(
                fiscal_year=FiscalYear.parse(label), category=CATEGORIES[code], defaults={"amount": Decimal(amount)}
            )
    invoiced = set(Invoice.objects.live().values_list("member_id", "fiscal_year"))
    first = _date(data.DUES_2016_FIRST_INVOICE)
    memberships = [
        membership
        for membership in Membership.objects.filter(fiscal_year=REPORT_YEAR)
        .select_related("member")
        .order_by("member__name")
        if (membership.member_id, REPORT_YEAR) not in invoiced
    ]
    # Spread over April and May 2016, each paid within a month.
    order = {membership.pk: index for index, membership in enumerate(memberships)}
    issue_paid_invoices(
        memberships,
        issued_on=lambda membership: first + datetime.timedelta(days=order[membership.pk] % 40),
        paid_on=lambda membership: first + datetime.timedelta(days=order[membership.pk] % 40 + 12 + order[membership.pk] % 15),
    )
    RenewalCampaign.objects.update_or_create(
        fiscal_year=REPORT_YEAR, defaults={"opened_on": first, "closed": True}
    )
    if not campaign:
        return
    next_year = REPORT_YEAR.next
    opened_on = _date(data.CAMPAIGN_2017_OPENED)
    RenewalCampaign.objects.update_or_create(fiscal_year=next_year, defaults={"opened_on": opened_on, "closed": False})
    addresses = dict(
        Contact.objects.filter(user__isnull=False, member__memberships__fiscal_year=REPORT_YEAR).values_list(
            "member_id", "user__email"
        )
    )
    noticed = set(DuesNotice.objects.filter(sent_on=opened_on).values_list("member_id", flat=True))
    DuesNotice.objects.bulk_create(
        DuesNotice(
            member=member,
            fiscal_year=next_year,
            kind=DuesNotice.Kind.INVITATION,
            sent_on=opened_on,
            recipients=addresses.get(member.pk, member.email or "—"),
        )
        for member in Member.objects.filter(memberships__fiscal_year=REPORT_YEAR).order_by("name")
        if member.pk not in noticed
    )
    for name, issued, payments in data.RENEWALS_2017:
        member = members[name]
        if (member.pk, next_year) in invoiced:
            continue
        invoice = issue_invoice(member=member, fiscal_year=next_year, today=_date(issued))
        for paid_on, amount, method, reference in payments:
            record_payment(
                invoice=invoice, paid_on=_date(paid_on), amount=Decimal(amount), method=method, reference=reference
            )


def _archive_report():
    from reports.publishing import publish

    report = AnnualReport.objects.get(fiscal_year=REPORT_YEAR)
    if not report.versions.exists():
        publish(report=report, published_at=AGM_2017)


def _load_report(objectives):
    # The 2016-2017 report was published at the June 2017 AGM.
    report, _ = AnnualReport.objects.get_or_create(
        fiscal_year=REPORT_YEAR,
        defaults={
            "is_published": True,
            "published_at": AGM_2017,
        },
    )
    for order, row in enumerate([data.PRESIDENTS_MESSAGE, data.DIRECTOR_MESSAGE]):
        message, _ = ReportMessage.objects.update_or_create(
            report=report, kind=row["kind"], defaults={"title": row["title"], "body": row["body"], "order": order}
        )
        for position, (name, role) in enumerate(row["signatories"]):
            Signatory.objects.update_or_create(message=message, name=name, defaults={"role": role, "order": position})
    for objective_name, (title, body, caption) in data.SECTION_INTROS.items():
        intro, _ = SectionIntro.objects.update_or_create(
            report=report,
            objective=objectives[objective_name],
            defaults={"title": title, "body": body, "photo_caption": caption},
        )
    for figure, value, note in data.DECLARED_FIGURES:
        DeclaredFigure.objects.update_or_create(
            report=report, figure=figure, defaults={"value": Decimal(value), "note": note}
        )


def _load_identity():
    """The network's identity: names and tagline from the seed's cover; contact details invented for the demo (the seed has none)."""
    NetworkIdentity.objects.update_or_create(
        pk=NetworkIdentity.objects.values_list("pk", flat=True).first(),
        defaults={
            "name": data.NETWORK_NAME,
            "short_name": "Pôle",
            "tagline": data.TAGLINE,
            "address": data.DEMO_ADDRESS,
            "phone": "418 555-0100",
            "email": "info@exemple.org",
            "website": "https://exemple.org",
        },
    )


def _load_accounts(members, password):
    User = get_user_model()
    for email, first_name, last_name, group_name in data.DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            email=email,
            defaults={"first_name": first_name, "last_name": last_name, "is_staff": group_name is not None},
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        if group_name:
            user.groups.add(Group.objects.get(name=group_name))
        else:
            Contact.objects.update_or_create(
                member=members[data.DEMO_MEMBER],
                email=email,
                defaults={"first_name": first_name, "last_name": last_name, "role": "Directrice", "user": user},
            )
