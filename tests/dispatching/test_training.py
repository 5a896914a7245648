"""What the history teaches, the nightly job, and the measured quality on a generated history."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from paht.clock import frozen_at, utc_now
from paht.config import Settings
from paht.dispatching.evaluate import evaluate
from paht.dispatching.jobs import JOB_KIND, next_run, schedule_next
from paht.dispatching.training import body_examples
from paht.jobs.worker import run_pending
from paht.models import Category, Job, RoutingModel
from tests.flow import Flow


def test_labels_come_from_acknowledged_dispatches_and_returns_suggestions(client, personas, db):
    flow = Flow(client, personas, db)
    kept = flow.submit(title="kept")
    flow.act(kept, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    flow.act(kept, "handler_a", "acknowledge")
    returned = flow.submit(title="returned")
    flow.act(returned, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    flow.act(
        returned, "handler_a", "return", reason="Không thuộc thẩm quyền", suggested_organization_id=flow.orgs["PHUHOI"]
    )
    redispatched = flow.submit(title="redispatched")
    flow.act(redispatched, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    flow.act(redispatched, "handler_a", "return", reason="Của phường", suggested_organization_id=flow.orgs["UBNDTP"])
    flow.act(redispatched, "ioc_operator", "dispatch", organization_id=flow.orgs["PHUHOI"])
    flow.act(redispatched, "handler_b", "acknowledge")
    waiting = flow.submit(title="waiting")
    flow.act(waiting, "ioc_operator", "dispatch", organization_id=flow.orgs["SXD"])
    flow.submit(title="new")
    with db.read() as session:
        labels = {e.text.split("\n")[0]: (e.label, e.area) for e in body_examples(session)}
    assert labels == {"kept": ("SXD", "PHUHOI"), "returned": ("PHUHOI", "PHUHOI"), "redispatched": ("PHUHOI", "PHUHOI")}


def test_the_nightly_job_trains_and_books_the_next_night(client, personas, db, settings):
    flow = Flow(client, personas, db)
    with db.read() as session:
        categories = dict(session.execute(select(Category.code, Category.id)).all())
    for index in range(24):
        body, handler, category = (
            ("SXD", "handler_a", "NGAP_UNG") if index % 2 else ("PHUHOI", "handler_b", "LAN_CHIEM")
        )
        text = "Đường ngập sâu sau mưa" if index % 2 else "Hàng quán lấn chiếm vỉa hè"
        report = flow.submit(title=f"{text} {index}", description=text, category_id=categories[category])
        flow.act(report, "ioc_operator", "dispatch", organization_id=flow.orgs[body])
        flow.act(report, handler, "acknowledge")
    with db.write() as session:
        job_id = schedule_next(session, settings)
        assert job_id is not None and schedule_next(session, settings) is None  # one per night
        run_after = session.get(Job, job_id).run_after  # type: ignore[union-attr]
    assert run_after == next_run(settings, utc_now())
    assert run_after.astimezone(ZoneInfo(settings.timezone)).hour == settings.routing_retrain_hour
    with frozen_at(run_after + timedelta(minutes=1)):
        assert run_pending(db, settings) >= 1
    with db.read() as session:
        assert {m.kind for m in session.scalars(select(RoutingModel))} == {"body", "category"}
        jobs = list(session.scalars(select(Job).where(Job.kind == JOB_KIND).order_by(Job.id)))
    assert [j.status for j in jobs] == ["done", "pending"]
    assert jobs[1].run_after - jobs[0].run_after == timedelta(days=1)
    ngap = flow.submit(title="Ngập", description="Đường ngập sâu sau mưa lớn", category_id=categories["NGAP_UNG"])
    response = client.get(f"/api/v1/reports/{ngap['id']}/suggestions", headers=personas["ioc_operator"]).json()
    assert response["items"][0]["organization"]["code"] == "SXD"
    assert response["model"]["examples"] == 24


def test_suggestions_beat_the_category_default_on_a_generated_history():
    result = evaluate(Settings(), reports=2500, seed=3)
    figures = result.figures
    assert result.trained_on == 2000 and result.tested_on == 500
    assert figures["suggestions_top1"] > figures["baseline_category_default_top1"] + 0.2
    assert figures["suggestions_top3"] >= figures["suggestions_top1"]
    assert figures["category_top1"] > 0.7
    assert figures["duplicates_precision"] > 0.4
    assert figures["duplicates_recall"] > 0.4
