import numpy as np

from app.encoder.documents import pool_chunks
from app.encoder.texts import candidate_text, chunk_words, job_text


def test_texts_put_title_and_skills_first():
    assert job_text({"title": "Nurse", "skills": ["ICU"], "description": "Care."}) == ("Nurse. Skills: ICU", "Care.")
    assert candidate_text({"desired_title": None, "skills": [], "cv_text": " cv "}) == ("", "cv")


def test_short_body_is_one_chunk():
    assert chunk_words("Head", "a b c", 10, 4) == ["Head a b c"]
    assert chunk_words("", "", 10, 4) == [""]


def test_long_body_is_split_with_the_head_on_every_chunk_and_capped():
    body = " ".join(f"w{i}" for i in range(25))
    chunks = chunk_words("Head", body, 10, 2)
    assert len(chunks) == 2
    assert chunks[0].startswith("Head. w0 ") and chunks[1].startswith("Head. w10 ")
    assert len(chunk_words("", body, 10, 8)) == 3


def test_pool_chunks_is_unit_length_and_per_document():
    vecs = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    out = pool_chunks(vecs, np.array([0, 0, 1]), 2, "max")
    assert np.allclose(out[0], [2**-0.5, 2**-0.5]) and np.allclose(out[1], [0.6, 0.8])
    assert np.allclose(np.linalg.norm(pool_chunks(vecs, np.array([0, 0, 1]), 2, "mean"), axis=1), 1.0)
