"""Streaming settings: LiveKit keys (refused in production when they are the dev ones), when
room calls are made, and the geolocation settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from showgeo_api.settings import SettingsError, load_settings
from showgeo_api.wiring.container import bootstrap

PRODUCTION = {
    "SHOWGEO_ENV": "production",
    "JWT_SECRET": "j" * 40,
    "LOCALPAY_SECRET": "l" * 40,
    "DATABASE_URL": "postgresql://u@db/showgeo",
}


@pytest.mark.parametrize(
    "keys",
    [
        {},
        {"LIVEKIT_API_KEY": "APIreal123"},
        {"LIVEKIT_API_SECRET": "a-real-secret-of-forty-characters-000000"},
        {"LIVEKIT_API_KEY": "devkey", "LIVEKIT_API_SECRET": "a-real-secret-000000000000000000"},
    ],
)
def test_production_refuses_the_dev_livekit_keys(keys: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match="LIVEKIT"):
        load_settings({**PRODUCTION, **keys}, env_file=None)


def test_production_takes_real_livekit_keys() -> None:
    settings = load_settings(
        {
            **PRODUCTION,
            "LIVEKIT_URL": "wss://live.example.com",
            "LIVEKIT_API_KEY": "APIreal123",
            "LIVEKIT_API_SECRET": "a-real-secret-of-forty-characters-000000",
        },
        env_file=None,
    )
    assert settings.manages_media_rooms


def test_the_embedded_default_issues_tokens_and_skips_room_calls() -> None:
    settings = load_settings({}, env_file=None)
    assert not settings.manages_media_rooms
    assert settings.geo_unknown_location == "refuse"
    assert settings.geo_trusted_proxies == []
    # `livekit-server --dev` uses the dev keys: room calls can be asked for explicitly
    assert load_settings({"LIVEKIT_MANAGE_ROOMS": "true"}, env_file=None).manages_media_rooms
    real = {"LIVEKIT_API_KEY": "APIreal123", "LIVEKIT_API_SECRET": "s" * 40}
    assert load_settings(real, env_file=None).manages_media_rooms
    off = {**real, "LIVEKIT_MANAGE_ROOMS": "false"}
    assert not load_settings(off, env_file=None).manages_media_rooms


def test_geo_settings_from_the_environment() -> None:
    settings = load_settings(
        {
            "GEO_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.4",
            "GEO_COUNTRY_HEADER": "X-Country",
            "GEO_UNKNOWN_LOCATION": "allow",
            "LIVEKIT_TOKEN_TTL_SECONDS": "120",
        },
        env_file=None,
    )
    assert settings.geo_trusted_proxies == ["10.0.0.0/8", "192.168.1.4"]
    assert settings.geo_country_header == "X-Country"
    assert settings.geo_unknown_location == "allow"
    assert settings.livekit_token_ttl_seconds == 120


def test_bad_geo_settings_name_their_variable(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="GEO_UNKNOWN_LOCATION"):
        load_settings({"GEO_UNKNOWN_LOCATION": "maybe"}, env_file=None)
    container = bootstrap(load_settings({"GEO_TRUSTED_PROXIES": "10.0.0.0/99"}, env_file=None))
    with pytest.raises(SettingsError, match="GEO_TRUSTED_PROXIES"):
        container.geo_locator()
    missing = load_settings({"GEOIP_DATABASE": str(tmp_path / "none.mmdb")}, env_file=None)
    with pytest.raises(SettingsError, match="GEOIP_DATABASE"):
        bootstrap(missing).geo_locator()
