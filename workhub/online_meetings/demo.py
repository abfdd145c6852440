"""Demo data of online meetings: the city's host licences and room kits, and an online meeting
next week that holds a Zoom licence, so the licence pages show a programme at work."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select

from workhub.businessdays import is_business_day
from workhub.clock import office_today, office_zone
from workhub.extensions import db
from workhub.meetings import services as meetings
from workhub.meetings.models import Meeting
from workhub.online_meetings.bookings import book_licence
from workhub.online_meetings.licences import LicenceData, create_licence
from workhub.online_meetings.models import Licence
from workhub.org.models import User


def _licences(today: date) -> list[LicenceData]:
    """The inventory, under contract for the fiscal year (April to March) of ``today``."""
    start = date(today.year if today.month >= 4 else today.year - 1, 4, 1)
    end = date(start.year + 1, 3, 31)
    return [
        LicenceData(name="Zoom 会議用 1", tool="zoom", capacity=100, contract_ref="R8-情政-012",
                    contract_start=start, contract_end=end, monthly_cost_yen=2200,
                    paying_department="SOMU-DX-JOHO", account="zoom-host-01@city.example.jp"),
        LicenceData(name="Zoom 会議用 2", tool="zoom", capacity=300, contract_ref="R8-情政-012",
                    contract_start=start, contract_end=end, monthly_cost_yen=4400,
                    paying_department="SOMU-DX-JOHO", account="zoom-host-02@city.example.jp"),
        LicenceData(name="Webex 会議用", tool="webex", capacity=200, contract_ref="R8-情政-015",
                    contract_start=start, contract_end=end, monthly_cost_yen=3000,
                    paying_department="SOMU-DX-JOHO", account="webex-host@city.example.jp"),
        LicenceData(name="Teams 福祉部", tool="teams", capacity=300, mode="assigned",
                    assigned_department="KENKO-FUKUSHI", paying_department="KENKO-FUKUSHI",
                    notes="福祉部の関係機関との会議用"),
        LicenceData(name="会議室機材 本庁舎3階", tool="other", kind="room", capacity=12,
                    account="本庁舎 3階 会議室A", monthly_cost_yen=0,
                    notes="カメラ・スピーカーフォン一式"),
    ]


def _next_business_day(after: date) -> date:
    day = after + timedelta(days=7)
    while not is_business_day(day):
        day += timedelta(days=1)
    return day


def load_online_meetings_demo() -> None:
    """Create the licences and the booked meeting unless they exist."""
    it = db.session.scalar(select(User).where(User.login == "tanaka.yumi"))
    secretary = db.session.scalar(select(User).where(User.login == "ito.sakura"))
    if it is None or secretary is None:
        return
    for data in _licences(office_today()):
        if db.session.scalar(select(Licence.id).where(Licence.name == data.name)) is None:
            create_licence(it, data)
    day = _next_business_day(office_today())
    starts = datetime.combine(day, time(14, 0), tzinfo=office_zone())
    title = "庁内DX推進会議（オンライン）"
    if db.session.scalar(select(func.count()).select_from(Meeting).where(Meeting.title == title)):
        return
    meeting = meetings.create_meeting(secretary, meetings.MeetingData(
        title=title, starts_at=starts, ends_at=starts + timedelta(hours=1), online_tool="zoom",
        join_url="https://city-example.zoom.us/j/81234567890", place="各課の席から参加",
        logins=["yamamoto.hiroshi", "nakamura.mai", "saito.kyoko", "watanabe.akira"],
        externals=["株式会社サンプル / 保守事業者"], agenda=["進捗報告", "次年度の方針"],
        notes="資料は前日までに共有フォルダに置きます。"))
    zoom = db.session.scalar(select(Licence).where(Licence.name == "Zoom 会議用 1"))
    book_licence(secretary, meeting, zoom.id)
