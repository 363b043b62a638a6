"""DATABASE_URL and the pool settings."""

import pytest
from pydantic import SecretStr

from app.core.config import Settings, asyncpg_url, load_settings

HIDDEN = "s3cret-Passw0rd"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql+asyncpg://u:p@db:5432/app", "postgresql+asyncpg://u:p@db:5432/app"),
        ("postgresql://u:p@db:5432/app", "postgresql+asyncpg://u:p@db:5432/app"),
        ("postgres://u:p@db/app", "postgresql+asyncpg://u:p@db/app"),
        (" postgresql://db/app ", "postgresql+asyncpg://db/app"),
    ],
)
def test_urls_are_read_with_the_async_driver(given: str, expected: str) -> None:
    assert asyncpg_url(given) == expected
    assert Settings(database_url=SecretStr(given)).database_url.get_secret_value() == expected


@pytest.mark.parametrize(
    "url",
    ["sqlite:///app.db", "postgresql+psycopg://u@db/app", "db:5432/app", "postgresql://"],
)
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="DATABASE_URL must"):
        asyncpg_url(url)


def test_the_url_is_secret() -> None:
    settings = Settings(database_url=SecretStr(f"postgresql://app:{HIDDEN}@db/app"))

    assert HIDDEN not in repr(settings)
    assert HIDDEN not in str(settings.model_dump())


def test_a_bad_url_stops_the_servers_with_one_line_that_hides_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"mysql://app:{HIDDEN}@db/app")

    with pytest.raises(SystemExit) as stopped:
        load_settings()

    message = str(stopped.value.code)
    assert "\n" not in message
    assert message.startswith("invalid settings (environment variables or .env): DATABASE_URL: ")
    assert HIDDEN not in message


def test_a_missing_url_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL")

    with pytest.raises(SystemExit, match=r"DATABASE_URL: Value error, DATABASE_URL is not set: "):
        load_settings()


def test_pool_defaults_and_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings()

    assert (settings.db_pool_size, settings.db_max_overflow) == (5, 10)
    assert (settings.db_pool_timeout, settings.db_pool_recycle) == (30, 1800)
    assert settings.db_ready_timeout == 2
    monkeypatch.setenv("DB_POOL_SIZE", "0")
    with pytest.raises(ValueError, match="db_pool_size"):
        Settings()
