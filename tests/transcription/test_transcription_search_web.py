"""Search and glossary pages, and the transcript API (GET with levels, PATCH with the
version: 200, 409 stale keeping the text, 400 for bad bodies, 403 for readers)."""

from __future__ import annotations

import pytest

from tests.dbstate import snapshot
from tests.transcription.transcription_editor_web import editor_app, editor_world, sign_in, token  # noqa: F401
from transcription.models import GlossaryTerm
from workhub.extensions import db


def test_search_page(client, world):
    sign_in(client, "member")
    html = client.get("/meetings/search?q=予算").get_data(as_text=True)
    assert html.count('class="list-group-item"') == 3  # three segments of the one meeting
    assert "財政課の会議" not in html  # not a participant there
    short = client.get("/meetings/search?q=予")
    assert short.status_code == 400 and 'aria-invalid="true"' in short.get_data(as_text=True)
    hostile = client.get("/meetings/search?q=<script>x</script>").get_data(as_text=True)
    assert "<script>x</script>" not in hostile and "&lt;script&gt;x&lt;/script&gt;" in hostile
    assert client.get("/meetings/search").status_code == 200


def test_glossary_add_refuse_and_remove(client, world, app):
    sign_in(client, "sec")
    csrf = token(client)
    page = client.get("/meetings/glossary").get_data(as_text=True)
    assert "総務課" in page and "財政課" not in page  # own department only
    with app.app_context():
        from tests.transcription.transcription_editor_data import department_id

        gen, fin = department_id("GEN"), department_id("FIN")
    assert client.post("/meetings/glossary", data={
        "csrf_token": csrf, "term": "ＷｏｒｋＨｕｂ", "department": str(gen),
        "note": "システム名"}).status_code == 303
    assert client.post("/meetings/glossary", data={
        "csrf_token": csrf, "term": "港区", "department": "global"}).status_code == 303
    before = snapshot(app)
    for data, status in (({"term": "WorkHub", "department": str(gen)}, 409),
                         ({"term": "", "department": "global"}, 400),
                         ({"term": "語" * 101, "department": "global"}, 400),
                         ({"term": "財政", "department": str(fin)}, 403),
                         ({"term": "x1", "department": "abc"}, 400),
                         ({"term": "x2", "department": "999999"}, 400),
                         ({"term": "x3", "department": "²"}, 400),
                         ({"term": "x4", "department": "9" * 30}, 400)):
        answer = client.post("/meetings/glossary", data=data | {"csrf_token": csrf})
        assert answer.status_code == status, data
        assert 'aria-invalid="true"' in answer.get_data(as_text=True)
    assert snapshot(app) == before
    with app.app_context():
        from transcription.glossary import hotwords_for

        assert sorted(hotwords_for(gen)) == ["WorkHub", "港区"]  # NFKC
        assert hotwords_for(fin) == ["港区"]
        term_id = db.session.scalar(db.select(GlossaryTerm.id).where(
            GlossaryTerm.term == "WorkHub"))
    assert client.post(f"/meetings/glossary/{term_id}/delete",
                       data={"csrf_token": csrf}).status_code == 303
    assert client.post("/meetings/glossary/999999/delete",
                       data={"csrf_token": csrf}).status_code == 404


def test_glossary_is_for_secretaries(client, world):
    sign_in(client, "member")
    assert client.get("/meetings/glossary").status_code == 403


def api(world):
    return f"/api/v1/meetings/{world.meeting_id}/transcript"


def patch(client, world, body, i=0):
    return client.patch(f"/api/v1/segments/{world.segment_ids[i]}", json=body,
                        headers={"X-CSRFToken": token(client)})


def test_api_transcript_levels(client, world):
    sign_in(client, "member")
    data = client.get(api(world)).get_json()
    assert data["language"] == "ja" and data["duration"] == 30.0
    first = data["segments"][0]
    assert {"id", "start", "end", "speaker", "text", "version", "doubtful"} <= set(first)
    assert first["text"].startswith("えー") and first["version"] == 1
    clean = client.get(api(world) + "?level=clean").get_json()["segments"][0]
    assert clean["text"] == "本日は予算の件について話し合います。"
    assert client.get(api(world) + "?level=x").status_code == 400
    assert client.get(f"/api/v1/meetings/{world.other_meeting_id}/transcript").status_code == 403


def test_api_patch_and_stale(client, world):
    sign_in(client, "sec")
    ok = patch(client, world, {"text": "本日は予算です。", "speaker": world.speaker_ids[1],
                               "version": 1})
    assert ok.status_code == 200
    assert ok.get_json()["version"] == 2 and ok.get_json()["speaker_id"] == world.speaker_ids[1]
    stale = patch(client, world, {"text": "古い版からの保存", "version": 1})
    body = stale.get_json()
    assert stale.status_code == 409 and body["kept"] == "古い版からの保存"
    assert body["current"]["text"] == "本日は予算です。"
    assert patch(client, world, {"speaker": None, "version": 2}).status_code == 200


@pytest.mark.parametrize("body", [
    {"text": "x"}, {"text": "x", "version": "1"}, {"text": "x", "version": True},
    {"text": 5, "version": 1}, {"speaker": "山田", "version": 1}, {"speaker": 999999,
                                                                "version": 1},
    {"version": 1}, {"text": "x", "version": 1, "extra": 1}, {"text": "長" * 4001,
                                                             "version": 1}, [1, 2],
])
def test_api_patch_bad_bodies_change_nothing(client, world, app, body):
    sign_in(client, "sec")
    before = snapshot(app)
    answer = patch(client, world, body)
    assert answer.status_code == 400 and answer.get_json()["error"]["message"]
    assert snapshot(app) == before


def test_api_patch_refused_to_readers(client, world, app):
    sign_in(client, "member")
    before = snapshot(app)
    assert patch(client, world, {"text": "x", "version": 1}).status_code == 403
    assert client.patch("/api/v1/segments/999999", json={"text": "x", "version": 1},
                        headers={"X-CSRFToken": token(client)}).status_code == 404
    assert snapshot(app) == before


def test_api_answers_match_the_documented_schemas(client, world):
    from openapi_schema_validator import OAS30Validator as Validator

    from transcription.openapi_transcripts import SCHEMAS
    from workhub.api.openapi import build_openapi

    components = build_openapi()["components"]
    components = components | {"schemas": components["schemas"] | SCHEMAS}

    def check(name, body):
        Validator({"$ref": f"#/components/schemas/{name}", "components": components}
                  ).validate(body)

    sign_in(client, "sec")
    check("Transcript", client.get(api(world)).get_json())
    check("TranscriptSegment", patch(client, world, {"text": "版1", "version": 1}).get_json())
    check("SegmentStale", patch(client, world, {"text": "古い", "version": 1}).get_json())
    client.post(f"/meetings/{world.meeting_id}/minutes/generate",
                data={"csrf_token": token(client), "level": "edited"})
    check("Minutes", client.get(f"/api/v1/meetings/{world.meeting_id}/minutes").get_json())
