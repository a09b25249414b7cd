"""Choosing the streaming adapters from settings (the container calls these).

LiveKit is always the media server: with the dev keys (the embedded default) it only signs
tokens and skips room calls; with real keys it also drives rooms at LIVEKIT_URL (or
LIVEKIT_API_URL), and records LIVE rooms to S3 when LIVEKIT_EGRESS_S3_BUCKET is set.
Viewers are located by the trusted proxy's headers, then a MaxMind file when GEOIP_DATABASE
is set.
"""

from __future__ import annotations

from datetime import timedelta

from showgeo_adapters.geo import (
    LocatorChain,
    MaxMindLocator,
    ProxyHeaderLocator,
    TrustedProxies,
)
from showgeo_adapters.livekit import LiveKitMedia
from showgeo_adapters.livekit.media import S3Recording
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_api.settings import Settings, SettingsError
from showgeo_domain.shared.clock import Clock
from showgeo_domain.streaming.ports import GeoLocator, MediaServer
from showgeo_domain.streaming.services import Streaming


def build_media(settings: Settings) -> LiveKitMedia:
    recording = None
    if settings.livekit_egress_s3_bucket:
        recording = S3Recording(
            bucket=settings.livekit_egress_s3_bucket,
            prefix=settings.livekit_egress_s3_prefix,
            region=settings.livekit_egress_s3_region or "",
            endpoint=settings.livekit_egress_s3_endpoint or "",
            access_key=settings.livekit_egress_s3_access_key or "",
            secret=settings.livekit_egress_s3_secret or "",
            force_path_style=settings.livekit_egress_s3_force_path_style,
        )
    return LiveKitMedia(
        settings.livekit_url,
        settings.livekit_api_key,
        settings.livekit_api_secret,
        manage_rooms=settings.manages_media_rooms,
        api_url=settings.livekit_api_url,
        recording=recording,
    )


def build_locator(settings: Settings) -> LocatorChain:
    try:
        proxies = TrustedProxies(settings.geo_trusted_proxies)
    except ValueError as exc:
        raise SettingsError(f"GEO_TRUSTED_PROXIES: {exc}") from exc
    locators: list[GeoLocator] = [
        ProxyHeaderLocator(
            proxies,
            country_header=settings.geo_country_header,
            latitude_header=settings.geo_latitude_header,
            longitude_header=settings.geo_longitude_header,
        )
    ]
    if settings.geoip_database:
        try:
            locators.append(
                MaxMindLocator(
                    settings.geoip_database,
                    proxies,
                    forwarded_for_header=settings.geo_forwarded_for_header,
                )
            )
        except (OSError, ValueError) as exc:
            raise SettingsError(f"GEOIP_DATABASE: cannot open {settings.geoip_database}") from exc
    return LocatorChain(locators)


def build_streaming(
    settings: Settings,
    uow: PlatformUnitOfWorkFactory,
    clock: Clock,
    media: MediaServer,
    locator: GeoLocator,
) -> Streaming:
    return Streaming(
        uow,
        clock,
        media,
        locator,
        token_ttl=timedelta(seconds=settings.livekit_token_ttl_seconds),
        allow_unknown_location=settings.geo_unknown_location == "allow",
    )
