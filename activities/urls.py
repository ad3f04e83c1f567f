from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("activites/", views.calendar, name="calendar"),
    path("activites/calendrier.ics", views.calendar_feed, name="feed"),
    path("activites/<int:pk>/", views.event_detail, name="detail"),
    path("activites/<int:pk>/inscrit/", views.registered, name="registered"),
    path("activites/<int:pk>/activite.ics", views.event_ics, name="ics"),
    path("activites/annulation/<str:token>/", views.cancel_registration, name="cancel"),
    path("activites/confirmation/<str:token>/", views.confirm_registration, name="confirm"),
    path("activites/<int:pk>/accueil/", views.door, name="door"),
    path("activites/<int:pk>/accueil/<int:registration_pk>/presence/", views.mark_present, name="mark-present"),
    path("activites/<int:pk>/accueil/ajout/", views.walk_in, name="walk-in"),
    path("activites/<int:pk>/presences.pdf", views.attendance_sheet, name="attendance-sheet"),
    path("activites/<int:pk>/inscriptions.csv", views.export_registrants, {"file_format": "csv"}, name="export-csv"),
    path("activites/<int:pk>/inscriptions.xlsx", views.export_registrants, {"file_format": "xlsx"}, name="export-xlsx"),
    path("activites/<int:pk>/courriel/", views.email_registrants, name="email"),
    path("membre/inscriptions/", views.PortalRegistrationsView.as_view(), name="portal-registrations"),
    path(
        "membre/inscriptions/<int:pk>/annuler/",
        views.PortalCancelRegistrationView.as_view(),
        name="portal-cancel",
    ),
]
