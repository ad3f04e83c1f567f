from contextlib import contextmanager

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import UniqueConstraint

from members.roles import DIRECTION, PERSONNEL


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Keep uploaded and generated files of each test out of the project's media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Hash test passwords cheaply; the real hasher's cost buys nothing in tests."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def personnel_user(db):
    """A staff user in the Personnel group created by the role-groups data migration."""
    from members.tests.factories import UserFactory

    return UserFactory(email="personnel@exemple.org", is_staff=True, groups=[PERSONNEL])


@pytest.fixture
def direction_user(db):
    """A staff user in the Direction group created by the role-groups data migration."""
    from members.tests.factories import UserFactory

    return UserFactory(email="direction@exemple.org", is_staff=True, groups=[DIRECTION])


@pytest.fixture
def personnel_client(client, personnel_user):
    client.force_login(personnel_user)
    return client


@pytest.fixture
def direction_client(client, direction_user):
    client.force_login(direction_user)
    return client


@pytest.fixture
def violates(db):
    """Assert that the block breaks the database constraint ``name`` of ``model``.

    PostgreSQL and SQLite name a violated constraint in the error, except SQLite for
    a unique constraint on plain fields, where it lists the table's columns instead.
    """

    @contextmanager
    def check(model, name):
        constraint = next(c for c in model._meta.constraints if c.name == name)
        with pytest.raises(IntegrityError) as caught:
            with transaction.atomic():
                yield
        message = str(caught.value)
        if name in message:
            return
        assert connection.vendor == "sqlite", message
        assert isinstance(constraint, UniqueConstraint) and constraint.fields, message
        columns = ", ".join(f"{model._meta.db_table}.{model._meta.get_field(f).column}" for f in constraint.fields)
        assert f"UNIQUE constraint failed: {columns}" in message

    return check
