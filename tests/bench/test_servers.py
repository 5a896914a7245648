"""The servers under test run on a CPU of their own, apart from the load generator (bench.servers)."""

from __future__ import annotations

import os
from datetime import datetime

import pytest

from bench import servers
from paht.benchdata.load import generate


@pytest.fixture
def city(database_url, settings):
    generate(database_url, settings, reports=20, seed=3, anchor=datetime(2026, 11, 2))
    return database_url


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="a server of its own needs a second CPU")
def test_a_server_started_after_the_client_is_pinned_gets_the_cpu_the_client_left(city, tmp_path):
    before = os.sched_getaffinity(0)
    try:
        servers.pin_client()  # as bench.run and bench.profile do, before they start the servers
        client = os.sched_getaffinity(0)
        server = servers.start("raw", city, tmp_path)
        try:
            assert os.sched_getaffinity(server.process.pid) == {servers.server_cpu()}
        finally:
            server.stop()
    finally:
        os.sched_setaffinity(0, before)
    assert servers.server_cpu() not in client and client
