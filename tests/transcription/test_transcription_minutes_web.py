"""Minutes pages and API: draft from the transcript, sections saved under the version lock,
final/reopen, drafts only for the organiser and secretaries, downloads."""

from __future__ import annotations

import io

import pytest
from docx import Document

from tests.dbstate import snapshot
from tests.transcription.transcription_editor_web import editor_app, editor_world, sign_in, token  # noqa: F401


def url(world, tail=""):
    return f"/meetings/{world.meeting_id}/minutes{tail}"


def draft(client, world):
    answer = client.post(url(world, "/generate"), data={"csrf_token": token(client),
                                                        "level": "clean"})
    assert answer.status_code == 303


def test_generate_edit_finalise(client, world):
    sign_in(client, "sec")
    assert "no-minutes" in client.get(url(world)).get_data(as_text=True)
    draft(client, world)
    html = client.get(url(world)).get_data(as_text=True)
    for heading in ("会議名", "日時", "場所", "出席者", "欠席者", "議題", "議事内容",
                    "決定事項", "今後の予定・宿題", "次回予定", "記録者"):
        assert f">{heading}<" in html
    assert "参加 一郎" in html and "承認ということで決定します" in html
    csrf = token(client)
    saved = client.post(url(world, "/sections/next_meeting"),
                        data={"csrf_token": csrf, "version": "1", "text": "<b>12月4日</b>"})
    assert saved.status_code == 303
    stale = client.post(url(world, "/sections/decisions"),
                        data={"csrf_token": csrf, "version": "1", "text": "私の決定事項"})
    assert stale.status_code == 409 and "私の決定事項" in stale.get_data(as_text=True)
    assert "&lt;b&gt;12月4日&lt;/b&gt;" in client.get(url(world)).get_data(as_text=True)
    assert client.post(url(world, "/sections/nope"), data={
        "csrf_token": csrf, "version": "2", "text": "x"}).status_code == 404
    final = client.post(url(world, "/status"), data={"csrf_token": csrf, "version": "2",
                                                     "status": "final"})
    assert final.status_code == 303
    locked = client.post(url(world, "/sections/decisions"),
                         data={"csrf_token": csrf, "version": "3", "text": "x"})
    assert locked.status_code == 409


def test_draft_hidden_from_participants_final_shown(client, world, app):
    sign_in(client, "sec")
    draft(client, world)
    participant = app.test_client()
    sign_in(participant, "member")
    assert participant.get(url(world)).status_code == 404
    assert participant.get(url(world, "/export.docx")).status_code == 404
    assert participant.get(f"/api/v1/meetings/{world.meeting_id}/minutes").status_code == 404
    client.post(url(world, "/status"), data={"csrf_token": token(client), "version": "1",
                                             "status": "final"})
    assert participant.get(url(world)).status_code == 200
    before = snapshot(app)
    assert participant.post(url(world, "/status"), data={
        "csrf_token": token(participant), "version": "2", "status": "draft"}).status_code == 403
    assert snapshot(app) == before


def test_generate_without_transcript_or_with_bad_level(client, world, app):
    sign_in(client, "finsec")
    other = f"/meetings/{world.other_meeting_id}/minutes/generate"
    bad = client.post(other, data={"csrf_token": token(client), "level": "fancy"})
    assert bad.status_code == 400 and 'role="alert"' in bad.get_data(as_text=True)


def test_downloads_print_and_api_formats(client, world):
    sign_in(client, "sec")
    draft(client, world)
    docx = client.get(url(world, "/export.docx"))
    doc = Document(io.BytesIO(docx.data))
    assert "決定事項" in [p.text for p in doc.paragraphs]
    assert client.get(url(world, "/export.srt")).status_code == 404
    md = client.get(url(world, "/export.md")).get_data(as_text=True)
    assert "## 今後の予定・宿題" in md
    page = client.get(url(world, "/print")).get_data(as_text=True)
    assert "議事録" in page and "記録 花子" in page
    api = f"/api/v1/meetings/{world.meeting_id}/minutes"
    data = client.get(api).get_json()
    assert data["title"] == "定例課内会議" and data["attendees"] == ["参加 一郎"]
    assert data["status"] == "draft" and data["headings"]["absentees"] == "欠席者"
    txt = client.get(api + "?format=txt")
    assert txt.headers["Content-Type"].startswith("text/plain")
    assert "■ 決定事項" in txt.get_data(as_text=True)
    assert client.get(api + "?format=docx").data[:2] == b"PK"
    assert client.get(api + "?format=pdf").get_json()["error"]["code"] == "invalid_format"


@pytest.mark.parametrize("who,status", [("stranger", 403), ("member", 404)])
def test_minutes_page_refusals(client, world, who, status):
    sign_in(client, who)
    assert client.get(url(world)).status_code == status
