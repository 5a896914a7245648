"""Public search: published reports only, and only the text the IOC edited and published."""

from __future__ import annotations

from tests.flow import Flow


def _publish(flow: Flow, title: str, description: str, public: str) -> dict:
    report = flow.submit(title=title, description=description)
    flow.act(report, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    flow.act(report, "handler_a", "acknowledge")
    flow.act(report, "handler_a", "submit_result", result="Đã nạo vét cống, nước đã rút.")
    flow.act(report, "leader_a", "approve")
    return flow.act(report, "ioc_editor", "publish", description=public)


def codes(client, **params) -> list[str]:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/public/reports", params=params)
    assert response.status_code == 200, response.text
    return [item["code"] for item in response.json()["items"]]


def test_only_the_published_public_text_is_searched(client, personas, db):
    flow = Flow(client, personas, db)
    published = _publish(
        flow,
        "Ngập đường Đống Đa",
        "Nhà ông Tư số 7 Đống Đa bị ngập, gọi cho tôi.",
        "Đường Đống Đa bị ngập sau mưa lớn.",
    )
    flow.submit(title="Ngập đường Đống Đa lần nữa", description="Đống Đa vẫn ngập.")  # not published
    assert codes(client, q="dong da") == [published["code"]]
    assert codes(client, q="ngap") == [published["code"]]
    assert codes(client, q="ong tu") == []  # only in the citizen's original words
    assert codes(client, q="goi cho toi") == []
    assert codes(client, q="nao vet cong") == [published["code"]]  # the published result
    staff = client.get("/api/v1/reports", params={"q": "ong tu"}, headers=personas["ioc_operator"]).json()
    assert [i["code"] for i in staff["items"]] == [published["code"]]


def test_public_relevance_puts_exact_diacritics_first(client, personas, db):
    flow = Flow(client, personas, db)
    exact = _publish(flow, "Cây đổ", "Cây đổ chắn đường.", "Cây đổ chắn đường Lý Thường Kiệt.")
    folded = _publish(flow, "Cay do", "Cay do chan duong.", "Cay do chan duong Ly Thuong Kiet.")
    assert codes(client, q="cây đổ") == [folded["code"], exact["code"]]
    assert codes(client, q="cây đổ", sort="relevance") == [exact["code"], folded["code"]]
    assert client.get("/api/v1/public/reports", params={"q": "?!"}).status_code == 422
