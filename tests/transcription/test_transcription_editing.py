"""Transcript editing services: versioned saves, speakers, text levels."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.transcription.transcription_editor_data import make_meeting, user
from transcription.editing import (
    MAX_SEGMENT_TEXT,
    StaleEdit,
    add_speaker,
    current_transcript,
    edit_segment,
    level_text,
    reassign_following,
    rename_speaker,
)
from transcription.models import Segment
from workhub.errors import DomainError
from workhub.extensions import db

pytestmark = pytest.mark.usefixtures("fast_hashing")


@pytest.fixture
def meeting(app_ctx, make_department, make_user):
    make_department("GEN", "総務課")
    make_user("sec", roles=("secretary",), department="GEN")
    return make_meeting(department="GEN", organiser="sec")


def segments(meeting):
    return current_transcript(meeting).segments


def test_edit_keeps_verbatim_and_moves_the_version(meeting):
    seg = segments(meeting)[1]
    edit_segment(seg, user("sec"), version=1, text="来年度の予算案は資料の通りです。")
    db.session.commit()
    seg = db.session.get(Segment, seg.id)
    assert seg.text == "来年度の予算案は資料の通りです。"
    assert seg.verbatim == "あの、来年度の予算案は資料のとおりです。"
    assert seg.version == 2 and seg.edited_by_id == user("sec").id


def test_text_back_to_verbatim_clears_the_edit(meeting):
    seg = segments(meeting)[0]
    edit_segment(seg, user("sec"), version=1, text="別の文")
    edit_segment(seg, user("sec"), version=2, text=seg.verbatim)
    assert seg.text is None and seg.version == 3


def test_stale_version_is_refused_and_keeps_the_text(meeting):
    seg = segments(meeting)[0]
    edit_segment(seg, user("sec"), version=1, text="先の保存")
    db.session.commit()
    with pytest.raises(StaleEdit) as caught:
        edit_segment(seg, user("sec"), version=1, text="後から来た保存")
    assert caught.value.status == 409
    assert caught.value.kept == "後から来た保存"
    assert caught.value.current["text"] == "先の保存" and caught.value.current["version"] == 2
    db.session.rollback()
    assert db.session.get(Segment, seg.id).text == "先の保存"


@pytest.mark.parametrize("bad", [None, "", "x", "0", "-1"])
def test_missing_or_bad_version_is_refused(meeting, bad):
    seg = segments(meeting)[0]
    with pytest.raises(DomainError) as caught:
        edit_segment(seg, user("sec"), version=bad, text="何か")
    assert caught.value.field == "version" and seg.text is None


def test_hostile_text(meeting):
    seg = segments(meeting)[0]
    with pytest.raises(DomainError) as caught:
        edit_segment(seg, user("sec"), version=1, text="長" * (MAX_SEGMENT_TEXT + 1))
    assert caught.value.code == "too_long" and seg.version == 1
    edit_segment(seg, user("sec"), version=1, text="a\x00b\x1bc\u200b\r\nd<script>")
    assert seg.text == "abc\u200b\nd<script>"


def test_levels_are_computed_and_reversible(meeting):
    seg = segments(meeting)[0]
    verbatim = level_text(seg, "verbatim")
    clean = level_text(seg, "clean")
    assert verbatim.startswith("えー、") and not clean.startswith("え")
    assert level_text(seg, "verbatim") == verbatim == seg.verbatim  # nothing rewritten
    edit_segment(seg, user("sec"), version=1, text="えー、本日は決算の件です。")
    assert level_text(seg, "clean") == "本日は決算の件です。"
    assert level_text(seg, "verbatim") == "えー、本日は決算の件です。"


def test_speaker_rename_add_and_reassign(meeting):
    transcript = current_transcript(meeting)
    one, two = transcript.speakers
    rename_speaker(one, "  山田\t課長 ")
    assert one.name == "山田 課長"
    rename_speaker(one, "")
    assert one.name is None
    three = add_speaker(transcript, "<b>佐藤</b>")
    assert three.label == "3" and three.name == "<b>佐藤</b>"
    seg = transcript.segments[0]
    edit_segment(seg, user("sec"), version=1, speaker_id=two.id, set_speaker=True)
    assert seg.speaker_id == two.id and seg.version == 2


def test_reassign_following_moves_only_later_segments_of_that_speaker(meeting):
    transcript = current_transcript(meeting)
    one, two = transcript.speakers
    three = add_speaker(transcript, "佐藤")
    # speakers: 1 2 1 2 2 1 → from position 3 (speaker 2) on: 3 and 4 move, 1 stays.
    changed = reassign_following(transcript.segments[3], user("sec"), three.id)
    db.session.commit()
    labels = [s.speaker_id for s in db.session.scalars(
        select(Segment).where(Segment.transcript_id == transcript.id)
        .order_by(Segment.position))]
    assert changed == 2
    assert labels == [one.id, two.id, one.id, three.id, three.id, one.id]


def test_speaker_of_another_transcript_is_refused(meeting, make_department):
    other = make_meeting(title="別会議")
    foreign = current_transcript(other).speakers[0]
    seg = segments(meeting)[0]
    with pytest.raises(DomainError) as caught:
        edit_segment(seg, user("sec"), version=1, speaker_id=foreign.id, set_speaker=True)
    assert caught.value.field == "speaker" and seg.version == 1
    with pytest.raises(DomainError):
        reassign_following(seg, user("sec"), "abc")
    # Found by the fuzz: an id past the 32-bit column was a 500 on PostgreSQL ("integer out of
    # range") and past 64 bits on SQLite.
    for too_big in (2**31, 3454459843333, 10**24, str(10**24)):
        with pytest.raises(DomainError) as caught:
            edit_segment(seg, user("sec"), version=1, speaker_id=too_big, set_speaker=True)
        assert caught.value.code == "invalid_speaker"
        with pytest.raises(DomainError):
            reassign_following(seg, user("sec"), too_big)


def test_concurrent_save_loses_the_race_with_a_409_and_nothing_is_lost(meeting):
    """Both loaded version 1; the other one's UPDATE lands between our check and our flush."""
    from sqlalchemy.orm import Session

    seg = segments(meeting)[2]
    assert seg.version == 1
    with Session(db.engine) as other:
        theirs = other.get(Segment, seg.id)
        theirs.text = "相手の保存"
        other.commit()
    with pytest.raises(StaleEdit) as caught:
        edit_segment(seg, user("sec"), version=1, text="こちらの保存")
    assert caught.value.kept == "こちらの保存"
    assert caught.value.current == caught.value.current | {"text": "相手の保存", "version": 2}
    db.session.rollback()
    assert db.session.get(Segment, seg.id).text == "相手の保存"
