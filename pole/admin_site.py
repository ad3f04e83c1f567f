"""The project's admin site: Django's, with the staff dashboard on its index page."""

from django.contrib import admin

from reports.dashboard import staff_dashboard


class PoleAdminSite(admin.AdminSite):
    site_header = "Pôle"
    site_title = "Pôle"

    def index(self, request, extra_context=None):
        # The index view already requires an active staff user.
        extra_context = {"dashboard": staff_dashboard(user=request.user), **(extra_context or {})}
        return super().index(request, extra_context)
