"""The admin, as the staff roles of DESIGN.md see it."""

import datetime
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Activity
from activities.tests.factories import (
    ActivityFactory,
    CampaignFactory,
    CampaignMetricFactory,
    MeasureFactory,
    ObjectiveFactory,
    ProjectFactory,
    RegistrationFactory,
)
from members.billing.invoices import issue_invoice, record_payment
from members.models import DuesNotice, DuesRate, Membership, RenewalCampaign
from members.tests.factories import (
    BoardMandateFactory,
    ContactFactory,
    InvitationFactory,
    MemberFactory,
    MembershipFactory,
    SectorFactory,
    StaffMemberFactory,
    TerritoryFactory,
    UserFactory,
)
from partners.tests.factories import (
    AffiliationFactory,
    CommitteeSeatFactory,
    OrganisationFactory,
    PartnershipFactory,
)
from pole.fiscal_years import FiscalYear
from pole.identity import get_identity
from pole.models import (
    ConfidentialityIncident,
    ConsentRecord,
    NetworkIdentity,
    OutboxMessage,
    PersonalDataAccess,
    PrivacyRequest,
    Unsubscription,
)
from reports.models import AnnualReport, Figure
from reports.tests.factories import (
    AnnualReportFactory,
    DeclaredFigureFactory,
    ReportMessageFactory,
    SectionIntroFactory,
    SignatoryFactory,
)

pytestmark = pytest.mark.django_db

REGISTERED = sorted(model._meta.label_lower for model in admin.site._registry)

# What each role may not do (DESIGN.md, Roles); everything else is allowed.
PERSONNEL_VIEW_ONLY = {
    "activities.objective",
    "pole.networkidentity",  # the Direction's
    "members.invitation",
    # Dues: the Direction sets the schedule and opens campaigns; invoices are issued by the
    # portal or an action, never from a form; the notices are a log.
    "members.duesrate",
    "members.renewalcampaign",
    "members.invoice",
    "members.duesnotice",
    "axes.accessattempt",
    "reports.annualreport",
    "reports.declaredfigure",
    "reports.reportmessage",
    "reports.sectionintro",
    "pole.outboxmessage",  # written by the actions that send e-mails; staff only send them again
}
LOGIN_LOCKOUTS = {"axes.accessattempt", "axes.accessfailurelog", "axes.accesslog"}
PERSONNEL_NO_ACCESS = {
    "members.user",
    "auth.group",
    "axes.accessfailurelog",
    "axes.accesslog",
    # Personal information: the requests, the incident register and the exports' log are the Direction's.
    "pole.privacyrequest",
    "pole.confidentialityincident",
    "pole.personaldataaccess",
}
# Invitations are a log: they are sent from the contacts list, never added or edited; so are
# the login attempts, which staff may only delete (to unlock an account).
DIRECTION_VIEW_ONLY = {
    "auth.group",
    "members.invitation",
    "members.invoice",
    "members.duesnotice",
    "pole.outboxmessage",
    "pole.personaldataaccess",  # a log, written by the exports
    *LOGIN_LOCKOUTS,
}


def admin_url(label, view, *args):
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


def model_of(label):
    return next(model for model in admin.site._registry if model._meta.label_lower == label)


# One row of each registered model, with the related rows its changelist shows.
# ``i`` makes each row distinct.


def _activity(i):
    activity = ActivityFactory(
        start_date=datetime.date(2016, 4, 1) + datetime.timedelta(days=i * 17),
        objectives=ObjectiveFactory.create_batch(2),
        partners=[OrganisationFactory()],
    )
    MeasureFactory.create_batch(2, activity=activity)
    return activity


def _campaign(i):
    campaign = CampaignFactory(official_partner=OrganisationFactory())
    CampaignMetricFactory.create_batch(2, campaign=campaign)
    return campaign


def _objective(i):
    objective = ObjectiveFactory()
    ActivityFactory.create_batch(2, objectives=[objective])
    return objective


def _project(i):
    project = ProjectFactory(last_fiscal_year=FiscalYear(2017))
    project.partners.set(OrganisationFactory.create_batch(2))
    return project


def _group(i):
    group = Group.objects.create(name=f"Groupe {i}")
    group.permissions.set(Permission.objects.all()[:3])
    return group


def _member(i):
    member = MemberFactory(fiscal_years=[2015, 2016])
    ContactFactory.create_batch(2, member=member)
    return member


