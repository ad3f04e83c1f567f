"""Phone numbers: read in any usual form, stored the North American way; an old unreadable one harms nothing."""

import pytest
from django.core.exceptions import ValidationError

from members.models import Contact, Member
from members.tests.factories import ContactFactory, MemberFactory
from pole.phones import normalize_phone


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("4185550134", "418 555-0134"),
        ("(418) 555-0134", "418 555-0134"),
        ("418.555.0134 poste 12", "418 555-0134, poste 12"),
        ("+1 418 555 0134 ext 3", "418 555-0134, poste 3"),
        ("418-555-0134 #204", "418 555-0134, poste 204"),
        ("418 555 0134 x 7", "418 555-0134, poste 7"),
        ("418 555-0134 p. 22", "418 555-0134, poste 22"),
        ("1-800-555-0134", "1 800 555-0134"),
        ("+33 1 42 68 53 00", "+33 1 42 68 53 00"),
        ("418 555-0134, poste 12", "418 555-0134, poste 12"),
    ],
)
def test_usual_forms_are_written_the_north_american_way(typed, stored):
    assert normalize_phone(typed) == stored
    assert normalize_phone(stored) == stored  # normalising twice changes nothing


@pytest.mark.parametrize("typed", ["555-0134", "abc", "12", "418 555-01345"])
def test_what_is_no_phone_number_is_refused(typed):
    with pytest.raises(ValueError):
        normalize_phone(typed)


@pytest.mark.django_db
def test_full_clean_stores_the_normalised_number_and_refuses_a_bad_one_in_french():
    member = MemberFactory.build(phone="(418) 555.0134", territory=None, sector=None)
    member.full_clean()
    assert member.phone == "418 555-0134"
    member.phone = "12"
    with pytest.raises(ValidationError) as caught:
        member.full_clean()
    assert caught.value.message_dict["phone"] == [
        "«\u00a012\u00a0» n’est pas un numéro de téléphone comme 418 555-0134 (un poste peut suivre\u00a0: «\u00a0poste 12\u00a0»)."
    ]


@pytest.mark.django_db
def test_an_unreadable_number_stored_earlier_does_not_break_saves_lookups_or_deletes():
    """Migration 0006 leaves numbers it cannot read for a person to fix; nothing else may fail on them."""
    member = MemberFactory()
    contact = ContactFactory(member=member)
    Member.objects.filter(pk=member.pk).update(phone="poste 12 ou 13")
    Contact.objects.filter(pk=contact.pk).update(phone="12")
    member.refresh_from_db()
    member.description = "Modifiée"
    member.save()
    assert Member.objects.filter(phone="poste 12 ou 13").get() == member
    Contact.objects.get(pk=contact.pk).delete()
    member.delete()
    assert not Member.objects.exists()
