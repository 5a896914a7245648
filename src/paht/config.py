"""One Settings object for the whole application, read from `PAHT_*` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

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
    # Upload malware scanning (issue 8 item 6, helper E): "off", or "clamav" (Debian's clamav package).
    # With a scanner, a photo stays unserved until a job has scanned it clean; an infected one is quarantined.
    upload_scanner: Literal["off", "clamav"] = "off"
    clamav_daemon: bool = False  # clamdscan (a running clamd keeps the signatures loaded) instead of clamscan
    clamav_database: str | None = None  # clamscan -d: a signature file or folder (default: freshclam's)
    upload_scan_timeout_seconds: float = 300.0

    # Web hardening (issue 8 item 5, helper E). api_docs: None = on in development, off in production.
    api_docs: bool | None = None
    cors_allowed_origins: list[str] = []  # e.g. ["https://app.hue.gov.vn"]; empty: no CORS headers at all

    run_worker_in_process: bool = True
    worker_poll_seconds: float = 2.0
    sweep_interval_seconds: int = 60
    job_max_attempts: int = 8
    # Crash safety (issue 8 item 1): a job whose worker died is claimed again after this long; it must be
    # longer than any job runs (an outbox send waits at most channel_http_timeout_seconds per call).
    job_stale_claim_seconds: int = 600

    # Threads that run the routes' blocking work (plain `def` routes and dependencies, database calls).
    # 0: on SQLite, twice the CPUs this process may run on — its queries run on those CPUs, so more threads
    # only take turns with each other (W4 at 1 M reports: 22.8 ms of CPU per search with anyio's 40 threads,
    # 19.5 ms with 2, medians of three runs); on PostgreSQL 16 (paht.main.POSTGRES_ROUTE_THREADS: the
    # database works in processes of its own, but more threads only wait for the GIL). The database pool
    # keeps a connection for each of them, plus a few.
    route_threads: int = Field(0, ge=0)

    public_location_decimals: int = 3
    # Answer GET /api/v1/public/reports/{code} without the framework (paht.publishing.fast; same document).
    public_fast_path: bool = True
    # Answer plain pages of GET /api/v1/reports without the framework's dependency solving (paht.reports.fast).
    staff_list_fast_path: bool = True
    # Take POST /api/v1/reports before the framework (paht.intake.fast; the route's own function and answer).
    submit_fast_path: bool = True
    # FastAPI's native OpenTelemetry spans, metrics and logs (paht.main). Off unless asked: even with no
    # provider configured, FastAPI looks the global providers up on every request (~17 µs, 7 % of W2).
    telemetry: bool = False
    # How long one answer of GET /api/v1/public/stats is served again (paht.stats.public_cache); 0: never.
    public_stats_cache_seconds: float = 30
    notice_version: str = "2026-01"
    # Personal data (issue 8 item 8, paht.privacy): contact details of reports closed longer than this are
    # anonymised by the worker (checked every retention_interval_seconds) and `paht privacy retention`.
    retention_contact_days: int = 365
    retention_interval_seconds: int = 3600

    # Search, duplicates and dispatch suggestions (issue 6, docs/search-and-routing.md).
    search_relevance_candidates: int = 2000  # sort=relevance ranks only this many newest matches
    duplicate_distance_m: float = 200.0
    duplicate_window_days: int = 14
    duplicate_min_score: float = 0.65  # likely duplicates below this score are not shown
    routing_local_categories: list[str] = []  # category codes handled by the area's People's Committee
    routing_retrain_hour: int = 2  # local hour of the nightly retraining of the suggestion models
    routing_schedule_seconds: int = 3600  # how often a worker checks that the nightly retraining is booked

    # Statistics (issue 5, docs/statistics.md): the ranking's composite score weights and who is ranked.
    stats_weight_acknowledge: float = 0.2
    stats_weight_resolve: float = 0.4
    stats_weight_approve: float = 0.1
    stats_weight_satisfaction: float = 0.3
    stats_ranking_min_volume: int = 10  # bodies that received fewer reports in the period are shown unranked

    # Web consoles and portal (issue 3): browser sessions and maps.
    session_idle_minutes: int = 30
    session_absolute_hours: int = 12
    # Staff accounts (issue 8 item 4, helper C): password policy, TOTP second factor, API token idle timeout.
    password_min_length: int = 14  # without a second factor (ASVS 6.2.1 recommends 15; NIST 800-63B: 15)
    password_min_length_with_totp: int = 8
    password_max_length: int = 128
    totp_required_roles: list[str] = ["admin", "ioc_operator", "ioc_editor"]  # other staff may enrol
    totp_issuer: str = "PAHT"  # the name authenticator apps show
    totp_attempts: int = 5  # wrong codes allowed per account per window, then 429
    totp_attempt_window_seconds: int = 300
    login_pending_minutes: int = 5  # time to enter the code after the password
    token_idle_minutes: int = 30  # an API token unused this long stops working (absolute: token_ttl_hours)
    # A tile URL template such as https://tile.example.vn/{z}/{x}/{y}.png; None: maps without a base layer.
    map_tiles_url: str | None = None
    map_tiles_attribution: str | None = None
    map_center_lat: float = 16.4637
    map_center_lon: float = 107.5909

    # Channels (issue 4, docs/channels.md). A channel whose credentials are unset is switched off.
    public_url: str = "http://127.0.0.1:8000"  # the address citizens and Open311 clients reach PAHT at
    # Links sent to citizens; {public_url} and {code} are filled in.
    track_link: str = "{public_url}/api/v1/track/{code}"
    result_link: str = "{public_url}/api/v1/public/reports/{code}"
    channel_followup_minutes: int = 60  # chat messages this close to the last one join the same report
    channel_retry_hours: int = 48  # a reply still failing after this long stops and is shown to admins
    channel_http_timeout_seconds: float = 10.0
    ack_reminder_minutes: int = 20  # staff reminder for a dispatch not yet acknowledged (the limit is 30)
    staff_email: bool = True  # staff notifications also by e-mail (needs PAHT_SMTP_HOST)
    facebook_app_secret: str | None = None
    facebook_verify_token: str | None = None
    facebook_page_token: str | None = None
    facebook_api_base: str = "https://graph.facebook.com/v21.0"
    facebook_update_tag: str = "ACCOUNT_UPDATE"  # message tag for updates after Messenger's 24-hour window
    zalo_app_id: str | None = None
    zalo_oa_secret_key: str | None = None
    zalo_access_token: str | None = None
    zalo_api_base: str = "https://openapi.zalo.me"
    zalo_max_skew_seconds: int = 300  # older (or future) webhook timestamps are refused as replays
    imap_host: str | None = None
    imap_port: int = 993
    imap_ssl: bool = True
    imap_user: str | None = None
    imap_password: str | None = None
    imap_folder: str = "INBOX"
    imap_poll_seconds: int = 60
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_starttls: bool = True
    smtp_ssl: bool = False
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "PAHT <phananh@localhost>"
    smtp_receiver_host: str = "127.0.0.1"
    smtp_receiver_port: int = 2525
    email_max_bytes: int = 25 * 1024 * 1024  # a larger e-mail is answered from its headers, never downloaded
    open311_jurisdiction_id: str = "hue.gov.vn"
    open311_service_type: str = "realtime"  # realtime: POST returns the id; batch: a token for tokens/{token}
    open311_contact: str = "Trung tâm IOC — phananh@localhost"
    open311_key_service: str = "Xin khoá API (api_key) từ quản trị viên PAHT (ask a PAHT administrator)."

    # Abuse limits (issue 8 item 3, helper B; docs/abuse.md). Counted in the database, so every worker
    # process shares them. Client addresses come from X-Forwarded-For only when the connection comes from
    # one of `trusted_proxies` (addresses or networks, e.g. ["10.0.0.0/8"]; ASVS 4.1.3).
    trusted_proxies: list[str] = []
    submit_window_seconds: int = 3600
    submit_limit_per_device: int = 20  # X-Device-Id of the mobile app
    submit_limit_per_account: int = 20  # a signed-in citizen (and the hotline desk: see per_staff)
    submit_limit_per_staff: int = 200  # an IOC operator entering hotline calls
    submit_limit_per_ip: int = 200  # generous: mobile carriers put many citizens behind one address
    submit_limit_per_sender: int = 10  # a Facebook, Zalo or e-mail sender, or an Open311 key
    login_pair_failures: int = 5  # wrong passwords for one account from one address, then a lock
    login_pair_lock_seconds: int = 900
    login_account_free_failures: int = 20  # per account from all addresses, then a growing delay
    login_account_max_delay_seconds: int = 60  # the cap of that delay (60 s: at most ~85 failures an hour)
    login_account_window_seconds: int = 3600  # the account's count ends after this long without failures
    login_ip_failures: int = 50  # per address across accounts (password spraying)
    login_ip_window_seconds: int = 900
    login_known_days: int = 30  # an address that signed in to the account is "known" this long


@lru_cache
def get_settings() -> Settings:
    return Settings()
