"""Datasets (a layer within a громада): list, publish, withdraw."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from gisplan.catalog import LayerSpec
from gisplan.datasets import list_datasets, set_published
from gisplan.publish.gap_publication import listing as gap_listing

from ..deps import CurrentUser, OptionalUser, ReadConn, WriteConn, layer_dep, require_writer

router = APIRouter(prefix="/api/datasets", tags=["datasets"])
Layer = Annotated[LayerSpec, Depends(layer_dep)]


@router.get("", summary="Datasets; anonymous callers see published ones only. "
            "`computed`: the gap layers (read-only products) the caller may see")
def datasets(conn: ReadConn, user: OptionalUser,
             hromada: Annotated[str | None, Query(pattern=r"^UA\d{17}$")] = None):
    rows = list_datasets(conn, hromada, published=None if user else True)
    if user and not user.is_admin:
        rows = [r for r in rows if r["published"] or user.can_read(r["hromada"])]
    reader = user is not None and hromada is not None and user.can_read(hromada)
    return {"datasets": rows, "computed": gap_listing(conn, hromada, reader)}  # gap layers: read-only


def _publish(layer: LayerSpec, hromada: str, conn, user, published: bool):
    require_writer(user, hromada)
    return set_published(conn, layer.name, hromada, published, user.username)


@router.post("/{layer}/{hromada}/publish", summary="Publish a dataset (planner of the громада)")
def publish(layer: Layer, hromada: str, conn: WriteConn, user: CurrentUser):
    return _publish(layer, hromada, conn, user, True)


@router.post("/{layer}/{hromada}/withdraw", summary="Withdraw a dataset from publication")
def withdraw(layer: Layer, hromada: str, conn: WriteConn, user: CurrentUser):
    return _publish(layer, hromada, conn, user, False)
