"""Only a superuser grants superuser: the Direction manages accounts, not the keys to everything.

The Direction could tick « superuser » on any account, its own included, and change a
superuser's account (its e-mail, then its password): both are closed to anyone not a superuser.
"""

import pytest
from django import forms
from django.urls import reverse

from members.models import User
from members.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def change_data(client, user):
    """The user's change form as the page fills it."""
    form = client.get(reverse("admin:members_user_change", args=[user.pk])).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or isinstance(field, forms.FileField):
            continue
        if isinstance(field, forms.SplitDateTimeField):
            data[f"{name}_0"], data[f"{name}_1"] = value.date().isoformat(), value.strftime("%H:%M:%S")
            continue
        data[name] = value
    return data


def test_the_direction_cannot_make_itself_superuser(direction_client, direction_user):
    data = {**change_data(direction_client, direction_user), "is_superuser": "on"}

    direction_client.post(reverse("admin:members_user_change", args=[direction_user.pk]), data)

    direction_user.refresh_from_db()
    assert not direction_user.is_superuser
    page = direction_client.get(reverse("admin:members_user_change", args=[direction_user.pk]))
    assert "is_superuser" not in page.context["adminform"].form.fields


def test_the_direction_cannot_change_a_superusers_account(direction_client):
    root = UserFactory(email="racine@exemple.org", is_staff=True, is_superuser=True)

    response = direction_client.post(
        reverse("admin:members_user_change", args=[root.pk]), {"email": "direction@pirate.example", "is_active": "on"}
    )

    assert response.status_code == 403
    root.refresh_from_db()
    assert root.email == "racine@exemple.org"


def test_a_superuser_still_grants_superuser(client, direction_user):
    root = UserFactory(email="racine@exemple.org", is_staff=True, is_superuser=True)
    client.force_login(root)
    data = {**change_data(client, direction_user), "is_superuser": "on"}

    client.post(reverse("admin:members_user_change", args=[direction_user.pk]), data)

    assert User.objects.get(pk=direction_user.pk).is_superuser
