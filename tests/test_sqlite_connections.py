"""Every SQLite connection PAHT opens reads the file through one shared memory map (paht.db).

Each connection has its own small page cache; with the request threads spread over a pool of reader
connections, most reads would otherwise copy pages from the OS cache into that connection's cache
(issue 7: W5 spent ~12 % more CPU per request in SQLite with 20 connections than with one).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from paht.db import SQLITE_MMAP_BYTES, Database


def test_readers_writers_and_the_loop_reader_map_the_file(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'mapped.sqlite3'}")
    try:
        for engine in (database.engine, database.read_engine, database.loop_reader):
            with engine.connect() as connection:
                mapped = connection.execute(text("PRAGMA mmap_size")).scalar_one()
            # SQLite caps the map at its build's SQLITE_MAX_MMAP_SIZE (2 GB on Debian).
            assert 0 < mapped <= SQLITE_MMAP_BYTES
            assert mapped >= min(SQLITE_MMAP_BYTES, 2**31 - 2**16)
    finally:
        database.dispose()
