"""The public calendar of events, registration, cancellation, the door, and the staff's tools.

Who may see what:
- the calendar, an event's page, its .ics and the feed (``/activites/…``): public; only
  activities that open registration (``registration_open``) are shown, others are 404;
- the registration form: public (a logged-in representative registers for their member);
  a honeypot field and a limit of registrations per client address per hour keep robots out;
- the confirmation and cancellation links: public; their random token is the credential;
- the door page, the walk-in form, the attendance sheet, the export and the e-mail to
  registrants: staff holding ``activities.change_registration`` (Personnel, Direction);
  anonymous visitors go to the login page, others get 403;
- the organisation's registrations (``/membre/inscriptions/``): a representative, their own
  organisation only (members.access.RepresentativeRequiredMixin).
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView, View

from activities.attendance import activity_attendance, member_attendance
from members.access import RepresentativeRequiredMixin, representative_contact
from pole import page_cache
from pole.client_address import client_ip_address
from pole.collation import french_order
from pole.fiscal_years import FiscalYear
from pole.identity import get_identity
from pole.models import ConsentRecord, OutboxMessage
from pole.page_cache import public_page
from pole.privacy import record_consent, record_export
from pole.spreadsheets.writers import spreadsheet_response
from pole.text import fold, normalize_email_identifier

from . import registrations
from .calendar import activity_calendar
from .forms import HONEYPOT_FIELD, CalendarFilterForm, RegistrantEmailForm, RegistrationForm, WalkInForm
from .models import Activity, Registration, holds_a_seat
from .resources import RegistrationResource
from .selectors import calendar_activities, public_events

STAFF_PERMISSION = "activities.change_registration"


def site_url(request):
    return f"{request.scheme}://{request.get_host()}"


def staff_required(view):
    """Staff holding ``activities.change_registration``; anonymous visitors go to the login page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (request.user.is_active and request.user.is_staff and request.user.has_perm(STAFF_PERMISSION)):
            raise PermissionDenied(_("This page is for the network's staff."))
        return view(request, *args, **kwargs)

    return wrapper


@public_page
def calendar(request):
    """Public: the events calendar, filtered by objective and territory."""
    upcoming, past, fiscal_year = calendar_activities()
    form = CalendarFilterForm(request.GET or None)
    if form.is_valid():
        for name, lookup in (("objective", "objectives"), ("territory", "territory")):
            value = form.cleaned_data[name]
            if value is not None:
                upcoming = upcoming.filter(**{lookup: value})
                past = past.filter(**{lookup: value})
    return render(
        request,
        "activities/calendar.html",
        {"form": form, "upcoming": list(upcoming), "past": list(past), "fiscal_year": fiscal_year},
    )


def calendar_feed(request):
    """Public: the calendar as an iCalendar feed (upcoming events and this fiscal year's)."""
    upcoming, past, _fiscal_year = calendar_activities()
    events = [*upcoming, *past]
    content = activity_calendar(events, site_url=site_url(request), name=get_identity().short_name)
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="calendrier.ics"'
    return response


def _seats(activity):
    """Seats confirmed, waiting and free; a seat held for a registration to confirm is not free. One query.

    ``hold_ends``: when the first seat held now is released (the free count changes then).
    """
    now = timezone.now()
    counts = Registration.objects.filter(activity=activity).aggregate(
        confirmed=registrations_count(Registration.Status.CONFIRMED),
        waiting=registrations_count(Registration.Status.WAITING),
        taken=Count("pk", filter=holds_a_seat(now)),
        hold_ends=Min("seat_held_until", filter=Q(status=Registration.Status.PENDING, seat_held_until__gt=now)),
    )
    free = None if activity.capacity is None else max(activity.capacity - counts.pop("taken"), 0)
    return {**counts, "free": free}


def registrations_count(status):
    return Count("pk", filter=Q(status=status))


def _registrations_of(request, activity, contact):
    """The logged-in person's active registrations to ``activity``: their own, then their organisation's others.

    One query (two when one of theirs waits: its place in the list).
    """
    if not request.user.is_authenticated:
        return [], []
    rows = list(
        Registration.objects.active()
        .managed_by(user=request.user, contact=contact)
        .filter(activity=activity)
        .select_related("activity", "member")
        .order_by("created_at", "pk")
    )
    emails = {normalize_email_identifier(request.user.email), normalize_email_identifier(getattr(contact, "email", ""))}
    own = [r for r in rows if r.user_id == request.user.pk or (r.email and r.email in emails)]
    others = [r for r in rows if r not in own]
    for registration in own:
        registration.waiting_position = None
        if registration.status == Registration.Status.WAITING:
            registration.waiting_position = registrations.waiting_position(registration)
    return own, others


