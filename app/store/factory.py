"""Pick the store from settings: a Qdrant server when a URL is set, else the embedded engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.store.base import VectorStore

if TYPE_CHECKING:  # settings import the store's layout type; the factory only reads them
    from app.settings import Settings


def open_store(settings: Settings) -> VectorStore:
    if settings.qdrant_url:
        from app.store.server import ServerStore

        key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        return ServerStore.connect(settings.qdrant_url, key, settings.collection_prefix, settings.store_layout())
    from app.store.edge import EdgeStore

    return EdgeStore(settings.data_dir, settings.optimize_after_writes, settings.store_layout())
