"""The composition root: the one place that picks adapters from settings and wires use cases.

`bootstrap(settings)` returns a ready container; the app, the CLI, the worker and in-process
embedders all build the platform through it, so every front door runs the same wiring.
"""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from showgeo_adapters.inprocess import InProcessBus
from showgeo_adapters.localpay import LocalPay
from showgeo_adapters.mail_templates import MailComposer
from showgeo_adapters.memory import MemoryStore, memory_uow_factory
from showgeo_adapters.memory.entity_cache import MemoryEntityCache
from showgeo_adapters.nats import JetStreamBus
from showgeo_adapters.redis import RedisEntityCache
from showgeo_adapters.security import Argon2PasswordHasher, HmacSigner, JwtAccessTokens
from showgeo_adapters.sqlalchemy import create_engine, sql_uow_factory
from showgeo_adapters.sqlalchemy import upgrade as upgrade_database
from showgeo_adapters.stripe import StripePayments
from showgeo_adapters.unit_of_work import PlatformUnitOfWorkFactory
from showgeo_api.gateway import RealtimeListener, SocketHub
from showgeo_api.gateway.session import Gateway
from showgeo_api.http.throttle import AuthThrottles, MemoryThrottle, RedisThrottle
from showgeo_api.processes.consumer_metrics import ConsumerMetrics
from showgeo_api.processes.recompute_runner import RecomputeRunner
from showgeo_api.settings import Settings, load_settings
from showgeo_api.wiring.analytics import build_analytics, build_recompute
from showgeo_api.wiring.mail import build_mail_delivery, build_mailer, build_password_reset_mail
from showgeo_api.wiring.media import build_locator, build_media, build_streaming
from showgeo_api.wiring.readiness import Bus, ReadinessProbe
from showgeo_api.wiring.storage import (
    build_assets,
    build_object_storage,
    close_object_storage,
    local_storage_of,
)
from showgeo_domain.assets.image_link_services import ImageLinks
from showgeo_domain.entities.ports import EntityCache
from showgeo_domain.entities.services import Entities
from showgeo_domain.events.services import Events
from showgeo_domain.follow.services import Follows
from showgeo_domain.identity.services import Authentication, PasswordRecovery, Profiles
from showgeo_domain.notifications.services import Notifications
from showgeo_domain.orders.event_phases import EventPhases
from showgeo_domain.orders.payments import Payments
from showgeo_domain.orders.ports import PaymentProvider
from showgeo_domain.orders.seller_views import SellerViews
from showgeo_domain.orders.services import Orders
from showgeo_domain.shared.clock import SystemClock
from showgeo_domain.shared.messaging import RELAY_WINDOW, OutboxRelay
from showgeo_domain.store.services import Store
from showgeo_domain.streaming.services import StreamRooms, StreamWebhooks


def _engine(settings: Settings) -> AsyncEngine | None:
    if settings.uses_memory:
        return None
    return create_engine(settings.database_url, pool_size=settings.database_pool_size)


def _uow_factory(settings: Settings, engine: AsyncEngine | None) -> PlatformUnitOfWorkFactory:
    if engine is None:
        return memory_uow_factory(MemoryStore())
    return sql_uow_factory(engine)


def _auth_throttles(settings: Settings) -> AuthThrottles:
    window = settings.auth_rate_limit_window_seconds
    if settings.redis_url:
        redis = Redis.from_url(settings.redis_url)
        return AuthThrottles(
            RedisThrottle(redis, limit=settings.auth_rate_limit_per_client, window_seconds=window),
            RedisThrottle(redis, limit=settings.auth_rate_limit_per_account, window_seconds=window),
            redis,
        )
    return AuthThrottles(
        MemoryThrottle(limit=settings.auth_rate_limit_per_client, window_seconds=window),
        MemoryThrottle(limit=settings.auth_rate_limit_per_account, window_seconds=window),
    )


def _entity_cache(throttles: AuthThrottles) -> EntityCache:
    """Redis (the throttles' client) when REDIS_URL is set: one cache for all processes, so a
    forget reaches them all. Otherwise this process's memory: with several processes and no
    Redis, another process's page can lag a change by up to the time to live (10 s)."""
    if throttles.redis is not None:
        return RedisEntityCache(throttles.redis, ttl_seconds=ENTITY_CACHE_SECONDS)
    return MemoryEntityCache(ttl_seconds=ENTITY_CACHE_SECONDS)


ENTITY_CACHE_SECONDS = 10.0


def _bus(settings: Settings) -> Bus:
    """JetStream when NATS_URL is set, else the in-process bus (the embedded default)."""
    if settings.nats_url:
        return JetStreamBus(
            settings.nats_url,
            stream=settings.nats_stream,
            ack_wait=settings.nats_ack_wait_seconds,
            observer=ConsumerMetrics(),
        )
    return InProcessBus()


def _payment_provider(settings: Settings, clock: SystemClock) -> PaymentProvider:
    """Stripe when STRIPE_SECRET_KEY is set, else localpay. Only one is ever registered: a
    Stripe deployment has no localpay (its webhook and checkout page answer 400/404), so no
    order can be marked paid through a provider that moves no money."""
    if settings.stripe_secret_key:
        return StripePayments(
            secret_key=settings.stripe_secret_key,
            webhook_secret=settings.stripe_webhook_secret,
            public_base_url=settings.public_base_url,
            api_base=settings.stripe_api_base,
        )
    return LocalPay(settings.public_base_url, settings.localpay_secret, clock)


