"""Transcript editor pages: who sees and edits, per-segment saves with and without the
script (stale and concurrent saves answer 409 with the person's text), speakers, levels,
downloads and the print view."""

from __future__ import annotations

import pytest

from tests.dbstate import snapshot
from tests.transcription.transcription_editor_web import editor_app, editor_world, sign_in, token  # noqa: F401
from transcription.models import Segment, Speaker
from workhub.extensions import db

JSON = {"Accept": "application/json"}


def editor(world):
    return f"/meetings/{world.meeting_id}/transcript"


def seg_url(world, i=0):
    return f"{editor(world)}/segments/{world.segment_ids[i]}"


def test_secretary_gets_one_form_per_segment(client, world):
    sign_in(client, "sec")
    html = client.get(editor(world)).get_data(as_text=True)
    assert html.count('class="segment-form"') == 6
    assert 'name="version" value="1"' in html
    assert "えー、本日は予算の件について話し合います。" in html
    assert "js/transcript-editor.js" in html and 'id="speed"' not in html  # no audio here


def test_participant_reads_at_a_level_without_forms(client, world):
    sign_in(client, "member")
    html = client.get(editor(world) + "?level=clean").get_data(as_text=True)
    assert "segment-form" not in html and "本日は予算の件について話し合います。" in html
    assert "えー、本日" not in html
    back = client.get(editor(world) + "?level=verbatim").get_data(as_text=True)
    assert "えー、本日は予算の件" in back  # reversible
    assert client.get(editor(world) + "?level=fancy").status_code == 400


@pytest.mark.parametrize("who,status", [("stranger", 403), ("finsec", 403)])
def test_others_are_turned_away(client, world, who, status):
    sign_in(client, who)
    assert client.get(editor(world)).status_code == status
    assert client.get("/meetings/999999/transcript").status_code == 404


def test_save_without_script_then_stale_save_keeps_the_text(client, world, app):
    sign_in(client, "sec")
    csrf = token(client)
    first = client.post(seg_url(world), data={"csrf_token": csrf, "version": "1",
                                               "text": "本日は予算の件です。"})
    assert first.status_code == 303
    stale = client.post(seg_url(world), data={"csrf_token": csrf, "version": "1",
                                               "text": "<script>alert(1)</script>私の文"})
    html = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "&lt;script&gt;alert(1)&lt;/script&gt;私の文" in html  # kept, shown as text
    assert "本日は予算の件です。" in html  # the current text beside it
    with app.app_context():
        assert db.session.get(Segment, world.segment_ids[0]).text == "本日は予算の件です。"


def test_two_editors_load_version_1_one_wins_one_gets_409_with_their_text(app, world):
    first, second = app.test_client(), app.test_client()
    sign_in(first, "sec")
    sign_in(second, "sec")
    for client in (first, second):
        assert 'name="version" value="1"' in client.get(editor(world)).get_data(as_text=True)
    answers = []
    for client, text in ((first, "一人目の文"), (second, "二人目の文")):
        csrf = token(client)
        answers.append(client.post(seg_url(world, 1), headers=JSON | {"X-CSRFToken": csrf},
                                   data={"version": "1", "text": text}))
    assert [a.status_code for a in answers] == [200, 409]
    assert answers[0].get_json()["segment"]["version"] == 2
    body = answers[1].get_json()
    assert body["error"]["code"] == "stale" and body["kept"] == "二人目の文"
    assert body["current"]["text"] == "一人目の文" and body["current"]["version"] == 2
    # After comparing, the second editor saves against the current version: nothing lost.
    again = second.post(seg_url(world, 1), headers=JSON | {"X-CSRFToken": token(second)},
                        data={"version": "2", "text": "一人目の文と二人目の文"})
    assert again.status_code == 200


@pytest.mark.parametrize("data,field", [
    ({"version": "1", "text": "長" * 4001}, "text"),
    ({"version": "abc", "text": "x"}, "version"),
    ({"text": "x"}, "version"),
    ({"version": "1", "speaker": "999999"}, "speaker"),
    ({"version": "1"}, "text"),
])
def test_bad_saves_change_nothing(client, world, app, data, field):
    sign_in(client, "sec")
    csrf = token(client)
    before = snapshot(app)
    answer = client.post(seg_url(world), headers=JSON | {"X-CSRFToken": csrf}, data=data)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["message"]
    page = client.post(seg_url(world), data=data | {"csrf_token": csrf})
    assert page.status_code == 400 and 'aria-invalid="true"' in page.get_data(as_text=True)
    assert snapshot(app) == before


