from django.urls import path, re_path

from . import views
from .billing import views as billing_views

app_name = "members"

urlpatterns = [
    path("membre/", views.PortalView.as_view(), name="portal"),
    path("membre/profil/", views.ProfileUpdateView.as_view(), name="profile"),
    path("membre/contacts/", views.ContactListView.as_view(), name="contacts"),
    re_path(r"^membre/mes-donnees\.(?P<file_format>json|html)$", views.MyDataView.as_view(), name="my-data"),
    path("membre/contacts/ajouter/", views.ContactCreateView.as_view(), name="contact-add"),
    path("membre/contacts/<int:pk>/", views.ContactUpdateView.as_view(), name="contact-edit"),
    path("membre/contacts/<int:pk>/supprimer/", views.ContactDeleteView.as_view(), name="contact-delete"),
    path("membre/renouveler/<str:year>/", billing_views.RenewView.as_view(), name="renew"),
    path("membre/factures/", billing_views.InvoiceListView.as_view(), name="invoices"),
    path("membre/factures/<int:pk>/pdf/", billing_views.InvoicePdfView.as_view(), name="invoice-pdf"),
    path("membre/recus/<int:pk>/", billing_views.ReceiptPdfView.as_view(), name="receipt-pdf"),
    path("membres/", views.directory, name="directory"),
    path("membres/<int:pk>/", views.DirectoryDetailView.as_view(), name="directory-detail"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept-invitation"),
]
