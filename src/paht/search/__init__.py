"""Diacritic-insensitive search over reports, on SQLite FTS5 and PostgreSQL full-text alike."""
