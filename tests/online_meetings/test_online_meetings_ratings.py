"""Comparing the online tools: the organiser rates an online meeting held (sound, picture,
connection trouble); the ratings add up per tool and department for HR and IT. Wrong,
missing and hostile scores are refused and change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.dbstate import snapshot
from tests.office import csrf_token, sign_in
from tests.online_meetings.online_meetings_data import NOW, bearer, meeting, user
from workhub.errors import DomainError, Forbidden
from workhub.extensions import db
from workhub.online_meetings import ratings

pytestmark = pytest.mark.usefixtures("english", "fast_hashing")
HELD = NOW - timedelta(hours=3)


def held(organiser="sec", tool="zoom", **kwargs) -> int:
    return meeting(organiser, starts_at=HELD, tool=tool, **kwargs).id


def test_ratings_add_up_per_tool_and_department(app, app_ctx, office):
    from workhub.meetings.models import Meeting

    for organiser, tool, sound, picture, trouble in (
            ("sec", "zoom", 5, 4, False), ("sec", "zoom", 3, 2, True),
            ("boss", "teams", 4, 4, False), ("out", "zoom", 1, 1, True)):
        made = db.session.get(Meeting, held(organiser, tool))
        ratings.rate(user(organiser), made, sound=sound, picture=picture, trouble=trouble)
    db.session.commit()
    by_tool = {(r.tool, r.meetings, r.sound, r.picture, r.trouble_share)
               for r in ratings.comparison()}
    assert by_tool == {("zoom", 3, 3.0, 2.33, 0.667), ("teams", 1, 4.0, 4.0, 0.0)}
    by_department = {(r.department, r.tool, r.meetings) for r in
                     ratings.comparison(by_department=True)}
    assert by_department == {("秘書課", "zoom", 2), ("秘書課", "teams", 1), ("他課", "zoom", 1)}
    # A second rating of a meeting replaces the first.
    made = db.session.get(Meeting, held())
    ratings.rate(user("sec"), made, sound=1, picture=1, trouble=True)
    ratings.rate(user("sec"), made, sound=5, picture=5, trouble=False, comment="改善した")
    db.session.commit()
    assert ratings.rating_of(made).comment == "改善した"
    assert [r.meetings for r in ratings.comparison() if r.tool == "zoom"] == [4]


@pytest.mark.parametrize(("setup", "who", "values", "error", "message"), [
    ({}, "emp", {}, Forbidden, "Only the organiser"),
    ({"tool": "none"}, "sec", {}, DomainError, "no online tool"),
    ({"starts_at": NOW + timedelta(days=1)}, "sec", {}, DomainError, "once it has been held"),
    ({}, "sec", {"sound": 0}, DomainError, r"from 1 \(bad\) to 5"),
    ({}, "sec", {"sound": 6}, DomainError, r"from 1 \(bad\) to 5"),
    ({}, "sec", {"picture": "5"}, DomainError, r"from 1 \(bad\) to 5"),
    ({}, "sec", {"picture": True}, DomainError, r"from 1 \(bad\) to 5"),
    ({}, "sec", {"trouble": "no"}, DomainError, "connection gave trouble"),
    ({}, "sec", {"comment": "x" * 501}, DomainError, "too long"),
    ({}, "sec", {"comment": "a\u202eb"}, DomainError, "control characters"),
])
def test_bad_ratings_are_refused(app, app_ctx, office, setup, who, values, error, message):
    from workhub.meetings.models import Meeting

    made = db.session.get(Meeting, meeting("sec", **({"starts_at": HELD} | setup)).id)
    before = snapshot(app)
    with pytest.raises(error, match=message):
        ratings.rate(user(who), made, **({"sound": 4, "picture": 4, "trouble": False} | values))
    db.session.rollback()
    assert snapshot(app) == before


def test_rate_on_the_page_and_read_the_comparison(app, client, office):
    with app.app_context():
        made = held()
    sign_in(client, office["sec"])
    url = f"/online-meetings/meetings/{made}/licences"
    assert "How did the meeting go?" in client.get(url).get_data(as_text=True)
    token = csrf_token(client, url)
    bad = client.post(f"/online-meetings/meetings/{made}/rating",
                      data={"sound": "9", "picture": "4", "csrf_token": token})
    assert bad.status_code == 400 and "from 1 (bad) to 5" in bad.get_data(as_text=True)
    missing = client.post(f"/online-meetings/meetings/{made}/rating",
                          data={"picture": "4", "csrf_token": token})
    assert missing.status_code == 400 and "Choose a score" in missing.get_data(as_text=True)
    done = client.post(f"/online-meetings/meetings/{made}/rating", follow_redirects=True,
                       data={"sound": "4", "picture": "5", "trouble": "y", "csrf_token": token})
    assert "the rating has been saved" in done.get_data(as_text=True)
    hr = app.test_client()
    sign_in(hr, office["it"])
    page = hr.get("/online-meetings/comparison").get_data(as_text=True)
    assert "Zoom" in page and "100%" in page and "4.00" in page


def test_rate_through_the_api(app, client, office):
    with app.app_context():
        made = held()
    sec = bearer(client, "sec")
    url = f"/api/v1/meetings/{made}/rating"
    response = client.put(url, headers=sec, json={"sound": 3, "picture": 4, "trouble": True})
    assert response.status_code == 200, response.json
    assert response.json == {"tool": "zoom", "sound": 3, "picture": 4, "trouble": True,
                             "comment": None}
    for body, status in (({"sound": 3}, 400), ({"sound": "3", "picture": 4}, 400),
                         ({"sound": 9, "picture": 4}, 422), ({"sound": 3, "picture": 4,
                                                              "trouble": "yes"}, 400),
                         ({"sound": 3, "picture": 4, "stars": 5}, 400)):
        assert client.put(url, headers=sec, json=body).status_code == status, body
    compared = client.get("/api/v1/meetings/tool-comparison", headers=bearer(client, "it"))
    assert compared.json["by_tool"] == [{"tool": "zoom", "department": None, "meetings": 1,
                                         "sound": 3.0, "picture": 4.0, "trouble_share": 1.0}]
    assert client.get("/api/v1/meetings/tool-comparison",
                      headers=bearer(client, "emp")).status_code == 403