def _sector(i):
    sector = SectorFactory()
    MemberFactory.create_batch(2, sector=sector)
    return sector


def _territory(i):
    territory = TerritoryFactory()
    MemberFactory(territory=territory)
    return territory


def _user(i):
    user = UserFactory(groups=["Personnel"])
    ContactFactory(user=user)
    return user


def _organisation(i):
    organisation = OrganisationFactory(member=MemberFactory())
    PartnershipFactory(organisation=organisation, fiscal_year=FiscalYear(2015))
    PartnershipFactory(organisation=organisation, fiscal_year=FiscalYear(2016))
    return organisation


def _annual_report(i):
    report = AnnualReportFactory()
    SignatoryFactory(message=ReportMessageFactory(report=report))
    SectionIntroFactory(report=report)
    DeclaredFigureFactory(report=report)
    return report


def _report_message(i):
    message = ReportMessageFactory()
    SignatoryFactory.create_batch(2, message=message)
    return message


def _invoice(i):
    DuesRate.objects.get_or_create(fiscal_year=FiscalYear(2017), category="regular", defaults={"amount": 160})
    invoice = issue_invoice(member=MemberFactory(), fiscal_year=FiscalYear(2017))
    record_payment(invoice=invoice, paid_on=datetime.date(2017, 5, 1), amount=Decimal("10.00"))
    return invoice


def _login_attempt(model, i, **fields):
    return model.objects.create(
        username=f"personne{i}@exemple.org",
        ip_address=f"192.0.2.{i + 1}",
        user_agent="Mozilla/5.0",
        http_accept="text/html",
        path_info="/connexion/",
        **fields,
    )


BUILDERS = {
    "axes.accessattempt": lambda i: _login_attempt(
        AccessAttempt, i, get_data="", post_data="username=…", failures_since_start=5
    ),
    "axes.accessfailurelog": lambda i: _login_attempt(AccessFailureLog, i, locked_out=True),
    "axes.accesslog": lambda i: _login_attempt(AccessLog, i),
    "activities.activity": _activity,
    "activities.campaign": _campaign,
    "activities.measure": lambda i: MeasureFactory(),
    "activities.objective": _objective,
    "activities.project": _project,
    "activities.registration": lambda i: RegistrationFactory(member=MemberFactory()),
    "auth.group": _group,
    "members.boardmandate": lambda i: BoardMandateFactory(),
    "members.duesrate": lambda i: DuesRate.objects.create(fiscal_year=FiscalYear(2000 + i), amount=150),
    "members.renewalcampaign": lambda i: RenewalCampaign.objects.create(fiscal_year=FiscalYear(2000 + i)),
    "members.invoice": _invoice,
    "members.payment": lambda i: _invoice(i).payments.get(),
    "members.duesnotice": lambda i: DuesNotice.objects.create(
        member=MemberFactory(), fiscal_year=FiscalYear(2017), kind="invitation", sent_on=datetime.date(2017, 4, 3)
    ),
    "members.contact": lambda i: ContactFactory(user=UserFactory()),
    "members.invitation": lambda i: InvitationFactory(sent_by=UserFactory()),
    "members.member": _member,
    "members.membership": lambda i: MembershipFactory(),
    "members.sector": _sector,
    "members.staffmember": lambda i: StaffMemberFactory(),
    "members.territory": _territory,
    "members.user": _user,
    "partners.affiliation": lambda i: AffiliationFactory(),
    "partners.committeeseat": lambda i: CommitteeSeatFactory(),
    "partners.organisation": _organisation,
    "partners.partnership": lambda i: PartnershipFactory(),
    "reports.annualreport": _annual_report,
    "reports.declaredfigure": lambda i: DeclaredFigureFactory(figure=Figure.MEMBERS),
    "reports.reportmessage": _report_message,
    "reports.sectionintro": lambda i: SectionIntroFactory(),
    "pole.networkidentity": lambda i: NetworkIdentity.objects.create(name=f"Réseau {i}", short_name=f"R{i}"),
    "pole.consentrecord": lambda i: ConsentRecord.objects.create(
        email=f"p{i}@exemple.org", purpose="news", wording="J’accepte…", given_how="portal"
    ),
    "pole.unsubscription": lambda i: Unsubscription.objects.create(email=f"p{i}@exemple.org", kind="dues"),
    "pole.privacyrequest": lambda i: PrivacyRequest.objects.create(kind="access", name="Marie", email=f"p{i}@exemple.org"),
    "pole.confidentialityincident": lambda i: ConfidentialityIncident.objects.create(
        title=f"Courriel mal adressé {i}", information="Noms", circumstances="Erreur", known_on=datetime.date(2024, 5, 1)
    ),
    "pole.personaldataaccess": lambda i: PersonalDataAccess.objects.create(what=f"Export {i}"),
    "pole.outboxmessage": lambda i: OutboxMessage.objects.create(
        sender="Pôle <no-reply@exemple.org>",
        recipients=f"p{i}@exemple.org",
        subject=f"Message {i}",
        body="Bonjour",
        message_id=f"<{i}@exemple.org>",
    ),
}


