"""Service configuration (environment variables prefixed ``NEARMISS_``).

Only entry points (worker, API start-up, CLI) instantiate :class:`Settings`; workflows get the
values they need through their inputs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from domain.calendar import CalendarConfig

DEV_TOKEN_SECRET = "dev-token-secret-change-me-0123456789abcdef"
# 32 bytes, base64: only accepted when NEARMISS_ENV=development.
DEV_ENCRYPTION_KEY = "ZGV2LWVuY3J5cHRpb24ta2V5LWNoYW5nZS1tZS0wMTI="
# Ed25519 seed (32 bytes, base64) that signs register entries; development only.
DEV_SIGNING_KEY = "ZGV2LXJlZ2lzdGVyLXNpZ25pbmcta2V5LWNoYW5nZS0="
LOCAL = " (on your own machine: NEARMISS_ENV=development)"
DEV_ENV = {"NEARMISS_ENV": "development"}
"""What ``make run`` and ``nearmiss dev`` put in their own environment (and their children's)."""


class Settings(BaseSettings):
    """Every configurable value; secrets refuse their development defaults outside development."""

    model_config = SettingsConfigDict(env_prefix="NEARMISS_", extra="ignore")

    # Production unless told otherwise: `make run` and `nearmiss dev` set development themselves.
    env: Literal["development", "test", "production"] = "production"
    data_dir: Path = Path("var")
    database_url: str = ""
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_task_queue: str = "nearmiss"
    temporal_ui_port: int = 8233
    temporal_tls: bool = False
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    public_url: str = ""
    token_secret: str = DEV_TOKEN_SECRET
    token_ttl_minutes: int = 12 * 60
    session_idle_minutes: int = 30
    # How long an accepted request's Idempotency-Key stays used up (then it expires and is
    # deleted): a retry within it is answered as the first; after it the key is new again.
    idempotency_key_hours: int = 24
    oidc_issuer: str = ""
    oidc_jwks_url: str = ""
    oidc_audience: str = ""
    oidc_client_id: str = ""  # page sign-in (authorization code flow with PKCE)
    oidc_client_secret: str = ""
    oidc_employee_claim: str = "employee_id"  # the ID token claim holding the employee ID
    oidc_scope: str = "openid"
    oidc_provider_sign_out: bool = True  # sign-out also ends the session at the provider
    bootstrap_admins: Annotated[list[str], NoDecode] = []
    encryption_key: str = DEV_ENCRYPTION_KEY
    encryption_key_id: str = "k1"
    # Retired keys, still decrypting what they sealed: "ID=BASE64KEY,ID=BASE64KEY".
    encryption_old_keys: Annotated[list[str], NoDecode] = []
    signing_key: str = DEV_SIGNING_KEY
    anchor_interval_seconds: int = 60
    timezone: str = "Europe/London"
    region: Literal["england-wales", "scotland", "northern-ireland"] = "england-wales"
    working_day_start: str = "09:00"
    working_day_end: str = "17:00"
    closure_days: Annotated[list[str], NoDecode] = []
    cycle_anchor: str = "2026-01-05"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_sender: str = "nearmiss-governance@localhost"
    ui_origin: str = ""
    worker_metrics_address: str = ""
    otel_endpoint: str = ""
    log_format: Literal["console", "json"] = "console"
    # Connections a review's items are built on at once (PostgreSQL; SQLite builds on one):
    # store.review_build.DEFAULT_PARTS, the machine's two cores.
    review_parts: int = Field(default=2, ge=1, le=16)
    pdf_font_dir: str = "/usr/share/fonts/truetype/dejavu"
    # Where a worker reports a near miss: the provider's incident platform (this service only
    # receives reports from it). Its name and address, shown on a worker's pages; either empty:
    # a general sentence ("the incident reporting system your service uses").
    incident_platform_name: str = ""
    incident_platform_url: str = ""

    @field_validator("bootstrap_admins", "closure_days", "encryption_old_keys", mode="before")
    @classmethod
    def _split_csv(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("incident_platform_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        value = value.strip()
        if value and not value.lower().startswith(("https://", "http://")):
            raise ValueError("NEARMISS_INCIDENT_PLATFORM_URL must be an http(s) address")
        return value

    @model_validator(mode="after")
    def _refuse_dev_secrets(self) -> Settings:
        if self.env != "development":
            if self.token_secret == DEV_TOKEN_SECRET and not self.oidc_jwks_url:
                raise ValueError(f"NEARMISS_TOKEN_SECRET must be set outside development{LOCAL}")
            if self.encryption_key == DEV_ENCRYPTION_KEY:
                raise ValueError(f"NEARMISS_ENCRYPTION_KEY must be set outside development{LOCAL}")
            if self.signing_key == DEV_SIGNING_KEY:
                raise ValueError(f"NEARMISS_SIGNING_KEY must be set outside development{LOCAL}")
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir / 'nearmiss.db'}"
        if not self.public_url:
            self.public_url = f"http://{self.api_host}:{self.api_port}"
        return self

    def calendar_config(self) -> CalendarConfig:
        """The provider's calendar from these settings (entry points only; workflows and
        activities get the config)."""
        return CalendarConfig.from_settings_values(
            self.timezone,
            self.region,
            self.working_day_start,
            self.working_day_end,
            self.closure_days,
        )
