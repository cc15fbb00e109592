from django.urls import path

from members import views

urlpatterns = [
    path("", views.home, name="home"),
    path("register/", views.register, name="register"),
    path("register/export.csv", views.register_export, name="register_export"),
    path("register/dues.csv", views.dues_export, name="dues_export"),
    path("register/<slug:slug>/", views.organization_detail, name="organization_detail"),
    path("register/<slug:slug>/history/", views.organization_history, name="organization_history"),
    path(
        "register/<slug:slug>/representatives/history/",
        views.organization_representative_changes,
        name="organization_representative_changes",
    ),
    path(
        "register/<slug:slug>/status/",
        views.organization_change_status,
        name="organization_change_status",
    ),
    path(
        "register/<slug:slug>/language/",
        views.organization_language,
        name="organization_language",
    ),
    path(
        "register/<slug:slug>/dues/<int:invoice_id>/pay/",
        views.dues_record_payment,
        name="dues_record_payment",
    ),
    path(
        "register/<slug:slug>/representatives/add/",
        views.representative_add,
        name="representative_add",
    ),
    path(
        "register/<slug:slug>/representatives/<int:representative_id>/remove/",
        views.representative_remove,
        name="representative_remove",
    ),
    path(
        "register/<slug:slug>/representatives/<int:representative_id>/primary/",
        views.representative_make_primary,
        name="representative_make_primary",
    ),
    path(
        "register/<slug:slug>/representatives/<int:representative_id>/send-link/",
        views.representative_send_link,
        name="representative_send_link",
    ),
    path("membership/", views.portal, name="portal"),
    path("members/", views.public_directory, name="public_directory"),
    path("verify/", views.public_verify_search, name="public_verify_search"),
    path("verify/<slug:slug>/", views.public_verify, name="public_verify"),
]
