"""Pick the store from settings: a Qdrant server when a URL is set, else the embedded engine."""

from app.errors import StoreUnavailable
from app.settings import Settings
from app.store.base import VectorStore


def open_store(settings: Settings) -> VectorStore:
    if settings.qdrant_url:
        from app.store.server import ServerStore

        key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
        try:
            return ServerStore.connect(settings.qdrant_url, key, settings.collection_prefix)
        except Exception as exc:  # connection errors come in many types
            raise StoreUnavailable(f"Cannot reach the Qdrant server at {settings.qdrant_url}: {exc}") from exc
    from app.store.edge import EdgeStore

    return EdgeStore(settings.data_dir, settings.optimize_after_writes)
