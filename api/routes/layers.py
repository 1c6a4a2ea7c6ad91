"""The layer catalogue and features as GeoJSON; writes need a planner of the feature's громада."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Response
from pydantic import BaseModel, Field, ValidationError

from gisplan import features as feats
from gisplan.catalog import COMMON_LABELS, LayerSpec, catalog
from gisplan.schemas import create_schema, update_schema

from ..deps import BBox, CurrentUser, OptionalUser, Paging, ReadConn, WriteConn, layer_dep, require_writer

router = APIRouter(prefix="/api/layers", tags=["layers"])
Layer = Annotated[LayerSpec, Depends(layer_dep)]
HromadaQ = Annotated[str | None, Query(pattern=r"^UA\d{17}$", description="КАТОТТГ code of a громада")]


class FeatureIn(BaseModel):
    type: str = Field("Feature", pattern="^Feature$")
    geometry: dict | None = None
    properties: dict[str, Any] = {}


class Restore(BaseModel):
    version: int = Field(..., ge=1, description="the earlier version to bring back")
    current_version: int | None = Field(None, description="the version read; required while the feature exists")


class FeaturePatch(BaseModel):
    version: int = Field(..., description="the version that was read; 409 when it is no longer current")
    geometry: dict | None = None
    properties: dict[str, Any] = {}


def _describe(layer: LayerSpec) -> dict:
    return {
        "name": layer.name,
        "title": layer.title.model_dump(),
        "abstract": layer.abstract.model_dump(),
        "geometry": layer.geometry.type,
        "extra_geometries": {k: v.type for k, v in layer.extra_geometries.items()},
        "fields": {
            name: {
                "type": f.type, "label": f.label.model_dump(), "required": f.required, "unit": f.unit,
                "public": f.is_public,
                **({"values": {k: v.model_dump(exclude={"synonyms"}) for k, v in f.values.items()}}
                   if f.values else {}),
            }
            for name, f in layer.fields.items()
        },
        "common_fields": {k: v for k, v in COMMON_LABELS.items()},
        "status_values": {k: v.model_dump(exclude={"synonyms"}) for k, v in layer.statuses.items()},
        "style": layer.style.model_dump(),
        "links": [{"rel": "items", "href": f"/api/layers/{layer.name}/features", "type": "application/geo+json"}],
    }


@router.get("", summary="The layer catalogue")
def list_layers():
    return {"layers": [_describe(layer) for layer in catalog()]}


@router.get("/{layer}", summary="One layer's fields, labels and style")
def describe_layer(layer: Layer):
    return _describe(layer)


def _scope(user, hromada: str | None):
    """Anonymous: the pub views. Signed in: full tables of the user's громади (all for admins)."""
    if user is None:
        return True, None
    readable = user.readable_hromady()
    if hromada and readable is not None and hromada not in readable:
        return True, None  # someone else's громада: only what is published
    return False, readable


@router.get("/{layer}/features", summary="Features as GeoJSON (anonymous callers: published data only)",
            response_class=Response, responses={200: {"content": {"application/geo+json": {}}}})
def list_features(layer: Layer, conn: ReadConn, user: OptionalUser, page: Paging, bbox: BBox,
                  hromada: HromadaQ = None,
                  as_of: Annotated[dt.date | None, Query(description="installed by and not removed by this date")] = None):
    public, readable = _scope(user, hromada)
    limit, offset = page
    features, matched, returned = feats.features_text(
        conn, layer.name, public=public, hromada=hromada, hromady=readable, bbox=bbox, as_of=as_of,
        limit=limit, offset=offset)
    links = []
    if offset + returned < matched:
        query = {"limit": limit, "offset": offset + limit, "hromada": hromada, "as_of": as_of,
                 "bbox": ",".join(map(str, bbox)) if bbox else None}
        links.append({"rel": "next", "type": "application/geo+json",
                      "href": f"/api/layers/{layer.name}/features?"
                              + urlencode({k: v for k, v in query.items() if v is not None})})
    envelope = json.dumps({
        "type": "FeatureCollection",
        "numberMatched": matched,
        "numberReturned": returned,
        "timeStamp": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "links": links,
        "features": None,
    }, ensure_ascii=False, separators=(",", ":"))
    # the features array is already JSON text: splice it in instead of re-encoding coordinates
    body = envelope[: -len('"features":null}')] + '"features":' + features + "}"
    return Response(body, media_type="application/geo+json")


