"""Blind matching hides who a candidate is: no name in the results, and no word of the name or of
gender and age cues in the words the explanation quotes."""

JOB = {"title": "Nurse", "description": "Nurse for intensive care; Kowalski ward; mother and child unit."}
CV = {
    "name": "Maria Kowalski",
    "desired_title": "Nurse",
    "cv_text": "Maria Kowalski, mother of two, nurse in intensive care and the mother and child unit.",
}


def test_blind_hides_the_name_and_cues_and_the_default_shows_them(make_client):
    with make_client() as c:
        job = c.post("/v1/jobs", json=JOB).json()
        c.post("/v1/candidates", json=CV)
        seen = c.post(f"/v1/jobs/{job['id']}/matches", json={}).json()["matches"][0]
        blind = c.post(f"/v1/jobs/{job['id']}/matches", json={"blind": True}).json()["matches"][0]
    assert seen["name"] == "Maria Kowalski" and "kowalski" in seen["explanation"]["shared_terms"]
    assert "mother" in seen["explanation"]["shared_terms"]
    assert blind["name"] is None
    assert not {"kowalski", "maria", "mother"} & set(blind["explanation"]["shared_terms"])
    assert "nurse" in blind["explanation"]["shared_terms"]  # what the job is about stays


def test_blind_by_default_with_the_setting(make_client):
    with make_client(blind_matches=True) as c:
        c.post("/v1/candidates", json=CV)
        hit = c.post("/v1/matches", json={"text": JOB["description"], "target": "candidates"}).json()["matches"][0]
        shown = c.post("/v1/matches", json={"text": JOB["description"], "target": "candidates", "blind": False}).json()[
            "matches"
        ][0]
    assert hit["name"] is None and shown["name"] == "Maria Kowalski"
