"""Ethics staff manage an organization's representatives: add one (an account with a
password link by email), choose the primary contact, remove one with a reason. Every
change is on the organization's record; only staff may make them."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import escape

from members.models import Representative, RepresentativeChange
from members.roles import BOARD, roles_of
from members.services import (
    RepresentativeInput,
    representative_add,
    representative_make_primary,
    representative_remove,
    representative_send_link,
)
from tests.factories.language import said
from tests.factories.members import RepresentativeFactory


def person(**kwargs) -> RepresentativeInput:
    values = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@acme.example",
        "job_title": "Compliance lead",
        "phone": "+44 20 7946 0000",
    }
    values.update(kwargs)
    return RepresentativeInput(**values)


def add(organization, by, **kwargs) -> Representative:
    return representative_add(
        organization=organization, by=by, person=person(**kwargs), site_url="https://probity.test"
    )


def changes(organization) -> list[tuple[str, str, str]]:
    return [
        (c.action, c.name, c.by.username if c.by else None)
        for c in RepresentativeChange.objects.filter(organization=organization).order_by("pk")
    ]


def primary_of(organization) -> list[str]:
    return list(
        Representative.objects.filter(organization=organization, is_primary=True).values_list(
            "user__username", flat=True
        )
    )


# -- Adding ---------------------------------------------------------------------------


def test_staff_add_a_representative_with_an_account_that_has_no_password_yet(
    staff, organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rep = add(organization, staff)

    user = User.objects.get(pk=rep.user_id)
    assert (user.username, user.first_name, user.last_name, user.email) == (
        "ada.lovelace",
        "Ada",
        "Lovelace",
        "ada@acme.example",
    )
    assert user.is_active and not user.has_usable_password()
    assert (rep.organization, rep.job_title, rep.phone, rep.is_primary) == (
        organization,
        "Compliance lead",
        "+44 20 7946 0000",
        False,
    )
    assert roles_of(user).organization_id == organization.pk
    assert changes(organization) == [("added", "Ada Lovelace", "staff")]


def test_the_new_representative_is_emailed_a_link_that_sets_their_password(
    staff, organization, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        add(organization, staff)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@acme.example"]
    assert "Acme Robotics" in message.subject
    assert "ada.lovelace" in message.body
    link = re.search(r"https://probity\.test(/accounts/reset/\S+/)", message.body).group(1)
    # Django's reset view swaps the token for a session key, then shows the form.
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200 and "new_password1" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-long-Passphrase-42", "new_password2": "a-long-Passphrase-42"},
    )
    assert done.status_code == 302
    assert User.objects.get(username="ada.lovelace").check_password("a-long-Passphrase-42")


def test_no_email_is_sent_before_the_addition_commits(
    staff, organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        add(organization, staff)
    assert mail.outbox == []
    assert callbacks  # the email waits for the commit


def test_usernames_do_not_collide(staff, organization, other_organization):
    User.objects.create(username="Ada.Lovelace", email="someone@else.example")

    first = add(organization, staff)
    second = add(other_organization, staff, email="ada@globex.example")

    assert [first.user.username, second.user.username] == ["ada.lovelace2", "ada.lovelace3"]


def test_a_name_without_latin_letters_falls_back_to_the_email(staff, organization):
    rep = add(organization, staff, first_name="李", last_name="华", email="li.hua@acme.example")
    assert rep.user.username == "li-hua"


def test_an_email_already_in_use_is_refused_naming_the_field(staff, organization, representative):
    with pytest.raises(ValidationError) as exc:
        add(organization, staff, email=representative.email.upper())

    assert "already exists" in exc.value.message_dict["email"][0]
    assert Representative.objects.filter(organization=organization).count() == 1


def test_adding_a_primary_representative_replaces_the_primary_contact(
    staff, organization, representative
):
    assert primary_of(organization) == ["acme.rep"]

    rep = add(organization, staff, is_primary=True)

    assert primary_of(organization) == [rep.user.username]
    assert Representative.objects.filter(organization=organization).count() == 2
    assert changes(organization)[-2:] == [
        ("added", "Ada Lovelace", "staff"),
        ("made_primary", "Ada Lovelace", "staff"),
    ]


# -- Choosing the primary contact -----------------------------------------------------


def test_making_a_representative_primary_clears_the_previous_primary(
    staff, organization, representative
):
    deputy = RepresentativeFactory(organization=organization, is_primary=False)

    representative_make_primary(representative=deputy, by=staff)

    assert primary_of(organization) == [deputy.user.username]
    assert changes(organization)[-1] == ("made_primary", deputy.user.get_full_name(), "staff")


def test_the_primary_contact_of_another_organization_is_untouched(
    staff, organization, representative, other_representative
):
    deputy = RepresentativeFactory(organization=organization, is_primary=False)

    representative_make_primary(representative=deputy, by=staff)

    assert primary_of(other_representative.representative.organization) == ["globex.rep"]


def test_making_the_primary_contact_primary_again_is_refused(staff, representative):
    with pytest.raises(ValidationError, match="already the primary contact"):
        representative_make_primary(representative=representative.representative, by=staff)


# -- Removing -------------------------------------------------------------------------


def test_removing_needs_a_reason(staff, organization, representative):
    with pytest.raises(ValidationError) as exc:
        representative_remove(representative=representative.representative, by=staff, reason="  ")

    assert "reason" in exc.value.message_dict
    assert Representative.objects.filter(user=representative).exists()
    assert not RepresentativeChange.objects.filter(action="removed").exists()


def test_removing_ends_the_link_deactivates_the_account_and_records_the_reason(
    staff, organization, representative
):
    representative_remove(
        representative=representative.representative, by=staff, reason="Left the company."
    )

    representative.refresh_from_db()
    assert not Representative.objects.filter(user=representative).exists()
    assert not representative.is_active
    assert roles_of(User.objects.get(pk=representative.pk)).organization_id is None
    last = RepresentativeChange.objects.filter(organization=organization).latest("pk")
    assert (last.action, last.user, last.by, last.reason) == (
        "removed",
        representative,
        staff,
        "Left the company.",
    )


def test_removing_someone_who_holds_another_role_keeps_their_account(
    staff, organization, representative
):
    representative.groups.add(Group.objects.get(name=BOARD))

    representative_remove(
        representative=representative.representative, by=staff, reason="Joined the board."
    )

    representative.refresh_from_db()
    assert representative.is_active
    assert not Representative.objects.filter(user=representative).exists()


def test_removing_twice_is_refused(staff, representative):
    rep = representative.representative
    representative_remove(representative=rep, by=staff, reason="Left.")
    with pytest.raises(ValidationError, match="no longer a representative"):
        representative_remove(representative=rep, by=staff, reason="Left.")


def test_a_removal_in_the_admin_or_a_shell_is_recorded_too(organization, representative):
    representative.representative.delete()

    last = RepresentativeChange.objects.filter(organization=organization).latest("pk")
    assert (last.action, last.user, last.by) == ("removed", representative, None)
    assert "outside the organization page" in last.reason


def test_the_record_of_representatives_is_append_only(staff, organization, representative):
    representative_remove(
        representative=representative.representative, by=staff, reason="Left the company."
    )
    row = RepresentativeChange.objects.filter(organization=organization).latest("pk")
    with pytest.raises(ValidationError):
        row.save()
    with pytest.raises(ValidationError):
        row.delete()
    with pytest.raises(ValidationError):
        RepresentativeChange.objects.update(reason="")
    with pytest.raises(ValidationError):
        RepresentativeChange.objects.all().delete()


# -- Only ethics staff ----------------------------------------------------------------


@pytest.mark.parametrize("who", ["board", "panel", "representative", "no_role_user"])
def test_only_ethics_staff_manage_representatives(request, who, organization, representative):
    user = request.getfixturevalue(who)
    before = changes(organization)

    with pytest.raises(PermissionDenied):
        add(organization, user)
    with pytest.raises(PermissionDenied):
        representative_make_primary(
            representative=RepresentativeFactory(organization=organization, is_primary=False),
            by=user,
        )
    with pytest.raises(PermissionDenied):
        representative_remove(
            representative=representative.representative, by=user, reason="Because."
        )

    assert Representative.objects.filter(user=representative).exists()
    assert [c for c in changes(organization) if c[2] is not None] == [
        c for c in before if c[2] is not None
    ]
    assert not User.objects.filter(email="ada@acme.example").exists()


# -- The pages ------------------------------------------------------------------------


def _add_url(org) -> str:
    return f"/register/{org.slug}/representatives/add/"


def _remove_url(org, rep) -> str:
    return f"/register/{org.slug}/representatives/{rep.pk}/remove/"


def _primary_url(org, rep) -> str:
    return f"/register/{org.slug}/representatives/{rep.pk}/primary/"


FORM = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@acme.example",
    "job_title": "Compliance lead",
    "phone": "",
}


def test_staff_page_offers_the_representative_actions(staff_client, organization, representative):
    html = staff_client.get(f"/register/{organization.slug}/").content.decode()

    assert f'action="{_add_url(organization)}"' in html
    assert f'href="{_remove_url(organization, representative.representative)}"' in html
    assert f'<label for="rep-first_name">{said("First name")}{said(":")}</label>' in html
    assert said("Representatives added and removed") in html


def test_board_page_lists_representatives_and_their_record_without_the_actions(
    board_client, organization, representative
):
    html = board_client.get(f"/register/{organization.slug}/").content.decode()

    assert said("Representatives added and removed") in html
    assert "/representatives/add/" not in html
    assert "/remove/" not in html


def test_staff_add_a_representative_through_the_page(
    staff_client, organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(_add_url(organization), {**FORM, "is_primary": "on"})

    assert response.status_code == 302
    assert response["Location"] == f"/register/{organization.slug}/"
    rep = Representative.objects.get(user__username="ada.lovelace")
    assert rep.is_primary and rep.organization == organization
    assert len(mail.outbox) == 1
    assert "http://testserver/accounts/reset/" in mail.outbox[0].body
    page = staff_client.get(response["Location"]).content.decode()
    assert "Ada Lovelace, Compliance lead" in page
    assert said("Made primary contact") in page


def test_a_rejected_addition_is_a_400_that_keeps_the_input_and_names_the_problem(
    staff_client, organization
):
    response = staff_client.post(_add_url(organization), {**FORM, "email": "not-an-email"})

    assert response.status_code == 400
    html = response.content.decode()
    assert said("Enter a valid email address.") in html
    assert 'value="not-an-email"' in html
    assert 'value="Compliance lead"' in html
    assert "<details open>" in html
    assert not User.objects.filter(username="ada.lovelace").exists()


def test_an_addition_refused_by_the_service_shows_its_reason_on_the_field(
    staff_client, organization, representative
):
    response = staff_client.post(_add_url(organization), {**FORM, "email": representative.email})

    assert response.status_code == 400
    html = response.content.decode()
    already = said(
        "A user with the email %(email)s already exists; each representative needs "
        "their own account and address.",
        email=representative.email,
    )
    assert escape(already) in html
    assert 'value="Ada"' in html


def test_removal_asks_for_confirmation_first(staff_client, organization, representative):
    rep = representative.representative

    response = staff_client.get(_remove_url(organization, rep))

    assert response.status_code == 200
    html = response.content.decode()
    names = {
        "name": escape(representative.get_full_name()),
        "org_name": escape(organization.name),
        "username": representative.username,
    }
    assert said("Remove %(name)s as a representative of %(org_name)s?", **names) in html
    assert (
        said("Their account (%(username)s) is deactivated: they can no longer sign in.", **names)
        in html
    )
    assert Representative.objects.filter(pk=rep.pk).exists()


def test_staff_remove_a_representative_with_a_reason(staff_client, organization, representative):
    rep = representative.representative

    response = staff_client.post(_remove_url(organization, rep), {"reason": "Left the company."})

    assert response.status_code == 302
    assert not Representative.objects.filter(pk=rep.pk).exists()
    page = staff_client.get(response["Location"]).content.decode()
    assert "Left the company." in page
    assert said("No representative on file.") in page


def test_removal_without_a_reason_is_a_400_that_says_so(staff_client, organization, representative):
    rep = representative.representative

    response = staff_client.post(_remove_url(organization, rep), {"reason": ""})

    assert response.status_code == 400
    assert said("This field is required.") in response.content.decode()
    assert Representative.objects.filter(pk=rep.pk).exists()


def test_staff_make_a_representative_primary_through_the_page(
    staff_client, organization, representative
):
    deputy = RepresentativeFactory(organization=organization, is_primary=False)

    response = staff_client.post(_primary_url(organization, deputy))

    assert response.status_code == 302
    assert primary_of(organization) == [deputy.user.username]


@pytest.mark.parametrize("who", ["board", "representative", "other_representative", "panel"])
def test_anyone_but_staff_is_refused_every_action_with_403(
    client, request, who, organization, representative
):
    client.force_login(request.getfixturevalue(who))
    rep = representative.representative
    deputy = RepresentativeFactory(organization=organization, is_primary=False)

    assert client.post(_add_url(organization), FORM).status_code == 403
    assert client.get(_remove_url(organization, rep)).status_code == 403
    assert client.post(_remove_url(organization, rep), {"reason": "Because."}).status_code == 403
    assert client.post(_primary_url(organization, deputy)).status_code == 403

    assert Representative.objects.filter(pk=rep.pk, is_primary=True).exists()
    assert not User.objects.filter(username="ada.lovelace").exists()


def test_unknown_organization_or_representative_is_404(
    staff_client, organization, other_organization, other_representative
):
    assert staff_client.post("/register/no-such-org/representatives/add/", FORM).status_code == 404
    # A representative of another organization is not found under this one.
    globex_rep = other_representative.representative
    assert staff_client.get(_remove_url(organization, globex_rep)).status_code == 404
    assert staff_client.post(_primary_url(organization, globex_rep)).status_code == 404


def test_anonymous_visitor_is_sent_to_log_in(client, organization, representative):
    response = client.post(_add_url(organization), FORM)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_actions_only_accept_post_where_they_change_things(staff_client, organization):
    assert staff_client.get(_add_url(organization)).status_code == 405


def test_the_forms_need_the_csrf_token(organization, staff):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff)
    assert client.post(_add_url(organization), FORM).status_code == 403
    assert not User.objects.filter(username="ada.lovelace").exists()


# -- A new sign-in link -----------------------------------------------------------------


def test_staff_send_a_new_link_to_a_representative_who_never_set_a_password(
    staff, organization, staff_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rep = add(organization, staff)
    mail.outbox.clear()
    page = staff_client.get(f"/register/{organization.slug}/").content.decode()
    assert said("Send %(name)s a new sign-in link", name="Ada Lovelace") in page

    response = staff_client.post(
        f"/register/{organization.slug}/representatives/{rep.pk}/send-link/", follow=True
    )
    assert (
        said("A new sign-in link was sent to %(email)s.", email="ada@acme.example")
        in response.content.decode()
    )
    [message] = mail.outbox
    assert message.to == ["ada@acme.example"]
    assert "sent you a new link" in message.body
    assert re.search(r"/accounts/reset/\S+/", message.body)


def test_no_link_is_offered_to_a_representative_who_has_a_password(
    staff_client, organization, representative
):
    page = staff_client.get(f"/register/{organization.slug}/").content.decode()
    assert "new sign-in link" not in page
    name = escape(representative.get_full_name())
    assert said("Send %(name)s a new sign-in link", name=name) not in page
    assert "/send-link/" not in page


def test_only_staff_send_links_and_never_to_an_inactive_account(
    staff, board, organization, representative
):
    rep = Representative.objects.get(user=representative)
    with pytest.raises(PermissionDenied):
        representative_send_link(representative=rep, by=board)
    User.objects.filter(pk=representative.pk).update(is_active=False)
    rep = Representative.objects.get(user=representative)
    with pytest.raises(ValidationError, match="inactive"):
        representative_send_link(representative=rep, by=staff)
    assert mail.outbox == []
