from django.contrib import admin
from django.urls import include, path

from association.health import health
from members import account_views as accounts

# Signing in (docs/decisions/0009, 0010): these come before django.contrib.auth's URLs
# so that the two-step, locked-out and throttled views answer to the usual names.
two_factor_urls = (
    [
        path("setup/", accounts.SetupView.as_view(), name="setup"),
        path("qrcode/", accounts.QRGeneratorView.as_view(), name="qr"),
        path("setup/complete/", accounts.SetupCompleteView.as_view(), name="setup_complete"),
        path("backup-codes/", accounts.BackupTokensView.as_view(), name="backup_tokens"),
    ],
    "two_factor",
)
account_urls = [
    path("login/", accounts.SignInView.as_view(), name="login"),
    path("logout/", accounts.SignOutView.as_view(), name="logout"),
    path("password_reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password_change/", accounts.PasswordChangeView.as_view(), name="password_change"),
    path("security/", accounts.security, name="account_security"),
    path("security/sessions/end/", accounts.session_end, name="session_end"),
    path("security/language/", accounts.language_change, name="language_change"),
    path("second-factor/reset/", accounts.second_factor_reset, name="second_factor_reset"),
    path("two-factor/", include(two_factor_urls)),
]

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("accounts/", include(account_urls)),
    path("accounts/", include("django.contrib.auth.urls")),
    # Django's set_language (POST, CSRF): the switcher for visitors who are not signed in.
    path("i18n/", include("django.conf.urls.i18n")),
    path("cases/", include("cases.urls")),
    path("decisions/", include("cases.urls_public")),
    path("", include("members.urls")),
]

# Error pages in the site's layout (association/errors.py).
handler400 = "association.errors.bad_request"
handler403 = "association.errors.permission_denied"
handler404 = "association.errors.page_not_found"
handler500 = "association.errors.server_error"
