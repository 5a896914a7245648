"""Channel health and the outbox for administrators; a report's additions for the staff who may see it."""

from __future__ import annotations

from sqlalchemy import select, update

from paht.models import OutboundMessage, Report
from tests.channels.conftest import facebook_signature, fixture_bytes, run_jobs

HEALTH = "/api/v1/admin/channels/health"


def message(client, name: str = "text.json") -> None:
    body = fixture_bytes("facebook", name)
    headers = {"X-Hub-Signature-256": facebook_signature(body), "Content-Type": "application/json"}
    assert client.post("/channels/facebook/webhook", content=body, headers=headers).status_code == 200


def by_channel(health: dict) -> dict[str, dict]:
    return {c["channel"]: c for c in health["channels"]}


def test_only_administrators_see_channel_health(channel_client, personas):
    assert channel_client.get(HEALTH).status_code == 401
    assert channel_client.get(HEALTH, headers=personas["ioc_operator"]).status_code == 403
    assert channel_client.get(HEALTH, headers=personas["handler_a"]).status_code == 403
    assert channel_client.get(HEALTH, headers=personas["admin"]).status_code == 200


def test_health_shows_the_last_message_in_and_out_and_the_queue(channel_client, personas, db, channel_settings):
    quiet = by_channel(channel_client.get(HEALTH, headers=personas["admin"]).json())
    assert {name: c["configured"] for name, c in quiet.items()} == {
        "facebook": True,
        "zalo": True,
        "email": True,
        "open311": True,  # the demo key
    }
    assert quiet["facebook"]["last_inbound_at"] is None
    message(channel_client)
    waiting = channel_client.get(HEALTH, headers=personas["admin"]).json()
    assert by_channel(waiting)["facebook"]["inbound"] == {"pending": 1}
    assert waiting["queue"]["jobs_pending"] == {"process_inbound": 1}
    run_jobs(db, channel_settings)
    health = channel_client.get(HEALTH, headers=personas["admin"]).json()
    facebook = by_channel(health)["facebook"]
    assert facebook["inbound"] == {"processed": 1} and facebook["outbound"] == {"sent": 1}
    assert facebook["last_inbound_at"] and facebook["last_outbound_at"]
    assert health["queue"]["outbound_pending"] == 0 and health["failures"] == []


def test_a_permanent_failure_is_shown_and_an_administrator_can_send_it_again(
    channel_client, personas, db, channel_settings, providers
):
    providers.page_token = "a-new-token-not-yet-in-the-settings"
    message(channel_client)
    run_jobs(db, channel_settings)
    health = channel_client.get(HEALTH, headers=personas["admin"]).json()
    [failure] = health["failures"]
    assert failure["status"] == "failed" and "code=190" in failure["last_error"]
    assert failure["recipient"] == "6543…"  # enough to recognise, not to copy
    assert by_channel(health)["facebook"]["outbound"] == {"failed": 1}
    listed = channel_client.get("/api/v1/admin/channels/outbound?status=failed", headers=personas["admin"]).json()
    assert [f["id"] for f in listed] == [failure["id"]]
    providers.page_token = channel_settings.facebook_page_token  # the administrator fixed the token
    retry = f"/api/v1/admin/channels/outbound/{failure['id']}/retry"
    assert channel_client.post(retry, headers=personas["ioc_operator"]).status_code == 403
    assert channel_client.post(retry, headers=personas["admin"]).json()["status"] == "pending"
    run_jobs(db, channel_settings)
    with db.read() as session:
        assert session.scalar(select(OutboundMessage.status)) == "sent"
    assert (
        channel_client.post("/api/v1/admin/channels/outbound/999/retry", headers=personas["admin"]).status_code == 404
    )


def test_an_uncertain_message_can_be_dismissed(channel_client, personas, db, channel_settings):
    message(channel_client)
    run_jobs(db, channel_settings)
    with db.write() as session:
        session.execute(update(OutboundMessage).values(status="uncertain"))
        outbound_id = session.scalar(select(OutboundMessage.id))
    dismissed = channel_client.post(f"/api/v1/admin/channels/outbound/{outbound_id}/dismiss", headers=personas["admin"])
    assert dismissed.json()["status"] == "dismissed"
    assert channel_client.get(HEALTH, headers=personas["admin"]).json()["failures"] == []


def test_additions_are_visible_to_the_staff_who_see_the_report(channel_client, personas, db, channel_settings):
    message(channel_client)
    run_jobs(db, channel_settings)
    body = (
        fixture_bytes("facebook", "text.json")
        .replace(b"m_1HKbXJ5", b"m_2HKbXJ5")
        .replace(b"3 h\\u00f4m", b"5 h\\u00f4m")
    )
    headers = {"X-Hub-Signature-256": facebook_signature(body), "Content-Type": "application/json"}
    channel_client.post("/channels/facebook/webhook", content=body, headers=headers)
    run_jobs(db, channel_settings)
    with db.read() as session:
        report_id = session.scalar(select(Report.id))
    path = f"/api/v1/reports/{report_id}/additions"
    [addition] = channel_client.get(path, headers=personas["ioc_operator"]).json()
    assert "5 hôm nay" in addition["text"] and addition["channel"] == "facebook"
    assert channel_client.get(path).status_code == 401
    assert channel_client.get(path, headers=personas["handler_a"]).status_code == 404  # not dispatched to body A
