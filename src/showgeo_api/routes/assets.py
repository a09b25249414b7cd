"""Assets: upload (multipart, streamed; or direct to storage), read, download, delete.

Content is served only after the access check: local files are streamed with HTTP Range
(audio and video seek), S3 objects are a 307 redirect to a presigned URL that expires in
minutes. Every response with content carries `X-Content-Type-Options: nosniff` and a
sandboxing CSP, and documents are attachments, so nothing uploaded runs in our origin.
"""

from __future__ import annotations

from datetime import datetime
from http import HTTPStatus
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Redirect, Stream
from msgspec import Meta

from showgeo_adapters.localfs import InvalidUploadToken, LocalObjectStorage
from showgeo_api.http.byte_ranges import RangeNotSatisfiable, parse_range
from showgeo_api.http.errors import problem
from showgeo_api.http.multipart_stream import read_multipart
from showgeo_domain.assets.errors import AssetTooLarge
from showgeo_domain.assets.formats import AssetKind
from showgeo_domain.assets.model import FILENAME_MAX, Asset, AssetVisibility, Variant
from showgeo_domain.assets.services import AssetRequest, Assets
from showgeo_domain.assets.streams import at_most
from showgeo_domain.identity.model import Actor
from showgeo_domain.shared.errors import InvalidInput
from showgeo_domain.shared.ids import parse_id

MULTIPART_SLACK = 64 * 1024
"""Room for the multipart framing and text fields around the file."""

CONTENT_SECURITY = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "cross-origin",
}


class VariantOut(msgspec.Struct):
    name: str
    content_type: str
    width: int
    height: int
    size: int
    url: str

    @classmethod
    def of(cls, asset: Asset, variant: Variant) -> VariantOut:
        return cls(
            name=variant.name,
            content_type=variant.content_type,
            width=variant.width,
            height=variant.height,
            size=variant.size,
            url=f"/assets/{asset.id}/content?variant={variant.name}",
        )


class AssetOut(msgspec.Struct):
    id: UUID
    owner_id: UUID
    kind: str
    status: str
    visibility: str
    content_type: str | None
    size: int | None
    filename: str | None
    entity_id: UUID | None
    event_id: UUID | None
    width: int | None
    height: int | None
    failure_reason: str | None
    variants: list[VariantOut]
    content_url: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, asset: Asset) -> AssetOut:
        return cls(
            id=asset.id,
            owner_id=asset.owner_id,
            kind=asset.kind.value,
            status=asset.status.value,
            visibility=asset.visibility.value,
            content_type=asset.content_type,
            size=asset.size,
            filename=asset.filename,
            entity_id=asset.entity_id,
            event_id=asset.event_id,
            width=asset.width,
            height=asset.height,
            failure_reason=asset.failure_reason,
            variants=[VariantOut.of(asset, v) for v in asset.variants],
            content_url=f"/assets/{asset.id}/content",
            created_at=asset.created_at,
            updated_at=asset.updated_at,
        )


ContentType = Annotated[str, Meta(min_length=3, max_length=100, pattern=r"^[\w.+-]+/[\w.+-]+$")]


class DirectUploadIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: AssetKind
    visibility: AssetVisibility
    size: Annotated[int, Meta(ge=1, description="bytes the client will send")]
    content_type: ContentType
    filename: Annotated[str, Meta(max_length=FILENAME_MAX)] | None = None
    entity_id: UUID | None = None
    event_id: UUID | None = None


class UploadOut(msgspec.Struct):
    url: str
    method: str
    headers: dict[str, str]
    expires_at: datetime


class DirectUploadOut(msgspec.Struct):
    asset: AssetOut
    upload: UploadOut


def _enum(kind: type[Any], raw: str | None, field: str) -> Any:
    if raw is None or raw == "":
        return None
    try:
        return kind(raw.strip().upper())
    except ValueError:
        choices = ", ".join(v.value for v in kind)
        raise InvalidInput(f"{field} must be one of {choices}", field=field) from None


def _uuid(raw: str | None, field: str) -> UUID | None:
    if raw is None or raw == "":
        return None
    found = parse_id(raw.strip())
    if found is None:
        raise InvalidInput(f"{field} must be a UUID", field=field)
    return found


def content_disposition(filename: str | None, *, inline: bool) -> str:
    kind = "inline" if inline else "attachment"
    if not filename:
        return kind
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


