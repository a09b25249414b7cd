"""Settings from the environment and `.env`, and the production safety checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from showgeo_api.settings import DEV_JWT_SECRET, Environment, SettingsError, load_settings

STRONG = "s" * 40


def test_nothing_set_means_the_embedded_defaults() -> None:
    settings = load_settings({}, env_file=None)
    assert settings.database_url == "sqlite+aiosqlite:///./showgeo.db"
    assert settings.should_auto_migrate
    assert settings.jwt_secret == DEV_JWT_SECRET
    assert settings.redis_url is None


def test_environment_wins_over_dotenv(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("DATABASE_POOL_SIZE=3\nCORS_ALLOW_ORIGINS=http://a.test, http://b.test\n")
    settings = load_settings({"DATABASE_POOL_SIZE": "7"}, env_file=dotenv)
    assert settings.database_pool_size == 7
    assert settings.cors_allow_origins == ["http://a.test", "http://b.test"]


def test_postgres_is_not_migrated_at_start_unless_asked() -> None:
    url = {"DATABASE_URL": "postgresql://u@db/showgeo"}
    assert not load_settings(url, env_file=None).should_auto_migrate
    assert load_settings({**url, "AUTO_MIGRATE": "true"}, env_file=None).should_auto_migrate


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"DATABASE_POOL_SIZE": "many"}, "DATABASE_POOL_SIZE"),
        ({"SHOWGEO_ENV": "staging"}, "SHOWGEO_ENV"),
        ({"AUTO_MIGRATE": "perhaps"}, "AUTO_MIGRATE"),
        ({"EMBEDDED_WORKER": "false"}, "NATS_URL"),
        ({"SCHEDULER_TIMEZONE": "Mars/Olympus"}, "SCHEDULER_TIMEZONE"),
        ({"ANALYTICS_CRON": "99 * *"}, "ANALYTICS_CRON"),
        ({"WS_SEND_QUEUE_SIZE": "0"}, "WS_SEND_QUEUE_SIZE"),
    ],
)
def test_a_bad_value_names_its_variable(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings(environ, env_file=None)


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({}, "JWT_SECRET"),
        ({"JWT_SECRET": "short"}, "JWT_SECRET"),
        ({"JWT_SECRET": STRONG}, "LIVEKIT"),
        (
            {
                "JWT_SECRET": STRONG,
                "LIVEKIT_API_KEY": "k",
                "LIVEKIT_API_SECRET": "s",
                "DATABASE_URL": "memory://",
            },
            "DATABASE_URL",
        ),
        (
            {"JWT_SECRET": STRONG, "LIVEKIT_API_KEY": "k", "LIVEKIT_API_SECRET": "s"},
            "LOCALPAY_SECRET",
        ),
    ],
)
def test_production_refuses_dev_secrets(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings({"SHOWGEO_ENV": "production", **environ}, env_file=None)


def test_production_starts_with_real_secrets() -> None:
    settings = load_settings(
        {
            "SHOWGEO_ENV": "production",
            "JWT_SECRET": STRONG,
            "LIVEKIT_API_KEY": "key",
            "LIVEKIT_API_SECRET": "real-secret",
            "LOCALPAY_SECRET": STRONG,
        },
        env_file=None,
    )
    assert settings.showgeo_env is Environment.PRODUCTION


def test_production_with_stripe_needs_its_webhook_secret_not_localpay() -> None:
    real = {
        "SHOWGEO_ENV": "production",
        "JWT_SECRET": STRONG,
        "LIVEKIT_API_KEY": "key",
        "LIVEKIT_API_SECRET": "real-secret",
        "STRIPE_SECRET_KEY": "sk_live_x",
    }
    with pytest.raises(SettingsError, match="STRIPE_WEBHOOK_SECRET"):
        load_settings(real, env_file=None)
    settings = load_settings({**real, "STRIPE_WEBHOOK_SECRET": "whsec_x"}, env_file=None)
    assert settings.uses_stripe
    assert settings.stripe_api_base is None
    assert not load_settings({}, env_file=None).uses_stripe
