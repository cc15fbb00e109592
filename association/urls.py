from django.contrib import admin
from django.urls import include, path

from association.health import health

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("cases/", include("cases.urls")),
    path("", include("members.urls")),
]

# Error pages in the site's layout (association/errors.py).
handler400 = "association.errors.bad_request"
handler403 = "association.errors.permission_denied"
handler404 = "association.errors.page_not_found"
handler500 = "association.errors.server_error"