def test_participant_may_not_save(client, world, app):
    sign_in(client, "member")
    before = snapshot(app)
    answer = client.post(seg_url(world), data={"csrf_token": token(client), "version": "1",
                                                "text": "改ざん"})
    assert answer.status_code == 403 and snapshot(app) == before


def test_segment_of_another_meeting_is_404(client, world, make_user):
    make_user("boss", roles=("admin",))
    sign_in(client, "boss")
    url = f"/meetings/{world.other_meeting_id}/transcript/segments/{world.segment_ids[0]}"
    answer = client.post(url, data={"csrf_token": token(client), "version": "1", "text": "x"})
    assert answer.status_code == 404


def test_speakers_rename_add_and_reassign_following(client, world, app):
    sign_in(client, "sec")
    csrf = token(client)
    one, two = world.speaker_ids
    assert client.post(f"{editor(world)}/speakers/{one}",
                       data={"csrf_token": csrf, "name": "山田課長"}).status_code == 303
    assert client.post(f"{editor(world)}/speakers",
                       data={"csrf_token": csrf, "name": "佐藤"}).status_code == 303
    too_long = client.post(f"{editor(world)}/speakers", data={"csrf_token": csrf,
                                                             "name": "名" * 121})
    assert too_long.status_code == 400
    with app.app_context():
        three = db.session.scalar(db.select(Speaker.id).where(Speaker.name == "佐藤"))
    moved = client.post(f"{seg_url(world, 3)}/following",
                        data={"csrf_token": csrf, "speaker": str(three)})
    assert moved.status_code == 303
    html = client.get(editor(world)).get_data(as_text=True)
    assert "山田課長" in html
    with app.app_context():
        speakers = [db.session.get(Segment, i).speaker_id for i in world.segment_ids]
    assert speakers == [one, two, one, three, three, one]
    assert client.post(f"{editor(world)}/speakers/999999",
                       data={"csrf_token": csrf, "name": "x"}).status_code == 404


def test_downloads_and_print(client, world):
    sign_in(client, "member")
    docx = client.get(f"{editor(world)}/export.docx?level=clean")
    assert docx.status_code == 200 and docx.data[:2] == b"PK"
    assert "attachment" in docx.headers["Content-Disposition"]
    srt = client.get(f"{editor(world)}/export.srt")
    assert srt.status_code == 200 and srt.get_data(as_text=True).startswith("1\n00:00:00,000")
    assert client.get(f"{editor(world)}/export.pdf").status_code == 404
    assert client.get(f"{editor(world)}/export.txt?level=x").status_code == 400
    page = client.get(f"{editor(world)}/print?level=edited").get_data(as_text=True)
    assert "<caption>" in page and "予算" in page


def test_doubtful_segments_are_flagged_and_no_audio_without_a_recording(client, world, app):
    with app.app_context():
        seg = db.session.get(Segment, world.segment_ids[4])
        seg.doubtful, seg.doubt_reason = True, "no_speech"
        db.session.commit()
    sign_in(client, "member")
    html = client.get(editor(world)).get_data(as_text=True)
    assert html.count('class="badge text-bg-warning doubtful"') == 1
    flagged = f'id="seg-{world.segment_ids[4]}"'
    assert html.index("badge text-bg-warning doubtful") > html.index(flagged)
    assert "<audio" not in html and 'class="seek"' not in html


def test_player_plays_the_kept_recording_through_the_checked_view(client, world, app):
    from transcription.models import Recording, Transcript

    with app.app_context():
        transcript = db.session.scalar(db.select(Transcript).where(
            Transcript.meeting_id == world.meeting_id))
        recording = Recording(meeting_id=world.meeting_id, sha256="a" * 64, size=10,
                              original_name="会議.m4a", content_type="audio/mp4",
                              duration=30.0, channels=1, sample_rate=16000)
        db.session.add(recording)
        db.session.flush()
        transcript.recording_id, recording_id = recording.id, recording.id
        db.session.commit()
    sign_in(client, "member")
    html = client.get(editor(world)).get_data(as_text=True)
    audio = f"/meetings/{world.meeting_id}/recordings/{recording_id}/audio"
    assert f'src="{audio}"' in html and 'id="speed"' in html
    assert f'href="{audio}#t=5.0" data-start="5.0"' in html
    with app.app_context():
        from workhub.database import utcnow

        db.session.get(Recording, recording_id).deleted_at = utcnow()
        db.session.commit()
    html = client.get(editor(world)).get_data(as_text=True)
    assert "<audio" not in html and 'class="seek"' not in html
