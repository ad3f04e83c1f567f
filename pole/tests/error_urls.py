"""The project's URLs plus a view that fails, for the 500 page's tests."""

from django.db import DatabaseError
from django.urls import path

from pole.urls import handler500
from pole.urls import urlpatterns as project_urlpatterns

__all__ = ["handler500", "urlpatterns"]


def broken(request):
    raise DatabaseError("the database is gone")


urlpatterns = [path("panne/", broken), *project_urlpatterns]
