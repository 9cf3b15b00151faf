import pytest
from django.db import connection
from django.db.utils import DatabaseError
from django.test import RequestFactory

from portal import audit
from portal.models import AppendOnlyError, AuditEntry
from tests.conftest import require_or_skip

pytestmark = pytest.mark.django_db


def test_record_takes_actor_state_and_address_from_the_request(dk_officer):
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.7")
    request.user = dk_officer
    entry = audit.record(
        audit.Action.ROLE_CHANGED, request=request, target=dk_officer, details={"from": "viewer"}
    )
    entry.refresh_from_db()
    assert entry.actor == dk_officer
    assert entry.actor_username == "dk-officer"
    assert entry.state_id == "DK"
    assert entry.ip_address == "192.0.2.7"
    assert entry.action == "user.role_changed"
    assert (entry.object_type, entry.object_id) == ("accounts.user", str(dk_officer.pk))
    assert entry.details == {"from": "viewer"}


def test_record_without_user_keeps_the_attempted_name():
    entry = audit.record(audit.Action.LOGIN_FAILED, username="nobody")
    assert entry.actor is None
    assert entry.actor_username == "nobody"


def test_entries_cannot_be_changed_or_deleted_through_the_app(dk_officer):
    entry = audit.record(audit.Action.LOGIN, actor=dk_officer)
    entry.action = "forged"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    entry.refresh_from_db()
    assert entry.action == "auth.login"


@pytest.mark.postgres
def test_database_refuses_update_and_delete_of_audit_rows(dk_officer):
    if connection.vendor != "postgresql":
        require_or_skip("the append-only trigger exists on PostgreSQL")
    entry = audit.record(audit.Action.LOGIN, actor=dk_officer)
    for sql in (
        "UPDATE portal_auditentry SET action = 'forged' WHERE id = %s",
        "DELETE FROM portal_auditentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), connection.cursor() as cursor:
            cursor.execute("SAVEPOINT audit_probe")
            try:
                cursor.execute(sql, [entry.pk])
            finally:
                cursor.execute("ROLLBACK TO SAVEPOINT audit_probe")
    assert AuditEntry.objects.get(pk=entry.pk).action == "auth.login"


def test_admin_shows_the_log_read_only(client, staff_user, dk_officer):
    entry = audit.record(audit.Action.LOGIN, actor=dk_officer)
    client.force_login(staff_user)
    listing = client.get("/admin/portal/auditentry/")
    assert listing.status_code == 200
    assert b"dk-officer" in listing.content
    assert client.get("/admin/portal/auditentry/add/").status_code == 403
    change = client.post(f"/admin/portal/auditentry/{entry.pk}/change/", {"action": "forged"})
    assert change.status_code == 403
    assert (
        client.post(f"/admin/portal/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    entry.refresh_from_db()
    assert entry.action == "auth.login"