@router.get("/{layer}/features/{feature_id}", summary="One feature as GeoJSON")
def get_feature(layer: Layer, feature_id: UUID, conn: ReadConn, user: OptionalUser):
    if user is None:
        return feats.get_feature(conn, layer.name, feature_id, public=True)
    try:
        return feats.get_feature(conn, layer.name, feature_id, public=False, hromady=user.readable_hromady())
    except feats.NotFound:
        return feats.get_feature(conn, layer.name, feature_id, public=True)


@router.get("/{layer}/features/{feature_id}/history", summary="Previous versions of a feature")
def feature_history(layer: Layer, feature_id: UUID, conn: ReadConn, user: CurrentUser):
    hromada, version = feats.feature_hromada(conn, layer.name, feature_id)
    if not user.can_read(hromada):
        raise HTTPException(403, f"{user.username} may not read громада {hromada}")
    return {"id": str(feature_id), "current_version": version,
            "versions": feats.history(conn, layer.name, feature_id)}


def _validated(schema, props: dict) -> dict:
    try:
        model = schema(**props)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"]) or "properties"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise feats.FeatureError(field, f"{err['msg']}{more}") from None
    return model.model_dump(exclude_unset=True)


@router.post("/{layer}/features", status_code=201, summary="Add a feature (planner of its громада)")
def create_feature(layer: Layer, conn: WriteConn, user: CurrentUser,
                   feature: Annotated[FeatureIn, Body()]):
    props = _validated(create_schema(layer.name), feature.properties)
    if user.role in ("viewer", "executor"):
        raise HTTPException(403, f"{user.username} is a {user.role} and may not change data")
    if props.get("hromada"):
        require_writer(user, props["hromada"])
    created = feats.create_feature(conn, layer.name, props, feature.geometry, user.username)
    require_writer(user, created["properties"]["hromada"])  # found from the geometry: check again
    return created


@router.patch("/{layer}/features/{feature_id}", summary="Change a feature; send the version you read")
def update_feature(layer: Layer, feature_id: UUID, conn: WriteConn, user: CurrentUser,
                   patch: Annotated[FeaturePatch, Body()]):
    hromada, _ = feats.feature_hromada(conn, layer.name, feature_id)
    require_writer(user, hromada)
    props = _validated(update_schema(layer.name), patch.properties)
    if props.get("hromada"):
        require_writer(user, props["hromada"])
    return feats.update_feature(conn, layer.name, feature_id, patch.version, props, patch.geometry,
                                user.username)


@router.delete("/{layer}/features/{feature_id}", status_code=204, summary="Delete a feature (kept in history)")
def delete_feature(layer: Layer, feature_id: UUID, conn: WriteConn, user: CurrentUser,
                   version: Annotated[int, Query(description="the version you read")]):
    hromada, _ = feats.feature_hromada(conn, layer.name, feature_id)
    require_writer(user, hromada)
    feats.delete_feature(conn, layer.name, feature_id, version, user.username)


@router.post("/{layer}/features/{feature_id}/restore", summary="Bring back an earlier version (or a deleted feature)")
def restore_feature(layer: Layer, feature_id: UUID, conn: WriteConn, user: CurrentUser,
                    body: Annotated[Restore, Body()]):
    try:
        hromada, _ = feats.feature_hromada(conn, layer.name, feature_id)
    except feats.NotFound:  # deleted: the громада of the version to restore
        hromada = next((v["hromada"] for v in feats.history(conn, layer.name, feature_id)
                        if v["version"] == body.version), None)
        if hromada is None:
            raise
    require_writer(user, hromada)
    return feats.restore_feature(conn, layer.name, feature_id, body.version, body.current_version, user.username)
