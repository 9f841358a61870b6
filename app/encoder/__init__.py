"""Text encoders: one interface, the sentence-transformers implementation, and the texts they embed."""

from app.encoder.base import Encoder
from app.encoder.texts import candidate_text, job_text

__all__ = ["Encoder", "candidate_text", "job_text"]
