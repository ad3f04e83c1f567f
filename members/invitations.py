"""Invitations to the member portal: send, accept, deactivate.

Staff invite a contact from the admin; the contact receives a one-time link, valid
seven days, to choose the password of an account tied to that contact (and so to
one organisation). Sending a new invitation revokes the contact's earlier ones.

Accepting is the only way a contact gets an account, and the account is a member
representative's: never a staff or superuser account, never another contact's. Each
step checks it again (sending, opening the link, accepting, deactivating), whatever a
form or the database let through: through the contact, the invitation would set that
account's password and « Deactivate portal access » would close it.
"""

import secrets

from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pole import outbox
from pole.identity import from_address, get_identity
from pole.text import normalization_changes_only_case, normalize_email_identifier

from .models import UNUSABLE_ADDRESS, Contact, Invitation, User


class InvitationError(Exception):
    """The contact cannot be invited; the message says why, for staff."""


def is_staff_account(user):
    return user.is_staff or user.is_superuser


def tied_to_another_contact(user, contact):
    """Whether ``user`` is already the account of a contact other than ``contact`` (read afresh)."""
    return user.pk is not None and Contact.objects.filter(user=user).exclude(pk=contact.pk).exists()


def check_invitable(contact):
    if not contact.email:
        raise InvitationError(_("%(contact)s has no e-mail address.") % {"contact": contact})
    if contact.user_id and is_staff_account(contact.user):
        raise InvitationError(
            _("%(contact)s is tied to a staff account, which the member portal never uses.") % {"contact": contact}
        )
    if not normalization_changes_only_case(contact.email):
        raise InvitationError(UNUSABLE_ADDRESS % {"email": contact.email})
    owner = User.objects.filter(email=normalize_email_identifier(contact.email)).select_related("contact").first()
    if owner is None or owner.pk == contact.user_id:
        return
    if is_staff_account(owner) or getattr(owner, "contact", None) is not None:
        raise InvitationError(_("The address %(email)s already belongs to another account.") % {"email": contact.email})


@transaction.atomic
def invite(contact, *, sent_by, base_url):
    """Create an invitation for ``contact``, revoke its earlier ones and e-mail the link.

    ``base_url`` is the site's address (scheme and host), for the link in the e-mail. The
    e-mail is written to the outbox with the invitation (one transaction) and sent after the
    commit; it carries the one-time link, so staff never read it there (``sensitive``).
    """
    check_invitable(contact)
    now = timezone.now()
    contact.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        contact=contact,
        email=normalize_email_identifier(contact.email),
        token_hash=Invitation.hash_token(token),
        sent_by=sent_by,
        expires_at=now + Invitation.VALIDITY,
    )
    identity = get_identity()
    context = {
        "contact": contact,
        "member": contact.member,
        "link": base_url.rstrip("/") + reverse("members:accept-invitation", args=[token]),
        "expires_at": invitation.expires_at,
        "network": identity,
        "network_name": identity.name,
    }
    subject, body = outbox.render_email("members/email/invitation_subject.txt", "members/email/invitation.txt", context)
    outbox.enqueue(
        EmailMessage(subject, body, from_address(identity), to=[invitation.email]),
        kind="members.invitation",
        sensitive=True,
    )
    return invitation


ACCOUNT_NOT_OPENABLE = gettext_lazy(
    "This invitation cannot open the account it is tied to. Ask the network's staff to invite you again."
)


def account_for(invitation):
    """The account the invitation will open: the contact's, or an unlinked one with its address.

    Returns ``(user, problem)``: ``user`` may be unsaved (a new account); ``problem`` is a
    message when that account belongs to staff or to another contact, in which case the
    invitation cannot be accepted.
    """
    contact = invitation.contact
    if contact.user_id:
        user = contact.user
        if is_staff_account(user) or tied_to_another_contact(user, contact):
            return None, ACCOUNT_NOT_OPENABLE
        return user, None
    email = normalize_email_identifier(invitation.email)
    user = User.objects.filter(email=email).select_related("contact").first()
    if user is None:
        if not normalization_changes_only_case(invitation.email):
            return None, UNUSABLE_ADDRESS % {"email": invitation.email}
        return User(email=email, first_name=contact.first_name, last_name=contact.last_name), None
    if is_staff_account(user) or getattr(user, "contact", None) is not None:
        return None, _(
            "The address %(email)s already has an account tied to another organisation. "
            "Ask the network's staff to invite you with another address."
        ) % {"email": invitation.email}
    return user, None


def find_usable(token):
    """The invitation of ``token`` if it can still be accepted, else None."""
    invitation = (
        Invitation.objects.filter(token_hash=Invitation.hash_token(token))
        .select_related("contact__member", "contact__user")
        .first()
    )
    if invitation is None or not invitation.is_usable:
        return None
    return invitation


@transaction.atomic
def accept(invitation, password):
    """Give the invited contact an active account with ``password``; the link is then spent."""
    contact = invitation.contact
    if contact.user_id:
        # Read the contact's account afresh, locked: what it is now decides, not what a page saw.
        contact.user = User.objects.select_for_update().get(pk=contact.user_id)
    user, problem = account_for(invitation)
    if problem:
        raise InvitationError(problem)
    user.first_name = user.first_name or contact.first_name
    user.last_name = user.last_name or contact.last_name
    user.is_active = True
    user.set_password(password)
    user.save()
    if contact.user_id != user.pk:
        contact.user = user
        contact.save(update_fields=["user"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return user


@transaction.atomic
def deactivate(contact):
    """Close the contact's portal access: the account is disabled and pending links revoked.

    Returns whether an account was disabled. A staff or superuser account is never
    disabled from here: InvitationError, and nothing changes.
    """
    if contact.user_id and is_staff_account(contact.user):
        raise InvitationError(
            _("%(contact)s is tied to a staff account, which is never deactivated from the contacts list.")
            % {"contact": contact}
        )
    contact.invitations.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if contact.user_id and contact.user.is_active:
        contact.user.is_active = False
        contact.user.save(update_fields=["is_active"])
        return True
    return False


def close_account_of_deleted_contact(sender, instance, **kwargs):
    """A contact deleted anywhere (admin, portal, with its member) loses its portal access.

    A staff or superuser account tied to it by mistake stays open: closing it would lock
    the staff out.
    """
    if instance.user_id:
        User.objects.filter(pk=instance.user_id, is_staff=False, is_superuser=False).update(is_active=False)
