"""Creator management pages: create and edit an entity, run its team, create and edit its
events and their ticket types, create and edit products and publish them (the drop), and the
catalogue's edits (edit, hide or delete a ticket type, delete an event, unpublish or archive a
product), and the back-office's orders, refunds and attendees. Each
form is decoded with the struct the JSON route decodes (`EntityIn`, `EntityPatch`,
`MemberIn`, `MemberRoleIn`, `EventIn`, `EventPatch`, `TicketTypeIn`, `TicketTypePatch`,
`ProductIn`, `ProductPatch`) and handed to the same use case, which decides who may do what;
a refusal comes back as the form with the problem's messages beside the fields.

The forms' only conversions are of what people type: prices in major units and local times
with a time zone (`web.inputs`)."""

from showgeo_api.web.manage.catalogue import ManageCataloguePages
from showgeo_api.web.manage.entities import ManageEntityPages
from showgeo_api.web.manage.events import ManageEventPages
from showgeo_api.web.manage.products import ManageProductPages
from showgeo_api.web.manage.sales import ManageSalesPages
from showgeo_api.web.manage.team import ManageTeamPages

MANAGE_PAGES = [
    ManageEntityPages,
    ManageTeamPages,
    ManageEventPages,
    ManageProductPages,
    ManageCataloguePages,
    ManageSalesPages,
]

__all__ = [
    "MANAGE_PAGES",
    "ManageCataloguePages",
    "ManageEntityPages",
    "ManageEventPages",
    "ManageProductPages",
    "ManageSalesPages",
    "ManageTeamPages",
]
