"""The matching core: store documents, search, filter; imports nothing from FastAPI."""