@public_page
def event_detail(request, pk):
    """Public: an event's page and its registration form.

    A logged-in person already registered sees their registration (confirmed, or their place
    on the waiting list) with a way to cancel it, and their organisation's other registrations;
    the form then registers someone else.
    """
    activity = get_object_or_404(public_events(), pk=pk)
    contact = representative_contact(request.user)
    member = contact.member if contact is not None else None
    closed = activity.registration_closed_reason()
    # The form closes at the deadline: a cached page must not outlive it.
    if activity.registration_deadline and activity.registration_deadline > timezone.now():
        page_cache.expires(request, activity.registration_deadline)
    seats = _seats(activity)
    # A seat held for a registration to confirm is free again at the hold's end: so is the page.
    page_cache.expires(request, seats["hold_ends"])
    own, colleagues = _registrations_of(request, activity, contact)
    initial = {}
    if contact is not None and not own:
        initial = {"name": str(contact), "email": contact.email or request.user.email, "phone": contact.phone}
    form = RegistrationForm(request.POST or None, activity=activity, member=member, initial=initial)
    status = 200
    if request.method == "POST":
        address = client_ip_address(request)
        if closed:
            messages.error(request, closed)
            status = 400
        elif request.POST.get(HONEYPOT_FIELD):
            form.add_error(None, _("Your registration could not be recorded. Leave the last, hidden field empty."))
            status = 400
        elif registrations.too_many_from(address):
            # A shortcut for the obvious case; register() counts again while holding the address.
            form.add_error(None, registrations.too_many_message())
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            person = form.instance  # the model's cleaning normalised the phone number
            try:
                seat = registrations.register(
                    activity=activity,
                    name=person.name,
                    email=data["email"],
                    member=member,
                    organisation=data.get("organisation", ""),
                    phone=person.phone,
                    needs=person.needs,
                    user=request.user,
                    client_address=address,
                    site_url=site_url(request),
                    # A visitor who is not logged in proves the address by its link (README, « Events »).
                    confirm_by_email=not request.user.is_authenticated,
                    news_consent=data.get("news_consent"),
                )
            except registrations.RegistrationError as error:
                form.add_error(error.field if error.field in form.fields else None, str(error))
                status = error.status
            else:
                registration = seat.registration
                # A visitor's consent waits for their address to be confirmed (a stranger's address
                # is never subscribed); a logged-in person's is recorded now.
                if data.get("news_consent") and not seat.to_confirm:
                    _record_news_consent(registration, user=request.user)
                request.session["registered"] = registration.pk
                # The page after tells whether the confirmation has left (pole/outbox.py).
                request.session["registered_email"] = seat.email.pk if seat.email is not None else None
                return redirect("activities:registered", pk=activity.pk)
        else:
            status = 400
    context = {
        "activity": activity,
        "form": form,
        "closed": closed,
        "seats": seats,
        "member": member,
        "own_registrations": own,
        "colleague_registrations": colleagues,
        "is_representative": contact is not None,
        # A members-only activity: only a representative logged in to the portal may register.
        "members_only_login": member is None and not activity.non_members_allowed,
        "hold_minutes": settings.POLE_REGISTRATION_HOLD_MINUTES,
        # The form stays open when it was sent with errors.
        "form_open": request.method == "POST",
    }
    return render(request, "activities/activity_detail.html", context, status=status)


def registered(request, pk):
    """Public: the page after registering (or confirming by the e-mailed link), for the session that just did."""
    activity = get_object_or_404(public_events(), pk=pk)
    registration = Registration.objects.filter(pk=request.session.get("registered"), activity=activity).first()
    if registration is None:
        return redirect("activities:detail", pk=pk)
    position = None
    if registration.status == Registration.Status.WAITING:
        position = registrations.waiting_position(registration)
    email = OutboxMessage.objects.filter(
        pk=request.session.get("registered_email"), recipients=registration.email
    ).first()
    return render(
        request,
        "activities/registered.html",
        {
            "activity": activity,
            "registration": registration,
            "position": position,
            "email": email,
            "hold_minutes": settings.POLE_REGISTRATION_HOLD_MINUTES,
        },
    )


