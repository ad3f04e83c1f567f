"""Erase, on request, everything about a person that no law asks to keep (pole/privacy.py).

    manage.py erase_person marie@exemple.org

Registrations and contacts are anonymised (their rows and every count stay), e-mails and login
records deleted, consents withdrawn. Invoices keep their organisation's billing details (tax
law); the request itself stays in the register. Irreversible.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from pole.privacy import erase_person


class Command(BaseCommand):
    help = "Anonymise everything the app holds about the person with this e-mail (irreversible)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"{email!r} is not an e-mail address.") from None
        with transaction.atomic():
            counts = erase_person(email, now=timezone.now())
        for key, count in counts.items():
            self.stdout.write(f"{key}: {count}")
