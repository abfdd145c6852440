"""Doubtful segments in the transcript editor: the hallucination guard's reason shown in words
(Japanese and English), and the secretary clearing the mark with a save under the version
lock (a stale clear is refused like a stale edit)."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from tests.dbstate import snapshot
from tests.transcription.transcription_editor_data import LINES
from tests.transcription.transcription_editor_web import editor_app, editor_world, sign_in, token  # noqa: F401
from transcription.models import Segment
from workhub.extensions import db

JSON = {"Accept": "application/json"}
REASONS = {0: "silence_phrase", 1: "no_speech", 2: "repetition", 3: "low_confidence",
           4: "no_voice_activity", 5: "something_new"}
NOTES = {
    "ja": ["無音時によく出る定型句です", "音声がない可能性があります", "同じ言葉の繰り返しです",
           "認識の確からしさが低い区間です", "声が検出されなかった区間です",
           "認識が誤っている可能性があります"],
    "en": ["A stock phrase that speech recognition often writes over silence.",
           "There may be no speech here.", "The same words repeated over and over.",
           "The recognition is not sure of this part.", "No voice was detected in this part.",
           "The recognition may be wrong."],
}


def editor(world):
    return f"/meetings/{world.meeting_id}/transcript"


def seg_url(world, i):
    return f"{editor(world)}/segments/{world.segment_ids[i]}"


def flag(app, world, reasons: dict[int, str]) -> None:
    """Flag segments as the job writes them: at version 1 (no ORM update moving it on)."""
    with app.app_context():
        for i, reason in reasons.items():
            db.session.execute(update(Segment).where(Segment.id == world.segment_ids[i])
                               .values(doubtful=True, doubt_reason=reason))
        db.session.commit()


def note_of(html: str, world, i: int) -> str:
    """The text of segment ``i``'s note (between its opening tag and the next segment)."""
    start = html.index(f'id="seg-{world.segment_ids[i]}"')
    end = html.find('class="segment ', start)
    return html[start:end if end > 0 else None]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_reason_is_said_in_words(client, world, app, language):
    flag(app, world, REASONS)
    sign_in(client, "member")  # a participant reads; the note is not only for editors
    if language == "en":
        client.post("/language", data={"language": "en", "csrf_token": token(client)})
    html = client.get(editor(world) + "?level=clean").get_data(as_text=True)
    badge = "Check this" if language == "en" else "要確認"
    for i, words in enumerate(NOTES[language]):
        part = note_of(html, world, i)
        assert f'id="doubt-{world.segment_ids[i]}"' in part and words in part
        assert f'class="badge text-bg-warning doubtful">{badge}</span>' in part
    assert 'name="checked"' not in html  # no form for a reader


def test_the_editor_ties_the_note_to_the_text_box(client, world, app):
    flag(app, world, {1: "no_speech"})
    sign_in(client, "sec")
    html = client.get(editor(world)).get_data(as_text=True)
    flagged = world.segment_ids[1]
    assert f'aria-describedby="doubt-{flagged}"' in html
    assert html.count('name="checked"') == 1
    assert f'<label class="form-check-label small" for="checked-{flagged}">' in html
    assert html.count("doubt-note") == 1  # the other segments carry no note


def test_secretary_clears_the_mark_without_script(client, world, app):
    flag(app, world, {1: "no_speech"})
    sign_in(client, "sec")
    answer = client.post(seg_url(world, 1), data={
        "csrf_token": token(client), "version": "1", "text": LINES[1][1], "checked": "1"})
    assert answer.status_code == 303
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "要確認の印を外しました" in page and "doubt-note" not in page
    with app.app_context():
        segment = db.session.get(Segment, world.segment_ids[1])
        assert not segment.doubtful and segment.version == 2
        assert segment.doubt_reason == "no_speech"  # kept: it was flagged, then checked
        assert segment.text is None  # the text was not changed by the clear


def test_clear_with_an_edit_through_the_script(client, world, app):
    flag(app, world, {2: "repetition"})
    sign_in(client, "sec")
    answer = client.post(seg_url(world, 2), headers=JSON | {"X-CSRFToken": token(client)},
                         data={"version": "1", "text": "予算案は承認と決定します。",
                               "checked": "1"})
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["segment"]["doubtful"] is False and body["segment"]["version"] == 2
    assert body["message"] == "保存しました。要確認の印を外しました。"
    # An ordinary save of a segment that is not flagged says only "saved".
    plain = client.post(seg_url(world, 3), headers=JSON | {"X-CSRFToken": token(client)},
                        data={"version": "1", "text": "次に広報の件。", "checked": "1"})
    assert plain.status_code == 200 and plain.get_json()["message"] == "保存しました"


def test_a_stale_clear_is_refused_like_a_stale_edit(app, world):
    flag(app, world, {4: "low_confidence"})
    first, second = app.test_client(), app.test_client()
    sign_in(first, "sec")
    sign_in(second, "sec")
    editor_text = "田中さん、12月10日までに案内文を作ってください。"
    won = first.post(seg_url(world, 4), headers=JSON | {"X-CSRFToken": token(first)},
                     data={"version": "1", "text": editor_text})
    assert won.status_code == 200
    before = snapshot(app)
    stale = second.post(seg_url(world, 4), headers=JSON | {"X-CSRFToken": token(second)},
                        data={"version": "1", "text": LINES[4][1], "checked": "1"})
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["error"]["code"] == "stale" and body["current"]["text"] == editor_text
    assert body["current"]["doubtful"] is True
    # Without the script: the page answers 409, the box stays ticked, nothing changed.
    page = second.post(seg_url(world, 4), data={"csrf_token": token(second), "version": "1",
                                                 "checked": "1"})
    html = page.get_data(as_text=True)
    assert page.status_code == 409
    assert f'id="checked-{world.segment_ids[4]}" checked' in html
    assert snapshot(app) == before
    # Cleared knowingly against the current version.
    again = second.post(seg_url(world, 4), headers=JSON | {"X-CSRFToken": token(second)},
                        data={"version": "2", "checked": "1"})
    assert again.status_code == 200
    with app.app_context():
        segment = db.session.get(Segment, world.segment_ids[4])
        assert not segment.doubtful and segment.text == editor_text


def api_patch(client, world, i, body):
    return client.patch(f"/api/v1/segments/{world.segment_ids[i]}", json=body,
                        headers={"X-CSRFToken": token(client)})


def test_the_api_clears_the_mark_under_the_version_lock(client, world, app):
    flag(app, world, {1: "no_speech"})
    sign_in(client, "sec")
    before = snapshot(app)
    for bad in ("yes", 1, None, ["true"]):
        answer = api_patch(client, world, 1, {"version": 1, "checked": bad})
        assert answer.status_code == 400, bad
        assert answer.get_json()["error"]["field"] == "checked"
    stale = api_patch(client, world, 1, {"version": 7, "checked": True})
    assert stale.status_code == 409 and stale.get_json()["current"]["doubtful"] is True
    assert snapshot(app) == before
    cleared = api_patch(client, world, 1, {"version": 1, "checked": True})
    assert cleared.status_code == 200
    assert cleared.get_json()["doubtful"] is False and cleared.get_json()["version"] == 2
    # false changes nothing by itself: there is nothing to save.
    assert api_patch(client, world, 1, {"version": 2, "checked": False}).status_code == 400
