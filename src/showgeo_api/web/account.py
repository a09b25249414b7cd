"""The signed-in person's own settings: their profile (name, bio, public or private) and
which notifications they do not want (whole kinds, or everything about an entity they
follow). Decoded with `ProfilePatch` and `PreferencesIO`, the bodies of `PATCH /users/me` and
`PUT /notifications/preferences`, and handed to the same use cases."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from msgspec import UNSET

from showgeo_api.routes.notifications import PreferencesIO
from showgeo_api.routes.users import ProfilePatch
from showgeo_api.web.context import Ui
from showgeo_api.web.forms import FormErrors, form_values
from showgeo_domain.entities.model import Entity
from showgeo_domain.entities.services import Entities
from showgeo_domain.follow.services import Follows
from showgeo_domain.identity.services import ProfileChanges, Profiles
from showgeo_domain.notifications.model import NotificationKind
from showgeo_domain.notifications.services import Notifications
from showgeo_domain.shared.errors import DomainError
from showgeo_domain.shared.pagination import MAX_LIMIT, PageRequest

FOLLOWED_LISTED = MAX_LIMIT  # one page of followed entities offered for muting
KIND_LABELS = {
    NotificationKind.LIVE_NOW: "An entity I follow goes live",
    NotificationKind.NEW_DROP: "New products (drops)",
    NotificationKind.PHASE_UPDATE: "Event updates (starts, ends, cancellations)",
    NotificationKind.NEW_FOLLOWER: "New followers of my entities",
    NotificationKind.ORDER_PAID: "My payments",
    NotificationKind.REFUND_ISSUED: "My refunds",
}


class AccountPages(Controller):
    path = "/app/settings"

    @get("/")
    async def settings(self) -> Redirect:
        return Redirect(path="/app/settings/profile", status_code=303)

    @get("/profile")
    async def profile_form(
        self, ui: NamedDependency[Ui], saved: FromQuery[bool] = False
    ) -> Template:
        ui.require()
        assert ui.user is not None
        values = {"display_name": ui.user.display_name, "bio": ui.user.bio or ""}
        return await _profile(ui, values, ui.user.is_private, FormErrors(), saved)

    @post("/profile")
    async def profile(
        self,
        request: Request[Any, Any, Any],
        ui: NamedDependency[Ui],
        profiles: NamedDependency[Profiles],
    ) -> Template | Redirect:
        """As `PATCH /users/me`; an empty bio clears it, an unticked box makes the profile
        public."""
        actor = ui.require()
        values = await form_values(request)
        private = values.pop("is_private", "") == "on"
        body = {
            "display_name": values.get("display_name", "").strip(),
            "bio": values.get("bio", "").strip() or None,
            "is_private": private,
        }
        try:
            data = msgspec.convert(body, ProfilePatch, strict=False)
            changes = ProfileChanges(
                display_name=None if data.display_name is UNSET else data.display_name,
                bio=None if data.bio is UNSET else data.bio,
                clear_bio=data.bio is None,
                is_private=None if data.is_private is UNSET else data.is_private,
            )
            await profiles.update_me(actor, changes)
        except (DomainError, msgspec.ValidationError) as exc:
            return await _profile(ui, values, private, FormErrors.of(exc), False)
        return Redirect(path="/app/settings/profile?saved=1", status_code=303)

    @get("/notifications")
    async def notifications_form(
        self,
        ui: NamedDependency[Ui],
        notifications: NamedDependency[Notifications],
        follows: NamedDependency[Follows],
        entities: NamedDependency[Entities],
        saved: FromQuery[bool] = False,
    ) -> Template:
        actor = ui.require()
        preferences = await notifications.preferences(actor)
        return await _preferences(
            ui,
            follows,
            entities,
            {k.value for k in preferences.muted_kinds},
            set(preferences.muted_entities),
            FormErrors(),
            saved,
        )

    @post("/notifications")
    async def notifications(
        self,
        request: Request[Any, Any, Any],
        ui: NamedDependency[Ui],
        notifications: NamedDependency[Notifications],
        follows: NamedDependency[Follows],
        entities: NamedDependency[Entities],
    ) -> Template | Redirect:
        """As `PUT /notifications/preferences`: the ticked boxes replace what was muted."""
        actor = ui.require()
        form = await request.form()
        kinds = [v for v in form.getall("muted_kinds", []) if isinstance(v, str)]
        muted_ids = [v for v in form.getall("muted_entities", []) if isinstance(v, str)]
        try:
            data = msgspec.convert(
                {"muted_kinds": kinds, "muted_entities": muted_ids}, PreferencesIO, strict=False
            )
            await notifications.set_preferences(actor, data.muted_kinds, data.muted_entities)
        except (DomainError, msgspec.ValidationError) as exc:
            muted: set[UUID] = set()
            for raw in muted_ids:
                try:
                    muted.add(UUID(raw))
                except ValueError:
                    continue
            return await _preferences(
                ui, follows, entities, set(kinds), muted, FormErrors.of(exc), False
            )
        return Redirect(path="/app/settings/notifications?saved=1", status_code=303)


async def _profile(
    ui: Ui, values: dict[str, str], private: bool, errors: FormErrors, saved: bool
) -> Template:
    return await ui.render(
        "settings_profile.html", values=values, private=private, errors=errors, saved=saved
    )


async def _preferences(
    ui: Ui,
    follows: Follows,
    entities: Entities,
    kinds: set[str],
    muted: set[UUID],
    errors: FormErrors,
    saved: bool,
) -> Template:
    """The kinds, and the entities the person follows plus any muted one they no longer
    follow (so saving keeps it muted unless they untick it)."""
    assert ui.user is not None
    followed = await follows.following(
        ui.user.username, ui.actor, PageRequest(limit=FOLLOWED_LISTED)
    )
    offered: list[Entity] = [f.entity for f in followed.items]
    listed = {e.id for e in offered}
    for entity_id in sorted(muted - listed, key=str):
        try:
            offered.append(await entities.get(entity_id))
        except DomainError:
            continue
    return await ui.render(
        "settings_notifications.html",
        kinds=[(k.value, KIND_LABELS.get(k, k.value)) for k in NotificationKind],
        muted_kinds=kinds,
        entities=offered,
        muted=muted,
        errors=errors,
        saved=saved,
    )
