"""No personal data in logs (reliability-anchors row 7): every log record of the run is checked for the
planted reporter canaries — the factories' reporter (tests/factories.py) and the privacy tests' one.

A handler on the root logger sees every record (the `paht` and `uvicorn` loggers are opened to DEBUG),
with its formatted traceback, and remembers hits only. The autouse fixture fails the test during which
a canary was logged (teardown error naming the logger and the canary), so with pytest-xdist each worker
checks its own records and the report names the culprit; hits outside any test fail the session.
Servers run as subprocesses (tests/jobs, the crash harness) log elsewhere and are not seen here.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

# Name fragments, e-mail addresses and national phone numbers (without the leading 0 or +84).
CANARY_WORDS = ("Planted", "Canary-7f3a", "citizen.b@example.vn")
CANARY_PHONES = ("905111222", "912345678", "905000002")
OPENED_LOGGERS = ("paht", "uvicorn", "uvicorn.error", "uvicorn.access")


def _phone_pattern(digits: str) -> str:
    """0905 111 222, 0905-111-222, +84 905111222, 84905111222: any separators between digits."""
    separated = r"[\s.\-()]*".join(digits)
    return rf"(?<!\d)(?:\+?84|0)?[\s.\-()]*{separated}(?!\d)"


PATTERN = re.compile(
    "|".join([re.escape(w) for w in CANARY_WORDS] + [_phone_pattern(p) for p in CANARY_PHONES]), re.IGNORECASE
)


def find_canary(text: str) -> str | None:
    """The canary in `text` (composed or decomposed Vietnamese alike), or None."""
    found = PATTERN.search(unicodedata.normalize("NFC", text))
    return found.group(0) if found else None


@dataclass
class Hit:
    logger: str
    level: str
    canary: str


class CanaryHandler(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.hits: list[Hit] = []
        self.checked = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.checked += 1
        try:
            text = record.getMessage()
        except Exception:  # a broken format string is not this guard's business
            text = str(record.msg)
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        if (canary := find_canary(text)) and len(self.hits) < 100:
            self.hits.append(Hit(record.name, record.levelname, canary))

    def drain(self) -> list[Hit]:
        hits, self.hits = self.hits, []
        return hits


GUARD = CanaryHandler()


def pytest_configure(config: pytest.Config) -> None:
    logging.getLogger().addHandler(GUARD)
    for name in OPENED_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level > logging.DEBUG:
            logger.setLevel(logging.DEBUG)


@pytest.fixture(autouse=True)
def _no_personal_data_in_logs() -> Iterator[None]:
    GUARD.drain()  # hits before this test were already reported
    yield
    if hits := GUARD.drain():
        pytest.fail(f"personal data in the logs: {[f'{h.logger} {h.level}: {h.canary!r}' for h in hits]}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hits := GUARD.drain():
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"personal data in the logs outside any test: {hits}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
