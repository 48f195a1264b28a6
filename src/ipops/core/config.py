"""Settings from the environment (IPOPS_*), validated once at start-up."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "ipops-dev-secret-change-me"  # noqa: S105 - the known default that prod must refuse


class Settings(BaseSettings):
    """Runtime configuration; every field can be set as IPOPS_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="IPOPS_", env_file=".env", extra="ignore")

    env: Literal["dev", "test", "prod"] = "dev"
    database_url: str = "sqlite:///./var/ipops.db"
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    lake_dir: Path = Path("var/lake")
    default_locale: Literal["zh_CN", "en"] = "zh_CN"
    session_hours: int = 12
    api_token_days: int = 30
    login_max_failures: int = 5
    login_window_seconds: int = 300
    cookie_secure: bool | None = None  # None: secure everywhere but dev/test over plain http
    host: str = "127.0.0.1"
    port: int = 8000
    # Platform services (issue 11): the job queue, the file store.
    redis_url: str | None = None  # RedisHuey when set, else SqliteHuey at jobs_sqlite_path
    jobs_sqlite_path: Path = Path("var/jobs.db")
    jobs_immediate: bool = False  # run jobs inline at enqueue time (tests, one-off scripts)
    jobs_queue_name: str = "ipops"
    worker_threads: int = 2
    files_dir: Path = Path("var/files")
    # Input bounds (issue 12 item 6); a request over one gets a 422 that names it (core/bounds.py).
    max_paths_member: int = 2_000_000
    max_paths_appraiser: int = 20_000_000
    job_paths_threshold: int = 200_000  # Monte Carlo runs above this many paths run as jobs
    max_histogram_bins: int = 200
    max_scenarios: int = 1_000
    max_json_body_bytes: int = 1_048_576
    max_upload_bytes: int = 52_428_800
    max_page_size: int = 200

    @model_validator(mode="after")
    def _refuse_default_secret_outside_dev(self) -> Settings:
        if self.env == "prod" and self.secret_key.get_secret_value() == DEV_SECRET_KEY:
            raise ValueError("IPOPS_SECRET_KEY must be set to a private value when IPOPS_ENV=prod")
        if self.env == "prod" and len(self.secret_key.get_secret_value()) < 32:
            raise ValueError("IPOPS_SECRET_KEY must be at least 32 characters when IPOPS_ENV=prod")
        return self

    @property
    def secure_cookies(self) -> bool:
        """Whether session cookies carry the Secure flag."""
        return self.cookie_secure if self.cookie_secure is not None else self.env == "prod"


@cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
