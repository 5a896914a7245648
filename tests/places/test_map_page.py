"""The public map page /ban-do: server-rendered, Vietnamese by default, its script served under the CSP."""

from __future__ import annotations

from tests.flow import Flow


def test_the_map_page_renders_with_filters_and_its_own_script(client):
    page = client.get("/ban-do", params={"q": "đèn <b>", "category_id": "2"})
    assert page.status_code == 200
    assert "Bản đồ phản ánh" in page.text
    assert 'data-reports-url="/api/v1/public/reports.geojson"' in page.text
    assert 'data-q="đèn &lt;b&gt;"' in page.text  # escaped
    assert '<script src="/ban-do/ban-do.js"></script>' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    english = client.get("/ban-do", params={"lang": "en"})
    assert "Map of reports" in english.text
    script = client.get("/ban-do/ban-do.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "markerClusterGroup" in script.text and "toBBoxString" in script.text


def test_the_map_data_can_be_searched(client, personas, db):
    published = Flow(client, personas, db).to_state("published")

    def codes(q: str) -> list[str]:
        response = client.get("/api/v1/public/reports.geojson", params={"q": q})
        return [f["properties"]["code"] for f in response.json()["features"]]

    assert codes("den duong") == [published["code"]]
    assert codes("ngap") == []
