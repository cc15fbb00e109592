"""The public decisions page (no sign-in): /decisions/."""

from django.urls import path

from cases import views_publication

urlpatterns = [path("", views_publication.decisions, name="public_decisions")]
