"""One Settings object for the whole application, read from `PAHT_*` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PAHT_", env_file=".env", extra="ignore")

    environment: str = Field("development", description="development | production")
    database_url: str = "sqlite:///./var/paht.sqlite3"
    data_dir: Path = Path("./var")
    timezone: str = "Asia/Ho_Chi_Minh"

    # Office hours for normal reports (local time); urgent reports and the acknowledgement run 24/7.
    office_morning: str = "07:30-11:30"
    office_afternoon: str = "13:30-17:00"
    dispatch_minutes: int = 30
    acknowledge_minutes: int = 30
    approve_working_days: int = 1
    publish_working_days: int = 1

    # Separation of duties: a leader may approve their own result only in one-person offices.
    allow_self_approval: bool = False

    token_ttl_hours: int = 12
    idempotency_lock_seconds: int = 60
    idempotency_retention_hours: int = 48

    upload_max_bytes: int = 10 * 1024 * 1024
    upload_max_pixels: int = 40_000_000
    public_photo_max_side: int = 1600

    run_worker_in_process: bool = True
    worker_poll_seconds: float = 2.0
    sweep_interval_seconds: int = 60
    job_max_attempts: int = 8

    public_location_decimals: int = 3
    notice_version: str = "2026-01"


@lru_cache
def get_settings() -> Settings:
    return Settings()