def _record_news_consent(registration, *, user):
    """Record the newsletter consent ticked on the registration form, with the words the person saw."""
    record_consent(
        email=registration.email,
        name=registration.name,
        purpose=ConsentRecord.Purpose.NEWS,
        wording=RegistrationForm.base_fields["news_consent"].label,
        how=ConsentRecord.Channel.REGISTRATION,
        user=user,
    )


def confirm_registration(request, token):
    """Public, with the e-mailed link's token: confirm a registration made without logging in.

    A GET shows a button (mail scanners open links; they do not submit forms); the POST
    confirms, then shows the page after registering.
    """
    registration = get_object_or_404(Registration.objects.select_related("activity"), cancel_token=token)
    activity = registration.activity
    status = 200
    if request.method == "POST" and registration.status == Registration.Status.PENDING:
        try:
            seat = registrations.confirm(registration=registration, site_url=site_url(request))
        except registrations.RegistrationError as error:
            messages.error(request, str(error))
            status = 400
        else:
            if seat.registration.news_consent:
                _record_news_consent(seat.registration, user=request.user)
            request.session["registered"] = seat.registration.pk
            request.session["registered_email"] = seat.email.pk if seat.email is not None else None
            return redirect("activities:registered", pk=activity.pk)
    elif request.method == "POST":
        # Confirmed already (a second click), or cancelled: the page says which.
        return redirect("activities:confirm", token=token)
    return render(
        request,
        "activities/confirm.html",
        {"registration": registration, "activity": activity, "held": registration.seat_is_held()},
        status=status,
    )


