"""Generated cities for tests that only read them: one per module and database (`paht bench-data`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest

from paht.benchdata.load import LoadSummary, generate
from paht.config import Settings
from tests.conftest import BACKENDS, RELAXED_LIMITS, fresh_copy


def shared_city(*, reports: int, seed: int, anchor: datetime):  # type: ignore[no-untyped-def]
    """A module fixture: (url, summary) of a city generated once per backend. Generating takes seconds;
    the tests that share it read it, or change one row in a way the others do not look at."""

    @pytest.fixture(scope="module", params=BACKENDS)
    def fixture(request, templates, tmp_path_factory) -> Iterator[tuple[str, LoadSummary]]:  # type: ignore[no-untyped-def]
        directory = tmp_path_factory.mktemp("city")
        for url in fresh_copy(request, templates, directory):
            settings = Settings(
                database_url=url, data_dir=directory / "data", run_worker_in_process=False, **RELAXED_LIMITS
            )
            yield url, generate(url, settings, reports=reports, seed=seed, anchor=anchor)

    return fixture
