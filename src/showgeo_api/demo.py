"""Sample data for `showgeo demo`: a few people, entities with teams, and follows.

Goes through the same use cases as the API, so the demo data obeys every rule real data does.
Running it twice changes nothing: people and entities that exist are reused.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from showgeo_api.container import Container
from showgeo_domain.entities.errors import SlugTaken
from showgeo_domain.entities.model import EntityKind, MemberRole
from showgeo_domain.identity.errors import EmailTaken
from showgeo_domain.identity.model import Actor

DEMO_PASSWORD = "showgeo-demo"  # noqa: S105 - printed for the person trying the demo

PEOPLE = [
    ("ana", "Ana Alves"),
    ("ben", "Ben Brooks"),
    ("cleo", "Cleo Chen"),
    ("dev", "Dev Desai"),
    ("eli", "Eli Evans"),
]

ENTITIES = [
    # slug, name, kind, owner, collaborators, followers
    ("night-owls", "The Night Owls", EntityKind.CREATOR, "ana", ["ben"], ["cleo", "dev", "eli"]),
    ("harbour-hall", "Harbour Hall", EntityKind.ORGANIZATION, "ben", ["cleo"], ["ana", "eli"]),
    ("cleo-live", "Cleo Live", EntityKind.CREATOR, "cleo", [], ["ana", "ben", "dev"]),
]


@dataclass(frozen=True)
class DemoSummary:
    people: list[str]
    entities: list[str]
    password: str = DEMO_PASSWORD


async def seed_demo(container: Container) -> DemoSummary:
    auth = container.authentication()
    entities = container.entities()
    follows = container.follows()
    actors: dict[str, Actor] = {}
    for username, display_name in PEOPLE:
        email = f"{username}@demo.showgeo.dev"
        try:
            session = await auth.register(
                email=email, username=username, password=DEMO_PASSWORD, display_name=display_name
            )
        except EmailTaken:
            session = await auth.login(email=email, password=DEMO_PASSWORD)
        actors[username] = session.user.as_actor()

    for slug, name, kind, owner, collaborators, followers in ENTITIES:
        with contextlib.suppress(SlugTaken):
            await entities.create(actors[owner], name=name, slug=slug, kind=kind)
        for collaborator in collaborators:
            await entities.add_member(
                actors[owner], slug, username=collaborator, role=MemberRole.COLLABORATOR
            )
        for follower in followers:
            await follows.follow(actors[follower], slug)

    return DemoSummary(people=[u for u, _ in PEOPLE], entities=[e[0] for e in ENTITIES])