def event_ics(request, pk):
    """Public: one event as an .ics file."""
    activity = get_object_or_404(public_events(), pk=pk)
    response = HttpResponse(activity_calendar([activity], site_url=site_url(request)), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="activite-{activity.pk}.ics"'
    return response


def cancel_registration(request, token):
    """Public, with the link's token: confirm, then cancel one's registration."""
    registration = get_object_or_404(Registration.objects.select_related("activity"), cancel_token=token)
    if request.method == "POST" and registration.status != Registration.Status.CANCELLED:
        held_seat = registration.status == Registration.Status.CONFIRMED
        promoted = registrations.cancel(registration=registration, site_url=site_url(request))
        messages.success(
            request, cancellation_message(registration, own=True, held_seat=held_seat, promoted=promoted)
        )
        return redirect("activities:cancel", token=token)
    return render(request, "activities/cancel.html", {"registration": registration, "activity": registration.activity})


# --- Staff -------------------------------------------------------------------------------------


def _staff_activity(pk):
    return get_object_or_404(Activity.objects.select_related("territory"), pk=pk)


@staff_required
def door(request, pk):
    """Staff: the registrants at the door, with a search box, one-tap « Présent » and walk-ins."""
    activity = _staff_activity(pk)
    query = (request.GET.get("q") or "").strip()[:100]
    people = list(
        Registration.objects.filter(activity=activity, status=Registration.Status.CONFIRMED)
        .select_related("member")
        .order_by(french_order("name"), "pk")
    )
    if query:
        folded = fold(query)
        people = [p for p in people if folded in fold(f"{p.name} {p.email} {p.organisation_name}")]
    summary = activity_attendance(activity)
    form = WalkInForm(prefix="walkin")
    return render(
        request,
        "activities/door.html",
        {"activity": activity, "people": people, "query": query, "summary": summary, "walk_in_form": form},
    )


@staff_required
@require_POST
def mark_present(request, pk, registration_pk):
    """Staff: mark a registrant present (or absent again), then back to the list."""
    activity = _staff_activity(pk)
    registration = get_object_or_404(Registration, pk=registration_pk, activity=activity)
    present = request.POST.get("present") == "1"
    try:
        registrations.set_present(registration=registration, present=present)
    except registrations.RegistrationError as error:
        messages.error(request, str(error))
    else:
        text = _("%(name)s is marked present.") if present else _("%(name)s is no longer marked present.")
        messages.success(request, text % {"name": registration.name})
    url = reverse("activities:door", args=[activity.pk])
    query = (request.POST.get("q") or "").strip()
    return redirect(
        f"{url}?q={query}#inscription-{registration.pk}" if query else f"{url}#inscription-{registration.pk}"
    )


@staff_required
def walk_in(request, pk):
    """Staff: add a person who came without registering (present at once)."""
    activity = _staff_activity(pk)
    form = WalkInForm(request.POST or None, prefix="walkin")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                person = registrations.add_walk_in(
                    activity=activity,
                    name=form.instance.name,
                    email=data["email"],
                    member=data["member"],
                    organisation=data["organisation"],
                    phone=form.instance.phone,
                )
            except registrations.RegistrationError as error:
                form.add_error(error.field, str(error))
                status = 400
            else:
                messages.success(request, _("%(name)s was added as present.") % {"name": person.name})
                return redirect("activities:door", pk=activity.pk)
        else:
            status = 400
    return render(request, "activities/walk_in_form.html", {"activity": activity, "walk_in_form": form}, status=status)


def door_sheet_row(registration):
    """What the door sheet prints for one person: their needs, and what they owe or have paid."""
    from members.billing.dues import format_money

    price = registration.price or 0
    if not price:
        payment = _("free")
    elif registration.paid:
        payment = _("paid %(amount)s") % {"amount": format_money(price)}
    else:
        payment = _("owes %(amount)s") % {"amount": format_money(price)}
    return {
        "name": registration.name,
        "organisation": registration.organisation_name,
        "is_member": registration.member_id is not None,
        "needs": registration.needs.strip(),
        "payment": payment,
        "owes": bool(price) and not registration.paid,
    }


@staff_required
def attendance_sheet(request, pk):
    """Staff: the door sheet (PDF): the confirmed registrants by last name, each with their needs,
    what they owe and whether they come for a member; then the waiting list in its order."""
    from pathlib import Path

    from django.contrib.staticfiles import finders

    from pole.collation import surname_sort_key
    from pole.identity import palette_css
    from pole.pdf import render_pdf

    activity = _staff_activity(pk)
    people = list(
        Registration.objects.filter(activity=activity)
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("member", "activity")
        .order_by("created_at", "pk")
    )
    confirmed = sorted(
        (p for p in people if p.status == Registration.Status.CONFIRMED), key=lambda p: surname_sort_key(p.name)
    )
    waiting = [p for p in people if p.status == Registration.Status.WAITING]  # first come, first served
    identity = get_identity()
    html = render_to_string(
        "activities/attendance_sheet.html",
        {
            "activity": activity,
            "network_name": identity.name,
            "palette_css": palette_css(identity),
            "stylesheet": Path(finders.find("members/invoice.css")).read_text(encoding="utf-8"),
            "people": [door_sheet_row(p) for p in confirmed],
            "waiting": [door_sheet_row(p) for p in waiting],
            "needs_count": sum(1 for p in confirmed if p.needs.strip()),
            # Lines for walk-ins: enough to fill the first page, never fewer than five.
            "blank_lines": range(max(5, 12 - len(confirmed) - len(waiting))),
        },
        request=request,
    )
    pdf = render_pdf(html)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="presences-{activity.start_date.isoformat()}.pdf"'
    return response


@staff_required
def export_registrants(request, pk, file_format):
    """Staff: the activity's registrants as CSV or XLSX (django-import-export)."""
    activity = _staff_activity(pk)
    resource = RegistrationResource()
    dataset = resource.export(
        Registration.objects.filter(activity=activity)
        .select_related("activity", "member")
        .order_by("status", french_order("name"), "pk")
    )
    record_export(
        user=request.user,
        what=f"inscriptions ({file_format}) : {activity.title} ({activity.start_date.isoformat()})",
        rows=len(dataset),
    )
    return spreadsheet_response(
        dataset.headers,
        dataset,
        extension=file_format,
        filename=f"inscriptions-{activity.start_date.isoformat()}.{file_format}",
    )


@staff_required
def email_registrants(request, pk):
    """Staff: one e-mail to every confirmed registrant of the activity (the waiting list if asked)."""
    activity = _staff_activity(pk)
    seats = _seats(activity)
    note = ngettext("%(count)d confirmed registrant.", "%(count)d confirmed registrants.", seats["confirmed"]) % {
        "count": seats["confirmed"]
    }
    from django.utils.html import escape

    form = RegistrantEmailForm(request.POST or None, recipients_note=f'<p class="small">{escape(note)}</p>')
    status = 200
    if request.method == "POST":
        if form.is_valid():
            sent = registrations.email_registrants(
                activity=activity,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                include_waiting=form.cleaned_data["include_waiting"],
            )
            if sent:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d e-mail put in the outbox.", "%(count)d e-mails put in the outbox.", sent
                    )
                    % {"count": sent},
                )
            else:
                messages.warning(request, _("No registrant to write to: nothing was sent."))
            return redirect("activities:door", pk=activity.pk)
        status = 400
    return render(request, "activities/email_form.html", {"activity": activity, "form": form}, status=status)


