"""The account pages: the two-step sign-in, setting up the second factor and backup
codes, the security page (second factor, other sessions), staff resetting a lost second
factor, and the throttled password forms. The rules are in members/accounts.py."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms.utils import ErrorDict
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from two_factor import views as two_factor_views

from members import accounts
from members.models import SecondFactorReset
from members.roles import roles_of

CODE_LABEL = gettext_lazy("Code")


class SignInView(two_factor_views.LoginView):
    """Username and password, then the 6-digit code (or a backup code) for users who have
    a second factor. Locked out by django-axes after too many failures."""

    template_name = "registration/login.html"

    def get_form(self, step=None, **kwargs):
        form = super().get_form(step=step, **kwargs)
        if "otp_token" in form.fields:
            form.fields["otp_token"].label = CODE_LABEL
        return form

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form, **kwargs)
        # Sent here from a page that needs signing in: say so (the page is not named).
        context["sent_from_a_page"] = bool(self.request.GET.get(self.redirect_field_name))
        return context


class SignOutView(auth_views.LogoutView):
    """Django's log-out (POST only), and the login page it leads to says it happened."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You are logged out. Log in again below, or close this window."))
        return response


class SetupView(two_factor_views.SetupView):
    template_name = "accounts/setup.html"

    def get_form(self, step=None, **kwargs):
        form = super().get_form(step=step, **kwargs)
        if "token" in form.fields:
            form.fields["token"].label = CODE_LABEL
        return form


class SetupCompleteView(two_factor_views.SetupCompleteView):
    template_name = "accounts/setup_complete.html"


class BackupTokensView(two_factor_views.BackupTokensView):
    template_name = "accounts/backup_tokens.html"


QRGeneratorView = two_factor_views.QRGeneratorView


# ---------------------------------------------------------------------------
# The security page: second factor and sessions
# ---------------------------------------------------------------------------


@login_required
def security(request):
    user = request.user
    current = request.session.session_key
    sessions = accounts.active_sessions(user)
    return render(
        request,
        "accounts/security.html",
        {
            "has_second_factor": accounts.has_second_factor(user),
            "second_factor_required": accounts.requires_second_factor(user),
            "backup_codes_left": sum(
                device.token_set.count() for device in user.staticdevice_set.all()
            ),
            "sessions": [(row, row.session_key == current) for row in sessions],
            "resets": SecondFactorReset.objects.filter(user=user).select_related("by")[:5],
            "is_staff_role": roles_of(user).ethics_staff,
            "language_form": LanguageForm(initial={"language": accounts.chosen_language(user)}),
        },
    )


@login_required
@require_POST
def session_end(request):
    """End one other session (`session`), or all others (`all`)."""
    current = request.session.session_key
    if request.POST.get("all"):
        ended = accounts.end_sessions(request.user, keep=current)
        messages.success(
            request,
            ngettext(
                "Signed out %(count)d other session.", "Signed out %(count)d other sessions.", ended
            )
            % {"count": ended},
        )
    else:
        key = request.POST.get("session", "")
        if not key or key == current:
            messages.error(request, _("Choose another session to end (use Log out for this one)."))
        elif accounts.end_sessions(request.user, only=key):
            messages.success(request, _("That session is signed out."))
        else:
            messages.error(request, _("That session had already ended."))
    return redirect("account_security")


# ---------------------------------------------------------------------------
# The person's language
# ---------------------------------------------------------------------------


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        required=False,
        help_text=gettext_lazy(
            "The pages, and the emails and letters sent to you, are written in it."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each language in its own name, so a person who cannot read this page finds theirs.
        self.fields["language"].choices = [
            ("", _("The one my browser asks for")),
            *settings.LANGUAGES,
        ]


@login_required
@require_POST
def language_change(request):
    form = LanguageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the languages offered."))
        return redirect("account_security")
    accounts.set_language(request, form.cleaned_data["language"])
    messages.success(request, _("Your language is saved."))
    return redirect("account_security")


# ---------------------------------------------------------------------------
# Staff reset a lost second factor
# ---------------------------------------------------------------------------


class SecondFactorResetForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Recorded with your name: how you confirmed who is asking, and why."
        ),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if len(reason) < 10:
            raise forms.ValidationError(
                _("Give the reason in a sentence (at least 10 characters).")
            )
        return reason

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise forms.ValidationError(
                _("No user is called “%(username)s”.") % {"username": username}
            ) from None


@login_required
def second_factor_reset(request):
    """Ethics staff remove another user's second factor (a lost phone), with a reason."""
    if not roles_of(request.user).ethics_staff:
        raise PermissionDenied(_("Only ethics staff may reset a second factor."))
    form = SecondFactorResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.cleaned_data["username"]
        try:
            accounts.reset_second_factor(
                user=user, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _(
                    "The second factor of %(username)s is removed and their sessions ended; "
                    "they set up a new one at their next sign-in."
                )
                % {"username": user.get_username()},
            )
            return redirect("second_factor_reset")
    return render(
        request,
        "accounts/second_factor_reset.html",
        {
            "form": form,
            "recent": SecondFactorReset.objects.select_related("user", "by")[:20],
        },
        status=400 if form.is_bound and form.errors else 200,
    )


# ---------------------------------------------------------------------------
# Throttled password forms
# ---------------------------------------------------------------------------


class _Throttled:
    """Refuse a post, keeping what was typed, once the address (or the account) has
    posted PROBITY_RESET_LIMIT times in the lockout window."""

    def throttle_keys(self, request) -> list[str]:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        wait = accounts.throttle(self.throttle_keys(request))
        if wait is not None:
            form = self.get_form()  # bound: what was typed is shown again
            # Not validated (that would check the password or send the mail): the
            # only error is the refusal.
            form._errors = ErrorDict()
            form.cleaned_data = {}
            form.add_error(None, accounts.wait_message(wait))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's form, with the email written in the account holder's language."""

    def send_mail(self, *args, **kwargs):
        context = args[2] if len(args) > 2 else kwargs["context"]
        with translation.override(accounts.language_of(context.get("user"))):
            super().send_mail(*args, **kwargs)


class PasswordResetView(_Throttled, auth_views.PasswordResetView):
    """Whether or not the address belongs to an account, the same answer."""

    form_class = PasswordResetForm

    def throttle_keys(self, request):
        email = request.POST.get("email", "").strip().lower()[:150]
        keys = [f"reset-ip:{accounts.client_address(request)}"]
        if email:
            keys.append(f"reset-email:{email}")
        return keys


class PasswordResetConfirmView(_Throttled, auth_views.PasswordResetConfirmView):
    def throttle_keys(self, request):
        return [f"set-password-ip:{accounts.client_address(request)}"]


class PasswordChangeView(_Throttled, auth_views.PasswordChangeView):
    def throttle_keys(self, request):
        return [
            f"change-password-ip:{accounts.client_address(request)}",
            f"change-password-user:{request.user.pk}",
        ]
