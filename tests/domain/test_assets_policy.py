"""The asset access rule, as a table: every visibility against every kind of viewer."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from showgeo_domain.assets.formats import AssetKind
from showgeo_domain.assets.model import Asset, AssetVisibility
from showgeo_domain.assets.policy import Refusal, ViewerFacts, facts_needed, may_read
from showgeo_domain.shared.ids import new_id

NOW = datetime(2030, 1, 1, tzinfo=UTC)

VIEWERS = {
    "anonymous": ViewerFacts(),
    "stranger": ViewerFacts(signed_in=True),
    "follower": ViewerFacts(signed_in=True, follows_entity=True),
    "ticket_holder": ViewerFacts(signed_in=True, holds_ticket=True),
    "purchaser": ViewerFacts(signed_in=True, purchased=True),
    "owner": ViewerFacts(signed_in=True, is_owner=True),
    "member": ViewerFacts(signed_in=True, is_member=True),
    "platform_admin": ViewerFacts(signed_in=True, is_admin=True),
}

V = AssetVisibility
# None: allowed; otherwise the refusal.
EXPECTED: dict[AssetVisibility, dict[str, Refusal | None]] = {
    V.PUBLIC: dict.fromkeys(VIEWERS),
    V.FOLLOWERS: {
        "anonymous": Refusal.NOT_SIGNED_IN,
        "stranger": Refusal.NOT_FOLLOWING,
        "follower": None,
        "ticket_holder": Refusal.NOT_FOLLOWING,
        "purchaser": Refusal.NOT_FOLLOWING,
        "owner": None,
        "member": None,
        "platform_admin": None,
    },
    V.TICKET_HOLDERS: {
        "anonymous": Refusal.NOT_SIGNED_IN,
        "stranger": Refusal.NO_TICKET,
        "follower": Refusal.NO_TICKET,
        "ticket_holder": None,
        "purchaser": Refusal.NO_TICKET,
        "owner": None,
        "member": None,
        "platform_admin": None,
    },
    V.PURCHASERS: {
        "anonymous": Refusal.NOT_SIGNED_IN,
        "stranger": Refusal.NOT_PURCHASED,
        "follower": Refusal.NOT_PURCHASED,
        "ticket_holder": Refusal.NOT_PURCHASED,
        "purchaser": None,
        "owner": None,
        "member": None,
        "platform_admin": None,
    },
    V.PRIVATE: {
        "anonymous": Refusal.PRIVATE,
        "stranger": Refusal.PRIVATE,
        "follower": Refusal.PRIVATE,
        "ticket_holder": Refusal.PRIVATE,
        "purchaser": Refusal.PRIVATE,
        "owner": None,
        "member": None,
        "platform_admin": None,
    },
}


def asset(visibility: AssetVisibility) -> Asset:
    return Asset.new(
        owner_id=new_id(),
        kind=AssetKind.AUDIO,
        visibility=visibility,
        entity_id=new_id(),
        event_id=new_id(),
        now=NOW,
    )


@pytest.mark.parametrize("visibility", list(AssetVisibility))
@pytest.mark.parametrize("viewer", list(VIEWERS))
def test_each_visibility_for_each_viewer(visibility: AssetVisibility, viewer: str) -> None:
    decision = may_read(asset(visibility), VIEWERS[viewer])
    expected = EXPECTED[visibility][viewer]
    assert decision.allowed is (expected is None)
    assert decision.reason is expected


def test_the_table_covers_every_visibility() -> None:
    assert set(EXPECTED) == set(AssetVisibility)


def test_only_the_needed_lookups_are_asked_for() -> None:
    assert facts_needed(asset(V.PUBLIC)) == set()
    assert facts_needed(asset(V.PRIVATE)) == set()
    assert facts_needed(asset(V.FOLLOWERS)) == {"follows_entity"}
    assert facts_needed(asset(V.TICKET_HOLDERS)) == {"holds_ticket"}
    assert facts_needed(asset(V.PURCHASERS)) == {"purchased"}