# --- Member portal -----------------------------------------------------------------------------


class PortalRegistrationsView(RepresentativeRequiredMixin, TemplateView):
    """A representative: their organisation's registrations (upcoming and past) and attendance this year."""

    template_name = "activities/portal_registrations.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        # The organisation's registrations and the representative's own (under another organisation, say).
        rows = list(
            Registration.objects.managed_by(user=self.request.user, contact=self.contact)
            .select_related("activity")
            .order_by("-activity__start_date", french_order("name"), "pk")
        )
        for registration in rows:
            registration.cancellable = registration.can_be_cancelled(today)
        fiscal_year = FiscalYear.current()
        context.update(
            upcoming=[r for r in rows if (r.activity.end_date or r.activity.start_date) >= today][::-1],
            past=[r for r in rows if (r.activity.end_date or r.activity.start_date) < today],
            fiscal_year=fiscal_year,
            attendance=member_attendance(self.member, fiscal_year),
        )
        return context


class PortalCancelRegistrationView(RepresentativeRequiredMixin, View):
    """A representative: confirm (GET), then cancel (POST) their own or their organisation's registration.

    Another organisation's registration is a 404. A seat freed goes to the first person
    waiting, who is e-mailed (``registrations.cancel``); a colleague whose registration the
    representative cancels is told by e-mail.
    """

    template_name = "activities/portal_cancel.html"

    def registration(self):
        return get_object_or_404(
            Registration.objects.managed_by(user=self.request.user, contact=self.contact).select_related(
                "activity", "member"
            ),
            pk=self.kwargs["pk"],
        )

    def back_url(self, registration):
        """Where the person came from: the activity's page, or the portal's « Inscriptions » tab."""
        source = self.request.POST.get("depuis") or self.request.GET.get("depuis")
        if source == "activite" and registration.activity.registration_open:
            return reverse("activities:detail", args=[registration.activity_id])
        return reverse("activities:portal-registrations")

    def is_own(self, registration):
        emails = {normalize_email_identifier(self.request.user.email), normalize_email_identifier(self.contact.email)}
        return registration.user_id == self.request.user.pk or (registration.email and registration.email in emails)

    def get(self, request, pk):
        registration = self.registration()
        context = {
            "member": self.member,
            "registration": registration,
            "activity": registration.activity,
            "own": self.is_own(registration),
            "can_cancel": registration.can_be_cancelled(),
            "back_url": self.back_url(registration),
            "source": request.GET.get("depuis", ""),
        }
        return render(request, self.template_name, context)

    def post(self, request, pk):
        registration = self.registration()
        back = self.back_url(registration)
        if not registration.can_be_cancelled():
            messages.error(request, _("This registration can no longer be cancelled."))
            return redirect(back)
        held_seat = registration.status == Registration.Status.CONFIRMED
        promoted = registrations.cancel(registration=registration, site_url=site_url(request))
        own = self.is_own(registration)
        if not own:
            registrations.send_cancellation_notice(
                registration, cancelled_by=str(self.contact), site_url=site_url(request)
            )
        messages.success(request, cancellation_message(registration, own=own, held_seat=held_seat, promoted=promoted))
        return redirect(back)


def cancellation_message(registration, *, own, held_seat, promoted):
    """What a cancellation did and what comes next, in one paragraph for the person who cancelled."""
    activity = registration.activity
    if own:
        done = _("Your registration to « %(title)s » is cancelled.") % {"title": activity.title}
    else:
        done = _("The registration of %(name)s to « %(title)s » is cancelled; %(name)s is told by e-mail.") % {
            "name": registration.name,
            "title": activity.title,
        }
    if promoted is not None:
        seat = _("The seat goes to the first person on the waiting list, who is told by e-mail.")
    elif held_seat:
        seat = _("The seat is free for someone else.")
    else:
        seat = _("The place on the waiting list is given up.")
    parts = [done, seat]
    if activity.registration_closed_reason() is None:
        parts.append(
            _("To come after all, register again on the activity’s page (you join the waiting list if it is full).")
        )
    return " ".join(parts)
