"""Pick the store from settings: a Qdrant server when a URL is set, else the embedded engine."""

from app.settings import Settings
from app.store.base import VectorStore


def open_store(settings: Settings) -> VectorStore:
    if settings.qdrant_url:
        from app.store.server import ServerStore

        key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        return ServerStore.connect(settings.qdrant_url, key, settings.collection_prefix)
    from app.store.edge import EdgeStore

    return EdgeStore(settings.data_dir, settings.optimize_after_writes)
