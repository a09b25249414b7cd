"""The inbox: the caller's notifications, newest first, marked read one by one or all at
once (the API's `Notifications` use cases; the socket then sends everyone's tabs the new
unread count)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from showgeo_api.web.context import Ui
from showgeo_domain.notifications.services import Notifications
from showgeo_domain.shared.pagination import PageRequest


class NotificationPages(Controller):
    path = "/app/notifications"

    @get("/")
    async def inbox(
        self,
        ui: NamedDependency[Ui],
        notifications: NamedDependency[Notifications],
        cursor: Annotated[str | None, QueryParameter(max_length=512)] = None,
        unread: Annotated[bool, QueryParameter()] = False,
    ) -> Template:
        actor = ui.require()
        found = await notifications.list(actor, PageRequest.parse(cursor, 30), unread_only=unread)
        return await ui.render(
            "notifications.html",
            items=found.items,
            next_cursor=found.next_cursor,
            unread_only=unread,
        )

    @post("/{notification_id:uuid}/read")
    async def read(
        self,
        request: Request[Any, Any, Any],
        notification_id: FromPath[UUID],
        ui: NamedDependency[Ui],
        notifications: NamedDependency[Notifications],
    ) -> Template | Redirect:
        item = await notifications.read(ui.require(), notification_id)
        if request.headers.get("hx-request"):
            return Template("partials/notification.html", context={"n": item})
        return Redirect(path="/app/notifications", status_code=303)

    @post("/read-all")
    async def read_all(
        self, ui: NamedDependency[Ui], notifications: NamedDependency[Notifications]
    ) -> Redirect:
        await notifications.mark_all_read(ui.require())
        return Redirect(path="/app/notifications", status_code=303)
