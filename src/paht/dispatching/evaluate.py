"""`paht routing evaluate`: how good is the dispatch help, on a generated history held out by time.

Train on the older 80 % of the history and measure on the newer 20 %, exactly as the production code
would have answered at the time: the same model class, the same vote combination, the same duplicate
scorer. Baseline: "the category's default body", which is what an operator gets with no help.
"""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass, field
from datetime import timedelta

from paht.config import Settings
from paht.demo import data
from paht.dispatching import duplicates
from paht.dispatching.history import HistoricalReport, default_body, generate
from paht.dispatching.model import Example
from paht.dispatching.suggestions import LOCAL_KINDS, combine, model_votes, prior_votes
from paht.dispatching.training import BODY, CATEGORY, fit
from paht.places.geometry import distance_m

KINDS = {code: kind for code, _name, _en, kind, _parent in data.ORGANIZATIONS}


@dataclass
class Evaluation:
    reports: int
    trained_on: int
    tested_on: int
    figures: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _local(category: str | None) -> bool:
    if category is None:
        return False
    default = default_body(category)
    return default is None or KINDS.get(default) in LOCAL_KINDS


def _share(hits: int, total: int) -> float:
    return round(hits / total, 4) if total else 0.0


def _suggestions(result: Evaluation, train: list[HistoricalReport], test: list[HistoricalReport]) -> None:
    started = time.perf_counter()
    model = fit(BODY, [Example(h.text, h.category, h.area, h.label, h.at) for h in train])
    assert model is not None
    result.seconds["train_body_model"] = round(time.perf_counter() - started, 2)
    predictions = model.predict_many([(h.text, h.category, h.area) for h in test])
    hits = {"baseline": 0, "model1": 0, "model3": 0, "top1": 0, "top3": 0, "first_dispatch": 0}
    for report, predicted in zip(test, predictions, strict=True):
        votes = model_votes(predicted, len(train)) + prior_votes(
            area_body=report.area,
            area_name=report.area,
            local=_local(report.category),
            default_body=default_body(report.category),
            has_model=True,
        )
        ranked = [s.body for s in combine(votes)]
        hits["baseline"] += default_body(report.category) == report.body
        hits["first_dispatch"] += report.first_dispatch == report.body
        hits["model1"] += predicted[0][0] == report.body
        hits["model3"] += report.body in [b for b, _ in predicted[:3]]
        hits["top1"] += ranked[:1] == [report.body]
        hits["top3"] += report.body in ranked
    result.figures |= {
        "baseline_category_default_top1": _share(hits["baseline"], len(test)),
        "simulated_operator_first_dispatch_top1": _share(hits["first_dispatch"], len(test)),
        "model_only_top1": _share(hits["model1"], len(test)),
        "model_only_top3": _share(hits["model3"], len(test)),
        "suggestions_top1": _share(hits["top1"], len(test)),
        "suggestions_top3": _share(hits["top3"], len(test)),
    }


def _categories(result: Evaluation, train: list[HistoricalReport], test: list[HistoricalReport]) -> None:
    examples = [Example(h.text, None, h.area, h.category, h.at) for h in train if h.category]
    model = fit(CATEGORY, examples)
    assert model is not None
    predictions = model.predict_many([(h.text, None, h.area) for h in test])
    top1 = sum(p[0][0] == h.true_category for h, p in zip(test, predictions, strict=True))
    top3 = sum(h.true_category in [c for c, _ in p] for h, p in zip(test, predictions, strict=True))
    result.figures |= {"category_top1": _share(top1, len(test)), "category_top3": _share(top3, len(test))}


def _duplicates(result: Evaluation, history: list[HistoricalReport], test_from: int, settings: Settings) -> None:
    """At triage only earlier reports exist: each test report is compared with those before it."""
    window = timedelta(days=settings.duplicate_window_days)
    times = [h.at for h in history]
    root = {h.key: h.duplicate_of if h.duplicate_of is not None else h.key for h in history}
    predicted = correct = listed = 0
    actual = sum(1 for h in history[test_from:] if h.duplicate_of is not None)
    for index in range(test_from, len(history)):
        report = history[index]
        earlier = history[bisect.bisect_left(times, report.at - window) : index]
        near = [h for h in earlier if distance_m(report.lat, report.lon, h.lat, h.lon) <= settings.duplicate_distance_m]
        docs = [duplicates.Doc(h.key, h.at, h.lat, h.lon, h.category, h.text) for h in near]
        me = duplicates.Doc(report.key, report.at, report.lat, report.lon, report.category, report.text)
        matches = duplicates.rank(
            me,
            docs,
            distance_limit=settings.duplicate_distance_m,
            window=window,
            threshold=settings.duplicate_min_score,
        )
        if not matches:
            continue
        predicted += 1
        truth = report.duplicate_of
        correct += truth is not None and root[matches[0].doc.key] == root[truth]  # type: ignore[index]
        listed += truth is not None and any(root[m.doc.key] == root[truth] for m in matches[:10])  # type: ignore[index]
    result.figures |= {
        "duplicates_precision": _share(correct, predicted),
        "duplicates_recall": _share(correct, actual),
        "duplicates_recall_in_top10": _share(listed, actual),
    }
    result.counts |= {"duplicates_actual": actual, "duplicates_flagged": predicted}


def evaluate(settings: Settings, *, reports: int = 20_000, seed: int = 6) -> Evaluation:
    started = time.perf_counter()
    history = generate(reports, seed=seed)
    split = int(len(history) * 0.8)
    train, test = history[:split], history[split:]
    result = Evaluation(reports=len(history), trained_on=len(train), tested_on=len(test))
    result.seconds["generate"] = round(time.perf_counter() - started, 2)
    _suggestions(result, train, test)
    _categories(result, train, test)
    started = time.perf_counter()
    _duplicates(result, history, split, settings)
    result.seconds["duplicates"] = round(time.perf_counter() - started, 2)
    return result
