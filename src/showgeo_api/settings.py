"""Typed settings read from the environment (and an optional `.env` in the working directory).

Every field maps to an upper-case variable of the same name; `.env.example` lists them all.
With nothing set, the platform runs on its embedded defaults (SQLite file, in-process bus,
in-memory rate limits, dev secrets); production mode refuses to start with the dev secrets.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from croniter import croniter
from dotenv import dotenv_values

DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-0123456789abcdef"  # noqa: S105
DEV_LIVEKIT_API_KEY = "devkey"
DEV_LIVEKIT_API_SECRET = "secret"  # noqa: S105
DEV_LOCALPAY_SECRET = "dev-only-localpay-secret-change-me-0123456789"  # noqa: S105


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class SettingsError(ValueError):
    """A setting is missing, malformed or unsafe; the message names the variable."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    showgeo_env: Environment = Environment.DEVELOPMENT
    database_url: str = "sqlite+aiosqlite:///./showgeo.db"
    database_pool_size: int = 10
    auto_migrate: bool | None = None
    """Apply migrations at start; default: on for SQLite (the embedded default), else off."""

    jwt_secret: str = DEV_JWT_SECRET
    jwt_previous_secrets: list[str] = msgspec.field(default_factory=list)
    """Secrets that signed access tokens before a rotation (comma-separated): they still
    verify those tokens, never sign new ones; remove them once ACCESS_TOKEN_TTL_SECONDS has
    passed since the rotation (docs/deployment.md)."""
    jwt_algorithm: str = "HS256"
    jwt_issuer: str = "showgeo"
    jwt_audience: str = "showgeo-api"
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_days: int = 30

    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4

    redis_url: str | None = None
    auth_rate_limit_per_client: int = 30
    """Login and register attempts per client address per window."""
    auth_rate_limit_per_account: int = 10
    """Login attempts per account (email) and registrations per email, per window."""
    auth_rate_limit_window_seconds: int = 60

    nats_url: str | None = None
    """NATS with JetStream for the event bus (e.g. `nats://127.0.0.1:4222`); without it events
    go through an in-process bus, which only reaches consumers in the same process."""
    nats_stream: str = "SHOWGEO"
    """The JetStream stream holding every `showgeo.>` subject (created or updated at start)."""
    nats_ack_wait_seconds: float = 30.0
    """A message a consumer took and neither acked nor refused in this long (its worker was
    killed mid-job) is delivered again, to whichever worker is up."""
    embedded_worker: bool = True
    """`showgeo serve` also runs the outbox relay, the event consumers and the scheduled jobs.
    Turn it off when `showgeo worker` runs them (needs NATS_URL: the in-process bus reaches
    no other process)."""
    analytics_cron: str = "0 2 * * *"
    """When the worker recomputes analytics (cron expression, in `SCHEDULER_TIMEZONE`)."""
    scheduler_timezone: str = "UTC"
    analytics_weight_followers: float = 0.3
    """Engagement score weights (docs/analytics.md): `0.3·Followers + 0.25·Viewers +
    0.2·StoreRevenue + 0.15·TicketsSold + 0.1·NotificationsSent` by default."""
    analytics_weight_viewers: float = 0.25
    analytics_weight_store_revenue: float = 0.2
    analytics_weight_tickets_sold: float = 0.15
    analytics_weight_notifications_sent: float = 0.1
    analytics_neighbours: int = 20
    """Most similar entities kept per entity by the recompute (recommendation candidates)."""
    analytics_user_chunk: int = 50_000
    """Users read per chunk while building interaction vectors (bounds the recompute's memory)."""
    analytics_job_lease_seconds: float = 120.0
    """A recompute whose heartbeat (every quarter of this) stopped this long ago was abandoned:
    a worker runs it again from the start (docs/reliability.md)."""

    max_request_body_bytes: int = 1_048_576
    """JSON bodies above this are refused with 413 (uploads have their own per-kind limits)."""

    ws_idle_timeout_seconds: float = 90.0
    """A notification socket silent this long is closed (clients `ping` every ~30 s)."""
    ws_send_queue_size: int = 256
    """Frames waiting for one slow socket before it is dropped (close code 1013)."""

    cors_allow_origins: list[str] = msgspec.field(default_factory=list)

    livekit_url: str = "ws://127.0.0.1:7880"
    livekit_api_key: str = DEV_LIVEKIT_API_KEY
    livekit_api_secret: str = DEV_LIVEKIT_API_SECRET
    livekit_api_url: str | None = None
    """Where this server calls LiveKit's API, when not at LIVEKIT_URL (a private address)."""
    livekit_manage_rooms: bool | None = None
    """Call LiveKit's RoomService and Ingress; default: on unless the keys are the dev keys
    (the embedded default has no media server: tokens are issued, room calls are skipped)."""
    livekit_token_ttl_seconds: int = 600
    """How long a stream token may be used to connect (LiveKit renews a live connection)."""
    stream_reconcile_seconds: float = 30.0
    """How often live streams' viewer counts are corrected from LiveKit's participant list."""
    livekit_egress_s3_bucket: str | None = None
    """When set (and LiveKit is managed), each LIVE event's room is recorded to an MP4 in
    this bucket through LiveKit's Egress API (docs/streaming.md)."""
    livekit_egress_s3_prefix: str = "recordings"
    livekit_egress_s3_region: str | None = None
    livekit_egress_s3_endpoint: str | None = None
    """An S3-compatible endpoint as the egress server reaches it (MinIO, R2); default: AWS."""
    livekit_egress_s3_access_key: str | None = None
    """Default: the egress server's own credentials (environment, instance role)."""
    livekit_egress_s3_secret: str | None = None
    livekit_egress_s3_force_path_style: bool = False

    geo_trusted_proxies: list[str] = msgspec.field(default_factory=list)
    """Addresses or CIDR blocks of the proxies/CDN in front of the API; only their location
    and X-Forwarded-For headers are believed (comma-separated)."""
    geo_country_header: str | None = "cf-ipcountry"
    geo_latitude_header: str | None = "cf-iplatitude"
    geo_longitude_header: str | None = "cf-iplongitude"
    geo_forwarded_for_header: str = "x-forwarded-for"
    geoip_database: str | None = None
    """A MaxMind GeoIP2/GeoLite2 Country or City `.mmdb` file to locate viewers by address."""
    geo_unknown_location: Literal["refuse", "allow"] = "refuse"
    """What a geofenced stream does with a viewer whose place cannot be told."""

    public_base_url: str = "http://127.0.0.1:8000"
    """Where clients reach this API; checkout links (localpay's page) are built on it."""
    localpay_secret: str = DEV_LOCALPAY_SECRET
    """Signs localpay checkout links and notices."""
    reservation_ttl_minutes: int = 15
    """How long a placed order holds its seats and stock while the buyer pays."""

    stripe_secret_key: str | None = None
    """When set, Stripe is the payment provider (localpay is not offered at all)."""
    stripe_webhook_secret: str | None = None
    """The endpoint's signing secret (`whsec_…`); required in production with Stripe."""
    stripe_api_base: str | None = None
    """Another address for Stripe's API (a local fake or mock in tests); default: Stripe's."""

    assets_local_dir: str = "./var/assets"
    """Where uploaded files live when no S3 bucket is set (relative to the working directory)."""
    s3_bucket: str | None = None
    """When set, uploads go to this S3 (or S3-compatible) bucket instead of the local folder."""
    s3_endpoint_url: str | None = None
    """Another S3-compatible endpoint (MinIO, R2, moto in tests); default: AWS."""
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    """Default: the standard AWS credential chain (environment, profile, instance role)."""
    s3_secret_access_key: str | None = None
    asset_max_image_bytes: int = 20 * 1024 * 1024
    asset_max_audio_bytes: int = 200 * 1024 * 1024
    asset_max_video_bytes: int = 2048 * 1024 * 1024
    asset_max_document_bytes: int = 50 * 1024 * 1024
    asset_max_image_pixels: int = 50_000_000
    """Decompression-bomb limit: images with more pixels are refused before decoding."""
    asset_download_ttl_seconds: int = 300
    """How long a presigned download link (S3) stays valid."""
    asset_upload_ttl_seconds: int = 900
    """How long a direct-upload link stays valid."""
    assets_sweep_cron: str = "*/30 * * * *"
    """When the worker removes direct uploads never completed and fails images whose variant
    job was lost (cron, `SCHEDULER_TIMEZONE`)."""

    smtp_url: str | None = None
    """`smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://user:pass@host:465`
    (TLS from the start): mail goes to this server. Unset: each mail is written as an
    `.eml` file into MAIL_DIR instead (docs/mail.md)."""
    mail_from: str = "Showgeo <noreply@showgeo.localhost>"
    """The From of every mail; its domain also ends each Message-ID."""
    mail_dir: str = "./mail"
    """Where mails are written as `.eml` files when SMTP_URL is not set."""
    mail_hourly_cap: int = 20
    """Mails one address may receive per hour; the ones beyond are recorded, not sent."""
    mail_concurrency: int = 4
    """Mails sent at once by one process."""

    metrics_token: str | None = None
    """When set, `GET /metrics` needs `Authorization: Bearer <this>`; when not, it is open
    outside production and answers 404 in production (docs/metrics.md)."""

    @property
    def manages_media_rooms(self) -> bool:
        if self.livekit_manage_rooms is not None:
            return self.livekit_manage_rooms
        return self.livekit_api_key != DEV_LIVEKIT_API_KEY

    @property
    def uses_stripe(self) -> bool:
        return bool(self.stripe_secret_key)

    @property
    def is_production(self) -> bool:
        return self.showgeo_env is Environment.PRODUCTION

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def uses_memory(self) -> bool:
        """`DATABASE_URL=memory://` keeps everything in the process (embedding, quick demos)."""
        return self.database_url.startswith("memory:")

    @property
    def should_auto_migrate(self) -> bool:
        return self.uses_sqlite if self.auto_migrate is None else self.auto_migrate

    def __post_init__(self) -> None:
        if not self.embedded_worker and not self.nats_url:
            raise SettingsError(
                "EMBEDDED_WORKER=false needs NATS_URL: the in-process bus reaches no worker"
            )
        try:
            ZoneInfo(self.scheduler_timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingsError(f"SCHEDULER_TIMEZONE: unknown time zone {exc}") from exc
        if not croniter.is_valid(self.analytics_cron):
            raise SettingsError(f"ANALYTICS_CRON: {self.analytics_cron!r} is not a cron expression")
        if self.analytics_job_lease_seconds <= 0 or self.nats_ack_wait_seconds <= 0:
            raise SettingsError(
                "ANALYTICS_JOB_LEASE_SECONDS and NATS_ACK_WAIT_SECONDS must be positive"
            )
        if self.smtp_url and not self.smtp_url.startswith(("smtp://", "smtps://")):
            raise SettingsError("SMTP_URL must start with smtp:// or smtps://")
        if self.mail_hourly_cap < 1 or self.mail_concurrency < 1:
            raise SettingsError("MAIL_HOURLY_CAP and MAIL_CONCURRENCY must be positive")
        if self.ws_idle_timeout_seconds <= 0 or self.ws_send_queue_size < 1:
            raise SettingsError("WS_IDLE_TIMEOUT_SECONDS and WS_SEND_QUEUE_SIZE must be positive")

    def check_safe_for_production(self) -> None:
        if not self.is_production:
            return
        if self.jwt_secret == DEV_JWT_SECRET or len(self.jwt_secret) < 32:
            raise SettingsError(
                "JWT_SECRET must be set to a secret of 32+ characters in production"
            )
        if any(old == DEV_JWT_SECRET or len(old) < 32 for old in self.jwt_previous_secrets):
            raise SettingsError(
                "JWT_PREVIOUS_SECRETS must hold only secrets of 32+ characters, never the dev "
                "secret, in production"
            )
        if DEV_LIVEKIT_API_KEY in (self.livekit_api_key,) or (
            self.livekit_api_secret == DEV_LIVEKIT_API_SECRET
        ):
            raise SettingsError("LIVEKIT_API_KEY and LIVEKIT_API_SECRET must be set in production")
        if self.uses_memory:
            raise SettingsError(
                "DATABASE_URL=memory:// loses everything on restart; not in production"
            )
        if not self.uses_stripe and (
            self.localpay_secret == DEV_LOCALPAY_SECRET or len(self.localpay_secret) < 32
        ):
            raise SettingsError(
                "LOCALPAY_SECRET must be set to a secret of 32+ characters in production"
            )
        if self.uses_stripe and not self.stripe_webhook_secret:
            raise SettingsError(
                "STRIPE_WEBHOOK_SECRET must be set in production when STRIPE_SECRET_KEY is"
            )


_LIST_FIELDS = {"geo_trusted_proxies", "cors_allow_origins", "jwt_previous_secrets"}


def load_settings(
    environ: Mapping[str, str] | None = None, *, env_file: Path | None = Path(".env")
) -> Settings:
    """Settings from `environ` (default: the process environment) over an optional `.env`.

    Raises SettingsError with the variable's name when a value does not parse.
    """
    source: dict[str, str] = {}
    if env_file is not None and env_file.is_file():
        source.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    source.update(os.environ if environ is None else environ)
    raw: dict[str, object] = {}
    for name in Settings.__struct_fields__:
        value = source.get(name.upper())
        if value is None or value == "":
            continue
        raw[name] = (
            [v.strip() for v in value.split(",") if v.strip()] if name in _LIST_FIELDS else value
        )
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise SettingsError(_name_the_variable(str(exc))) from exc
    settings.check_safe_for_production()
    return settings


def _name_the_variable(message: str) -> str:
    # msgspec says "... - at `$.database_pool_size`"; users know the variable, not the path.
    head, found, path = message.partition(" - at `$.")
    if not found:
        return message
    return f"{path.split('`')[0].split('[')[0].upper()}: {head}"
