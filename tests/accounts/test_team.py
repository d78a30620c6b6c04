import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Invitation, Membership, User
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite(django_capture_on_commit_callbacks):
    """POST an invitation and run what waits for the commit (the e-mail)."""

    def _invite(client, email="new.staff@alpha.test"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("accounts:invite"), {"email": email})

    return _invite


def link_from(mail) -> str:
    return re.search(r"(/accounts/invitation/[^/\s]+/)", mail.body).group(1)


def test_team_page_personas(anon_client, owner_client, staff_client, outsider_client, owner, staff):
    url = reverse("accounts:team")
    assert anon_client.get(url).status_code == 302
    assert staff_client.get(url).status_code == 403
    page = owner_client.get(url)
    assert page.status_code == 200
    assert staff.email in page.content.decode()
    # The outsider sees their own team, never business A's members.
    assert staff.email not in outsider_client.get(url).content.decode()


def test_owner_invites_staff_who_accepts_and_joins(owner_client, business, mailoutbox, invite):
    response = invite(owner_client)
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = link_from(mailoutbox[0])
    newcomer = Client()
    page = newcomer.get(link)
    assert page.status_code == 200
    response = newcomer.post(
        link,
        {"name": "New Staff", "password1": "another-long-pass", "password2": "another-long-pass"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.staff@alpha.test")
    assert Membership.objects.get(user=user, business=business).role == "staff"
    # Single use: the link no longer works.
    assert Client().get(link).status_code == 410
    assert AuditEvent.objects.filter(kind="member_joined").exists()


def test_only_the_token_hash_is_stored(owner_client, mailoutbox, invite):
    invite(owner_client)
    token = link_from(mailoutbox[0]).rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert Invitation.objects.by_token(token).exists()


def test_expired_and_forged_invitations_are_refused(owner_client, mailoutbox, invite):
    invite(owner_client)
    link = link_from(mailoutbox[0])
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get(link).status_code == 410
    response = Client().post(
        link, {"name": "X", "password1": "another-long-pass", "password2": "another-long-pass"}
    )
    assert response.status_code == 410
    assert Client().get("/accounts/invitation/forged-token/").status_code == 404
    assert not User.objects.filter(email="new.staff@alpha.test").exists()


def test_invitation_bad_password_saves_nothing(owner_client, mailoutbox, invite):
    invite(owner_client)
    link = link_from(mailoutbox[0])
    response = Client().post(link, {"name": "New", "password1": "short", "password2": "short"})
    assert response.status_code == 400
    assert not User.objects.filter(email="new.staff@alpha.test").exists()


def test_inviting_an_existing_member_is_refused(owner_client, staff, mailoutbox, invite):
    response = invite(owner_client, email=staff.email.upper())
    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists()
    assert mailoutbox == []


def test_invalid_invitation_email_is_refused(owner_client, invite):
    assert invite(owner_client, email="nope").status_code == 400
    assert not Invitation.objects.exists()


def test_existing_user_accepts_while_logged_in(
    owner_client, outsider, outsider_client, business, mailoutbox, invite
):
    invite(owner_client, email=outsider.email)
    link = link_from(mailoutbox[0])
    assert outsider_client.post(link).status_code == 302
    assert Membership.objects.filter(user=outsider, business=business, role="staff").exists()


def test_staff_cannot_invite(staff_client, invite):
    assert invite(staff_client).status_code == 403
    assert not Invitation.objects.exists()


def test_change_role_and_last_owner_protection(owner_client, owner, staff, business):
    staff_m = Membership.objects.get(user=staff)
    owner_m = Membership.objects.get(user=owner)
    # The last owner cannot be demoted or removed.
    owner_client.post(reverse("accounts:change_role", args=[owner_m.pk]), {"role": "staff"})
    owner_m.refresh_from_db()
    assert owner_m.role == "owner"
    owner_client.post(reverse("accounts:remove_member", args=[owner_m.pk]))
    assert Membership.objects.filter(pk=owner_m.pk).exists()
    # Promote staff, then the first owner may step down.
    owner_client.post(reverse("accounts:change_role", args=[staff_m.pk]), {"role": "owner"})
    staff_m.refresh_from_db()
    assert staff_m.role == "owner"
    owner_client.post(reverse("accounts:change_role", args=[owner_m.pk]), {"role": "staff"})
    owner_m.refresh_from_db()
    assert owner_m.role == "staff"
    assert AuditEvent.objects.filter(kind="role_changed").count() == 2


def test_bad_role_value_changes_nothing(owner_client, staff):
    m = Membership.objects.get(user=staff)
    owner_client.post(reverse("accounts:change_role", args=[m.pk]), {"role": "emperor"})
    m.refresh_from_db()
    assert m.role == "staff"


def test_remove_member(owner_client, staff):
    m = Membership.objects.get(user=staff)
    assert owner_client.post(reverse("accounts:remove_member", args=[m.pk])).status_code == 302
    assert not Membership.objects.filter(pk=m.pk).exists()


def test_outsider_gets_404_on_another_business_members(outsider_client, staff):
    m = Membership.objects.get(user=staff)
    assert (
        outsider_client.post(
            reverse("accounts:change_role", args=[m.pk]), {"role": "owner"}
        ).status_code
        == 404
    )
    assert outsider_client.post(reverse("accounts:remove_member", args=[m.pk])).status_code == 404
    m.refresh_from_db()
    assert m.role == "staff"


def test_staff_gets_403_on_role_changes(staff_client, owner):
    m = Membership.objects.get(user=owner)
    assert (
        staff_client.post(
            reverse("accounts:change_role", args=[m.pk]), {"role": "staff"}
        ).status_code
        == 403
    )
    assert staff_client.post(reverse("accounts:remove_member", args=[m.pk])).status_code == 403


def test_switch_business(owner, owner_client, other_business):
    Membership.objects.create(user=owner, business=other_business, role="staff")
    response = owner_client.post(
        reverse("accounts:switch_business"), {"business": other_business.pk}
    )
    assert response.status_code == 302
    assert owner_client.get(reverse("home")).context["current_business"] == other_business
    # A business you are not a member of: 404, and the current one stays.
    stranger = factories.business(name="Gamma")
    assert (
        owner_client.post(
            reverse("accounts:switch_business"), {"business": stranger.pk}
        ).status_code
        == 404
    )
    assert (
        owner_client.post(reverse("accounts:switch_business"), {"business": "abc"}).status_code
        == 404
    )


def test_settings_personas_and_bad_input(anon_client, owner_client, staff_client, business):
    url = reverse("accounts:settings")
    assert anon_client.get(url).status_code == 302
    assert staff_client.get(url).status_code == 403
    assert owner_client.get(url).status_code == 200
    data = {
        "name": "Alpha Renamed",
        "time_zone": "Europe/Athens",
        "currency": "EUR",
        "contact_hours_start": "18:00",
        "contact_hours_end": "09:00",
        "contact_days": ["0", "1"],
        "notice_period_days": 30,
        "cooling_off_days": 3,
        "payment_terms_days": "14",
        "staff_cost_rate": "55.00",
    }
    assert owner_client.post(url, data).status_code == 400
    business.refresh_from_db()
    assert business.name == "Alpha Studio"
    data["contact_hours_start"] = "08:00"
    data["contact_hours_end"] = "18:00"
    assert owner_client.post(url, data).status_code == 302
    business.refresh_from_db()
    assert business.name == "Alpha Renamed" and business.contact_days == "01"


def test_audit_log_personas(
    anon_client, owner_client, staff_client, outsider_client, business, owner
):
    AuditEvent.objects.create(
        business=business,
        kind="export",
        actor=owner,
        actor_email=owner.email,
        detail="alpha-secret",
    )
    url = reverse("accounts:audit_log")
    assert anon_client.get(url).status_code == 302
    assert staff_client.get(url).status_code == 403
    assert "alpha-secret" in owner_client.get(url).content.decode()
    assert "alpha-secret" not in outsider_client.get(url).content.decode()
