from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from activities.registrations import release_expired_holds


class Command(BaseCommand):
    help = (
        "Give the seats held for registrations not confirmed in time to the people waiting "
        "(every few minutes: Celery beat, or cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url", default=settings.POLE_SITE_URL, help="The site's address for the links (POLE_SITE_URL)."
        )

    def handle(self, *args, base_url, **options):
        released = release_expired_holds(site_url=base_url.rstrip("/"))
        self.stdout.write(
            ngettext("%(count)d held seat released.", "%(count)d held seats released.", released) % {"count": released}
        )
