"""Hypothesis strategies for Showgeo's domain, for our tests and for anyone else's.

Every strategy only ever produces valid objects, because each is built through the domain's
own constructors and transitions: users through `User.register`, teams through the `Roster`,
events moved along the phase machine with `Event.move_to`, orders placed, paid and refunded
with the `Order` methods. Aggregates come as if just loaded from a repository: no pending
events. `store_all` puts them into any unit of work; the in-memory fakes live in
`showgeo_adapters.memory` (the domain never imports adapters). See docs/testing.md.

Needs `hypothesis`, which the domain itself does not: `pip install 'showgeo[testing]'`.
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401
except ModuleNotFoundError as missing:  # pragma: no cover - depends on the installation
    raise ModuleNotFoundError(
        "showgeo_domain.testing needs hypothesis: pip install 'showgeo[testing]'",
        name=missing.name,
    ) from missing

from showgeo_domain.testing.entities import Team, entities, slugs, teams
from showgeo_domain.testing.events import OPEN_PHASES, events, path_to, ticket_types
from showgeo_domain.testing.identity import (
    USER_KEYS,
    actors,
    emails,
    roles,
    unique_users,
    usernames,
    users,
)
from showgeo_domain.testing.orders import order_lines, orders
from showgeo_domain.testing.storage import store_all
from showgeo_domain.testing.store import products
from showgeo_domain.testing.values import (
    COMMON_CURRENCIES,
    MAX_AMOUNT,
    countries,
    currencies,
    moments,
    money,
    optional_texts,
    prices,
    steps,
    texts,
    venues,
)

__all__ = [
    "COMMON_CURRENCIES",
    "MAX_AMOUNT",
    "OPEN_PHASES",
    "USER_KEYS",
    "Team",
    "actors",
    "countries",
    "currencies",
    "emails",
    "entities",
    "events",
    "moments",
    "money",
    "optional_texts",
    "order_lines",
    "orders",
    "path_to",
    "prices",
    "products",
    "roles",
    "slugs",
    "steps",
    "store_all",
    "teams",
    "texts",
    "ticket_types",
    "unique_users",
    "usernames",
    "users",
    "venues",
]
