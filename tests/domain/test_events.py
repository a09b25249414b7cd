"""Every event a use case puts in the outbox survives the msgspec JSON trip the bus makes."""

from __future__ import annotations

import msgspec

from showgeo_domain.entities.model import MemberRole
from showgeo_domain.entities.services import EntityChanges
from showgeo_domain.identity.services import ProfileChanges
from tests.domain.conftest import PASSWORD


async def test_outbox_events_round_trip_through_json(
    auth, profiles, entities, follows, store, sign_up, team
):
    olga, sam = await sign_up("olga"), await sign_up("sam")
    root = await sign_up("root", admin=True)
    entity = await team(olga)
    await entities.update(olga.actor, entity.id, EntityChanges(bio="hi"))
    await entities.add_member(olga.actor, entity.id, username="sam", role=MemberRole.ADMIN)
    await entities.change_member_role(olga.actor, entity.id, sam.id, MemberRole.COLLABORATOR)
    await entities.remove_member(sam.actor, entity.id, sam.id)
    await entities.request_verification(olga.actor, entity.id)
    await entities.verify(root.actor, entity.id)
    await follows.follow(sam.actor, entity.id)
    await follows.unfollow(sam.actor, entity.id)
    await profiles.update_me(sam.actor, ProfileChanges(is_private=True))
    session = await auth.login(email="sam@example.com", password=PASSWORD)
    await auth.logout(session.refresh_token)
    await entities.delete(olga.actor, entity.id)

    names = {type(e).event_name() for e in store.outbox}
    assert len(names) == 13, sorted(names)  # every event type of these contexts
    for event in store.outbox:
        decoded = msgspec.json.decode(msgspec.json.encode(event), type=type(event))
        assert decoded == event
        assert type(event).subject().startswith(f"showgeo.{type(event).context}.")