def test_every_registered_model_has_a_row_builder():
    assert sorted(BUILDERS) == REGISTERED


# Access by role


@pytest.mark.parametrize("label", REGISTERED)
def test_personnel_changelist(personnel_client, label):
    BUILDERS[label](0)
    response = personnel_client.get(admin_url(label, "changelist"))
    assert response.status_code == (403 if label in PERSONNEL_NO_ACCESS else 200)


@pytest.mark.parametrize("label", REGISTERED)
def test_personnel_add_page(personnel_client, label):
    response = personnel_client.get(admin_url(label, "add"))
    allowed = label not in PERSONNEL_VIEW_ONLY | PERSONNEL_NO_ACCESS
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("label", REGISTERED)
def test_personnel_change_page(personnel_client, label):
    row = BUILDERS[label](0)
    response = personnel_client.get(admin_url(label, "change", row.pk))
    assert response.status_code == (403 if label in PERSONNEL_NO_ACCESS else 200)
    if label in PERSONNEL_VIEW_ONLY:
        assert response.context["has_change_permission"] is False


@pytest.mark.parametrize("label", REGISTERED)
def test_direction_changelist_and_add_page(direction_client, label):
    assert direction_client.get(admin_url(label, "changelist")).status_code == 200
    response = direction_client.get(admin_url(label, "add"))
    assert response.status_code == (403 if label in DIRECTION_VIEW_ONLY else 200)


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(admin_url("members.member", "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_member_representative_has_no_admin_access(client):
    contact = ContactFactory(user=UserFactory(is_staff=False))
    client.force_login(contact.user)
    response = client.get(admin_url("members.member", "changelist"))
    assert response.status_code == 302


# Query counts: a changelist's queries must not grow with its rows.


@pytest.mark.parametrize("label", REGISTERED)
def test_changelist_queries_do_not_grow_with_the_rows(direction_client, django_assert_num_queries, label):
    build = BUILDERS[label]
    url = admin_url(label, "changelist")
    build(0)
    assert direction_client.get(url).status_code == 200  # warm the caches
    with CaptureQueriesContext(connection) as one_row:
        direction_client.get(url)
    for i in range(1, 20):
        build(i)
    get_identity()  # saving the network's identity (its builder) clears its cache: read it again
    assert model_of(label)._default_manager.count() >= 20
    with django_assert_num_queries(len(one_row.captured_queries)):
        response = direction_client.get(url)
    assert len(response.context["cl"].result_list) >= 20


# Fiscal-year list filters (?exercice=2016-2017)


def result_list(response):
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_activity_filter_keeps_activities_starting_in_the_year(personnel_client):
    first_day = ActivityFactory(start_date=datetime.date(2016, 4, 1), title="Premier jour")
    last_day = ActivityFactory(start_date=datetime.date(2017, 3, 31), title="Dernier jour")
    ActivityFactory(start_date=datetime.date(2017, 4, 1), title="Année suivante")
    ActivityFactory(start_date=datetime.date(2016, 3, 31), title="Année précédente")
    response = personnel_client.get(admin_url("activities.activity", "changelist"), {"exercice": "2016-2017"})
    assert result_list(response) == [last_day, first_day]  # newest first


def test_activity_on_1_april_is_listed_in_the_next_year(personnel_client):
    ActivityFactory(start_date=datetime.date(2017, 3, 31))
    next_year = ActivityFactory(start_date=datetime.date(2017, 4, 1))
    response = personnel_client.get(admin_url("activities.activity", "changelist"), {"exercice": "2017-2018"})
    assert result_list(response) == [next_year]


def test_activity_filter_offers_the_years_holding_activities(personnel_client):
    ActivityFactory(start_date=datetime.date(2015, 6, 1))
    ActivityFactory(start_date=datetime.date(2017, 3, 31))
    response = personnel_client.get(admin_url("activities.activity", "changelist"))
    year_filter = next(f for f in response.context["cl"].filter_specs if f.parameter_name == "exercice")
    assert [label for value, label in year_filter.lookup_choices] == ["2016-2017", "2015-2016"]


def test_member_filter_keeps_members_of_the_year_once(personnel_client):
    both = MemberFactory(name="A", fiscal_years=[2015, 2016])
    this_year = MemberFactory(name="B", fiscal_years=[2016])
    MemberFactory(name="C", fiscal_years=[2015])
    MemberFactory(name="D")
    response = personnel_client.get(admin_url("members.member", "changelist"), {"exercice": "2016-2017"})
    assert result_list(response) == [both, this_year]


def test_member_list_shows_the_last_membership(personnel_client):
    MemberFactory(name="A", fiscal_years=[2015, 2016])
    response = personnel_client.get(admin_url("members.member", "changelist"))
    assert b"2016-2017" in response.content
    (member,) = result_list(response)
    assert admin.site._registry[type(member)].last_membership(member) == "2016-2017"


def test_member_filtered_on_an_earlier_year_still_shows_its_last_membership(personnel_client):
    MemberFactory(name="A", fiscal_years=[2015, 2016])
    response = personnel_client.get(admin_url("members.member", "changelist"), {"exercice": "2015-2016"})
    (member,) = result_list(response)
    assert admin.site._registry[type(member)].last_membership(member) == "2016-2017"


def test_partnership_filter_keeps_the_year(personnel_client):
    kept = PartnershipFactory(fiscal_year=FiscalYear(2016))
    PartnershipFactory(fiscal_year=FiscalYear(2017))
    PartnershipFactory(fiscal_year=FiscalYear(2015))
    response = personnel_client.get(admin_url("partners.partnership", "changelist"), {"exercice": "2016-2017"})
    assert result_list(response) == [kept]


def test_board_filter_keeps_mandates_overlapping_the_year(personnel_client):
    current = BoardMandateFactory(start_date=datetime.date(2015, 6, 1), end_date=datetime.date(2016, 6, 1))
    BoardMandateFactory(start_date=datetime.date(2013, 6, 1), end_date=datetime.date(2016, 3, 31))
    response = personnel_client.get(admin_url("members.boardmandate", "changelist"), {"exercice": "2016-2017"})
    assert result_list(response) == [current]


def test_unreadable_fiscal_year_filters_nothing_out(personnel_client):
    rows = [PartnershipFactory(fiscal_year=FiscalYear(2016)), PartnershipFactory(fiscal_year=FiscalYear(2015))]
    response = personnel_client.get(admin_url("partners.partnership", "changelist"), {"exercice": "abc"})
    assert sorted(p.pk for p in result_list(response)) == sorted(p.pk for p in rows)


# Saving through the admin


def test_personnel_adds_an_activity_with_its_measures(personnel_client):
    objective = ObjectiveFactory()
    response = personnel_client.post(
        admin_url("activities.activity", "add"),
        {
            "start_date": "2016-04-05",
            "title": "Rencontre-conférence pour les acheteurs institutionnels",
            "role": Activity.Role.REALISATION,
            "objectives": [objective.pk],
            "participants": "35",
            # As the browser sends them: the prices' defaults (the activity opens no registration).
            "member_price": "0",
            "non_member_price": "0",
            "measures-TOTAL_FORMS": "1",
            "measures-INITIAL_FORMS": "0",
            "measures-0-label": "acheteurs institutionnels",
            "measures-0-value": "23",
            "measures-0-order": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    activity = Activity.objects.get()
    assert (activity.start_date, activity.participants) == (datetime.date(2016, 4, 5), 35)
    assert list(activity.objectives.all()) == [objective]
    assert [(m.label, m.value) for m in activity.measures.all()] == [("acheteurs institutionnels", 23)]


def test_personnel_adds_a_membership(personnel_client):
    member = MemberFactory()
    response = personnel_client.post(
        admin_url("members.membership", "add"),
        {"member": member.pk, "fiscal_year": "2016-2017", "dues": "150.00", "paid_on": ""},
    )
    assert response.status_code == 302
    assert Membership.objects.get().fiscal_year == FiscalYear(2016)


def test_personnel_cannot_save_an_annual_report(personnel_client):
    response = personnel_client.post(admin_url("reports.annualreport", "add"), {"fiscal_year": "2016-2017"})
    assert response.status_code == 403
    assert not AnnualReport.objects.exists()
