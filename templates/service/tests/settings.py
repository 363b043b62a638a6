"""Settings for tests: only what a test sets, never a developer's local `.env` file."""

from pydantic_settings import SettingsConfigDict

from app.core.config import Settings


class IsolatedSettings(Settings):
    """The app's settings without the `.env` file (environment variables still apply)."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore")
