"""Group commit for SQLite: commits made durable together by one flush of the write-ahead log (issue 7).

With `synchronous=FULL` every COMMIT flushes the WAL itself, while it holds SQLite's one write lock (and
PAHT's writer queue, `paht.writerqueue`): each writer waited for its own flush before the next could
start. Here the writer connections run `synchronous=NORMAL` — a COMMIT writes its frames to the WAL
without flushing — and each commit then waits, after handing the write lock on, until a `fdatasync` of the
WAL file that began after its COMMIT has returned. The first waiter flushes; commits that arrive meanwhile
wait for the next flush, which covers them all. The WAL is written in order, so a flush that covers a
commit covers every commit before it, and SQLite itself flushes the WAL before each checkpoint and the
database file after it (the NORMAL contract), so nothing acknowledged is left to a flush that never comes.

What the caller sees is unchanged: `Session.commit()` returns once the transaction is on disk, so a 201
still means durable. What differs: another connection may read a commit a fraction of a millisecond
before it is durable. Readers only show it; anything that acts on it writes first, and its own commit
waits for a flush that covers the one it read.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path


class WalFlusher:
    """One SQLite file's WAL flushes, shared by the commits of this process that wait for them."""

    def __init__(self, database: Path) -> None:
        self.wal = Path(f"{database}-wal")
        self._changed = threading.Condition()
        self._committed = 0  # commits made so far, numbered in order
        self._flushed = 0  # every commit numbered up to this one is on disk
        self._flushing = False
        self._fd: int | None = None
        self._inode: int | None = None

    def committed(self) -> None:
        """Wait until the commit just made is durable (call after COMMIT, outside the write lock)."""
        self.wait_for(self.commit_made())

    def commit_made(self) -> int:
        """Number the commit just made (call after COMMIT); `wait_for` that number waits until it is durable.

        Split from the wait so that a writer can hand its connection on first (`paht.writerqueue.WriterSession`)."""
        with self._changed:
            self._committed += 1
            return self._committed

    def wait_for(self, ticket: int) -> None:
        """Return once a flush that began after commit number `ticket` has returned."""
        with self._changed:
            while self._flushed < ticket:
                if self._flushing:
                    self._changed.wait()
                    continue
                self._flushing = True
                covered = self._committed  # every commit numbered so far has written its frames
                try:
                    self._changed.release()
                    try:
                        self._flush()
                    finally:
                        self._changed.acquire()
                finally:
                    self._flushing = False
                    self._changed.notify_all()
                self._flushed = max(self._flushed, covered)

    def _flush(self) -> None:
        """fdatasync the WAL; a WAL created since the last flush is opened and its directory entry flushed."""
        try:
            inode = os.stat(self.wal).st_ino
        except FileNotFoundError:
            return  # no WAL: its last commits were checkpointed into the database file, which SQLite flushed
        if inode != self._inode:
            self._reopen()
            if self._fd is None:
                return
        assert self._fd is not None
        os.fdatasync(self._fd)

    def _reopen(self) -> None:
        self.close()
        try:
            fd = os.open(self.wal, os.O_RDONLY)
        except FileNotFoundError:
            return
        self._fd, self._inode = fd, os.fstat(fd).st_ino
        directory = os.open(self.wal.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the new file's name, so that a power loss cannot leave the WAL unnamed
        finally:
            os.close(directory)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
        self._fd = self._inode = None
