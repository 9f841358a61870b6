"""Vector storage: one interface (`base.VectorStore`), the embedded engine and the server client."""

from app.store.base import Hit, StoredPoint, VectorStore
from app.store.factory import open_store

__all__ = ["Hit", "StoredPoint", "VectorStore", "open_store"]
