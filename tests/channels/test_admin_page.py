"""/quan-tri/kenh: the channel health page for administrators, with send-again and dismiss."""

from __future__ import annotations

from sqlalchemy import select

from paht.main import create_app
from paht.models import OutboundMessage
from tests.channels.conftest import facebook_signature, fixture_bytes, run_jobs
from tests.web.helpers import Browser


def test_administrators_see_channel_health_and_send_a_failed_reply_again(db, channel_settings, providers):
    app = create_app(channel_settings, db, worker=False)
    providers.page_token = "rotated-at-meta"
    browser = Browser(app)
    body = fixture_bytes("facebook", "text.json")
    headers = {"X-Hub-Signature-256": facebook_signature(body), "Content-Type": "application/json"}
    assert browser.client.post("/channels/facebook/webhook", content=body, headers=headers).status_code == 200
    run_jobs(db, channel_settings)

    assert browser.get("/quan-tri/kenh").status_code == 303  # signed out: to the sign-in page
    browser.login("ioc.operator")
    assert browser.get("/quan-tri/kenh").status_code == 403
    browser.close()

    admin = Browser(app)
    admin.login("admin")
    page = admin.get("/quan-tri/kenh")
    assert page.status_code == 200
    assert "Tình trạng các kênh tiếp nhận" in page.text
    assert 'id="channel-facebook"' in page.text and "failed: 1" in page.text
    with db.read() as session:
        outbound_id = session.scalar(select(OutboundMessage.id))
    assert f'id="outbound-{outbound_id}"' in page.text and "code=190" in page.text

    providers.page_token = channel_settings.facebook_page_token
    assert admin.post(f"/quan-tri/kenh/tin/{outbound_id}/gui-lai", csrf=False).status_code == 403  # no CSRF token
    sent = admin.post(f"/quan-tri/kenh/tin/{outbound_id}/gui-lai")
    assert sent.status_code == 303 and sent.headers["location"] == "/quan-tri/kenh?done=1"
    run_jobs(db, channel_settings)
    with db.read() as session:
        assert session.scalar(select(OutboundMessage.status)) == "sent"
    assert "Không có." in admin.get("/quan-tri/kenh?done=1").text
    assert admin.get("/quan-tri/kenh?lang=en").text.count("Channel health") >= 1
    admin.close()