class AssetsController(Controller):
    path = "/assets"
    tags = ["assets"]

    @post(
        "/",
        status_code=201,
        security=[{"BearerToken": []}],
        request_max_body_size=None,
        description=(
            "multipart/form-data with `visibility`, optional `kind`, `entity_id`, `event_id` "
            "(before the file part) and `file`. The type comes from the content."
        ),
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        actor: NamedDependency[Actor],
        assets: NamedDependency[Assets],
    ) -> AssetOut:
        declared = request.headers.get("content-length")
        if (
            declared
            and declared.isdigit()
            and int(declared) > assets.limits.largest + MULTIPART_SLACK
        ):
            raise AssetTooLarge(
                f"uploads may be at most {assets.limits.largest} bytes", field="file"
            )
        form = await read_multipart(request.headers.get("content-type", ""), request.stream())
        visibility = _enum(AssetVisibility, form.fields.get("visibility"), "visibility")
        if visibility is None:
            raise InvalidInput("visibility is required", field="visibility")
        asset_request = AssetRequest(
            visibility=visibility,
            kind=_enum(AssetKind, form.fields.get("kind"), "kind"),
            filename=form.filename,
            entity_id=_uuid(form.fields.get("entity_id"), "entity_id"),
            event_id=_uuid(form.fields.get("event_id"), "event_id"),
        )
        return AssetOut.of(await assets.upload(actor, asset_request, form.chunks))

    @post("/uploads", status_code=201, security=[{"BearerToken": []}])
    async def start_upload(
        self,
        data: JSONBody[DirectUploadIn],
        actor: NamedDependency[Actor],
        assets: NamedDependency[Assets],
    ) -> DirectUploadOut:
        """A presigned upload for large files: send the bytes with `upload.method` to
        `upload.url` with exactly `upload.headers`, then `POST /assets/{id}/complete`."""
        request = AssetRequest(
            visibility=data.visibility,
            kind=data.kind,
            filename=data.filename,
            entity_id=data.entity_id,
            event_id=data.event_id,
        )
        started = await assets.start_upload(
            actor, request, size=data.size, content_type=data.content_type
        )
        target = started.target
        return DirectUploadOut(
            AssetOut.of(started.asset),
            UploadOut(target.url, target.method, dict(target.headers), target.expires_at),
        )

    @put("/uploads/{token:str}", status_code=200, request_max_body_size=None)
    async def receive_upload(
        self,
        token: FromPath[str],
        request: Request[Any, Any, Any],
        local_storage: NamedDependency[LocalObjectStorage | None],
    ) -> Response[None]:
        """The local storage's own upload URL (S3 deployments upload to S3 instead). The
        signed token names the object, its content type and its size limit."""
        if local_storage is None:
            raise problem(HTTPStatus.NOT_FOUND, code="not_found", detail="no such route here")
        try:
            grant = local_storage.check_upload(token)
        except InvalidUploadToken as exc:
            raise problem(
                HTTPStatus.FORBIDDEN, code="invalid_upload_token", detail=str(exc)
            ) from None
        sent_type = request.headers.get("content-type", "")
        if sent_type.split(";")[0].strip().lower() != grant.content_type.lower():
            raise problem(
                HTTPStatus.FORBIDDEN,
                code="content_type_mismatch",
                detail=f"send Content-Type: {grant.content_type}, as signed",
            )
        await local_storage.put(
            grant.key,
            at_most(request.stream(), grant.max_size, "this upload"),
            content_type=grant.content_type,
        )
        return Response(None, status_code=200)

    @post("/{asset_id:uuid}/complete", status_code=200, security=[{"BearerToken": []}])
    async def complete(
        self,
        asset_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        assets: NamedDependency[Assets],
    ) -> AssetOut:
        """Check what was uploaded (size, type from the content) and take it in."""
        return AssetOut.of(await assets.complete(actor, asset_id))

    @get("/{asset_id:uuid}")
    async def read(
        self,
        asset_id: FromPath[UUID],
        viewer: NamedDependency[Actor | None],
        assets: NamedDependency[Assets],
    ) -> AssetOut:
        return AssetOut.of(await assets.describe(viewer, asset_id))

    @get("/{asset_id:uuid}/content")
    async def content(
        self,
        asset_id: FromPath[UUID],
        request: Request[Any, Any, Any],
        viewer: NamedDependency[Actor | None],
        assets: NamedDependency[Assets],
        variant: Annotated[str | None, QueryParameter(max_length=40)] = None,
    ) -> Response[Any]:
        """The bytes (or a short-lived redirect to them), after the access check."""
        found = await assets.content(viewer, asset_id, variant)
        headers = {
            **CONTENT_SECURITY,
            "Cache-Control": "private, no-store",
        }
        if found.redirect is not None:
            return Redirect(path=found.redirect, status_code=307, headers=headers)
        headers |= {
            "Accept-Ranges": "bytes",
            "Content-Disposition": content_disposition(found.filename, inline=found.inline),
        }
        try:
            wanted = parse_range(request.headers.get("range"), found.size)
        except RangeNotSatisfiable as exc:
            return Response(
                None,
                status_code=416,
                headers={**headers, "Content-Range": f"bytes */{exc.size}"},
            )
        if wanted is None:
            body = assets.stream(found)
            headers["Content-Length"] = str(found.size)
            status = 200
        else:
            body = assets.stream(found, start=wanted.start, stop=wanted.stop)
            headers["Content-Length"] = str(wanted.length)
            headers["Content-Range"] = wanted.content_range(found.size)
            status = 206
        return Stream(body, status_code=status, media_type=found.content_type, headers=headers)

    @delete("/{asset_id:uuid}", status_code=204, security=[{"BearerToken": []}])
    async def remove(
        self,
        asset_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        assets: NamedDependency[Assets],
    ) -> None:
        """409 while a product (or a profile, entity or event) uses the asset."""
        await assets.delete(actor, asset_id)
