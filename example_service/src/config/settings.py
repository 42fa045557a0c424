"""Application settings, read from the environment (and an optional `.env` file).

Every timing, batch and concurrency parameter of a background service lives here as a validated
field, so that operators tune services through environment variables (see docker-compose.yml)
and never through code.
"""

from pydantic import NonNegativeFloat, NonNegativeInt, PositiveFloat, PositiveInt, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Database: one engine and one pool budget for the whole process.
    DATABASE_URL: str = "sqlite+aiosqlite:///./example_service.db"
    DB_POOL_SIZE: PositiveInt = 5
    DB_MAX_OVERFLOW: NonNegativeInt = 5
    DB_POOL_TIMEOUT_SECONDS: PositiveFloat = 30.0
    # PgBouncer in transaction mode cannot keep asyncpg's prepared statements between
    # transactions; turn this on behind such a pooler.
    DB_PGBOUNCER_TRANSACTION_MODE: bool = False

    LOG_LEVEL: str = "INFO"
    # On shutdown, how long running job runs may take to finish their batch.
    SHUTDOWN_GRACE_SECONDS: PositiveFloat = 20.0

    # Dev tools (manual job triggers) are denied unless enabled, and then require the token.
    DEV_TOOLS_ENABLED: bool = False
    DEV_TOOLS_TOKEN: SecretStr | None = None

    # Where the email sender delivers: an HTTP API when set, else .eml files in the outbox.
    EMAIL_API_URL: str | None = None
    EMAIL_OUTBOX_DIR: str = "outbox"

    # email_sender background service
    EMAIL_SENDER_INTERVAL_SECONDS: PositiveInt = 60
    EMAIL_SENDER_BATCH_SIZE: PositiveInt = 50
    EMAIL_SENDER_MAX_INSTANCES: PositiveInt = 1
    EMAIL_SENDER_MISFIRE_GRACE_SECONDS: PositiveInt = 300
    EMAIL_SENDER_COALESCE: bool = True
    EMAIL_SENDER_CONCURRENCY: PositiveInt = 10
    EMAIL_SENDER_ITEM_TIMEOUT_SECONDS: PositiveFloat = 30.0
    EMAIL_SENDER_LEASE_SECONDS: PositiveFloat = 300.0
    EMAIL_SENDER_MAX_ATTEMPTS: PositiveInt = 5
    EMAIL_SENDER_BACKOFF_BASE_SECONDS: PositiveFloat = 30.0
    EMAIL_SENDER_BACKOFF_MAX_SECONDS: PositiveFloat = 3600.0
    EMAIL_SENDER_DRAIN_SECONDS: NonNegativeFloat = 0.0
    EMAIL_SENDER_WAKEUP_ENABLED: bool = False

    # sitemap_scanner background service
    SITEMAP_SCANNER_INTERVAL_SECONDS: PositiveInt = 60
    SITEMAP_SCANNER_BATCH_SIZE: PositiveInt = 50
    SITEMAP_SCANNER_MAX_INSTANCES: PositiveInt = 1
    SITEMAP_SCANNER_MISFIRE_GRACE_SECONDS: PositiveInt = 300
    SITEMAP_SCANNER_COALESCE: bool = True
    SITEMAP_SCANNER_CONCURRENCY: PositiveInt = 10
    SITEMAP_SCANNER_ITEM_TIMEOUT_SECONDS: PositiveFloat = 30.0
    SITEMAP_SCANNER_LEASE_SECONDS: PositiveFloat = 300.0
    SITEMAP_SCANNER_MAX_ATTEMPTS: PositiveInt = 5
    SITEMAP_SCANNER_BACKOFF_BASE_SECONDS: PositiveFloat = 30.0
    SITEMAP_SCANNER_BACKOFF_MAX_SECONDS: PositiveFloat = 3600.0
    SITEMAP_SCANNER_DRAIN_SECONDS: NonNegativeFloat = 0.0
    SITEMAP_SCANNER_WAKEUP_ENABLED: bool = False


settings = Settings()