def _payments(
    uow: PlatformUnitOfWorkFactory, clock: SystemClock, orders: Orders, provider: PaymentProvider
) -> Payments:
    return Payments(uow, clock, orders, [provider])


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    engine = providers.Singleton(_engine, settings)
    uow = providers.Singleton(_uow_factory, settings, engine)

    password_hasher = providers.Singleton(
        Argon2PasswordHasher,
        time_cost=settings.provided.argon2_time_cost,
        memory_cost_kib=settings.provided.argon2_memory_kib,
        parallelism=settings.provided.argon2_parallelism,
    )
    access_tokens = providers.Singleton(
        JwtAccessTokens,
        secret=settings.provided.jwt_secret,
        previous_secrets=settings.provided.jwt_previous_secrets,
        algorithm=settings.provided.jwt_algorithm,
        issuer=settings.provided.jwt_issuer,
        audience=settings.provided.jwt_audience,
        ttl=providers.Factory(timedelta, seconds=settings.provided.access_token_ttl_seconds),
    )
    auth_throttles = providers.Singleton(_auth_throttles, settings)
    bus = providers.Singleton(_bus, settings)
    relay = providers.Singleton(OutboxRelay, uow=uow, bus=bus, clock=clock, window=RELAY_WINDOW)
    readiness = providers.Singleton(ReadinessProbe, engine, bus)

    authentication = providers.Singleton(
        Authentication,
        uow=uow,
        hasher=password_hasher,
        tokens=access_tokens,
        clock=clock,
        refresh_ttl=providers.Factory(timedelta, days=settings.provided.refresh_token_ttl_days),
    )
    profiles = providers.Singleton(Profiles, uow=uow, clock=clock)
    entity_cache = providers.Singleton(_entity_cache, auth_throttles)
    entities = providers.Singleton(Entities, uow=uow, clock=clock, cache=entity_cache)
    follows = providers.Singleton(Follows, uow=uow, clock=clock, cache=entity_cache)
    events = providers.Singleton(Events, uow=uow, clock=clock)
    store = providers.Singleton(Store, uow=uow, clock=clock)
    seller_views = providers.Singleton(SellerViews, uow=uow)  # the seller back-office reads
    notifications = providers.Singleton(Notifications, uow=uow, clock=clock)
    orders = providers.Singleton(
        Orders,
        uow=uow,
        clock=clock,
        reservation_ttl=providers.Factory(
            timedelta, minutes=settings.provided.reservation_ttl_minutes
        ),
    )
    socket_hub = providers.Singleton(SocketHub, queue_size=settings.provided.ws_send_queue_size)
    """The notification sockets this process holds."""
    gateway = providers.Singleton(
        Gateway,
        hub=socket_hub,
        authentication=authentication,
        notifications=notifications,
        clock=clock,
        idle_timeout=settings.provided.ws_idle_timeout_seconds,
    )
    realtime_listener = providers.Singleton(RealtimeListener, socket_hub, notifications)
    payment_provider = providers.Singleton(_payment_provider, settings, clock)
    payments = providers.Singleton(_payments, uow, clock, orders, payment_provider)
    event_phases = providers.Singleton(EventPhases, events=events, payments=payments)
    recompute = providers.Singleton(build_recompute, settings, uow, clock)
    analytics = providers.Singleton(build_analytics, settings, uow, clock, recompute)
    recompute_runner = providers.Singleton(RecomputeRunner, recompute)
    object_storage = providers.Singleton(build_object_storage, settings)
    assets = providers.Singleton(build_assets, settings, uow, clock, object_storage)
    local_storage = providers.Callable(local_storage_of, object_storage)
    image_links = providers.Singleton(ImageLinks, uow=uow, clock=clock)
    media = providers.Singleton(build_media, settings)
    geo_locator = providers.Singleton(build_locator, settings)
    streaming = providers.Singleton(build_streaming, settings, uow, clock, media, geo_locator)
    stream_webhooks = providers.Singleton(StreamWebhooks, uow=uow, clock=clock, media=media)
    stream_rooms = providers.Singleton(StreamRooms, uow=uow, clock=clock, media=media)

    # --- Mail (docs/mail.md): password recovery and the mails sent from the outbox ---
    reset_signer = providers.Singleton(
        HmacSigner, secret=settings.provided.jwt_secret, purpose="showgeo password reset"
    )
    password_recovery = providers.Singleton(
        PasswordRecovery, uow=uow, hasher=password_hasher, signer=reset_signer, clock=clock
    )
    mail_composer = providers.Singleton(
        MailComposer, sender=settings.provided.mail_from, site_url=settings.provided.public_base_url
    )
    mailer = providers.Singleton(build_mailer, settings, mail_composer, clock)
    mail_delivery = providers.Singleton(build_mail_delivery, settings, uow, mailer, clock)
    password_reset_mail = providers.Singleton(
        build_password_reset_mail, settings, password_recovery, clock
    )


def bootstrap(settings: Settings | None = None) -> Container:
    """Build the platform from settings (default: the environment), without HTTP."""
    container = Container(settings=settings or load_settings())
    return container


async def start(container: Container) -> None:
    """Work to do before serving: apply migrations on the embedded default, connect the bus
    (and make sure its stream exists)."""
    settings = container.settings()
    engine = container.engine()
    if engine is not None and settings.should_auto_migrate:
        await upgrade_database(settings.database_url)
    await container.bus().connect()


async def stop(container: Container) -> None:
    await container.bus().close()
    await container.auth_throttles().close()
    provider = container.payment_provider()
    if isinstance(provider, StripePayments):
        await provider.aclose()
    await container.recompute_runner().close()
    await container.media().aclose()
    await close_object_storage(container.object_storage())
    engine = container.engine()
    if engine is not None:
        await engine.dispose()
