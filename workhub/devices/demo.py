"""Demo devices and lines for ``workhub demo``: a small city IT stock lent to the demo staff.

About 30 devices (Panasonic Let's note, Dynabook, iPad, iPhone SE, NEC Aterm routers) with
asset tags like ``CITY-LT-0001``, 12 docomo / au / SoftBank lines, loan terms in Japanese and
English, and loans told as a story of the last three months: a kit (laptop, router and its
line) lent against a request, loans confirmed, unconfirmed and overdue, a line lent on its
own, one loan returned; a request waiting for its manager and one on the waitlist.

Everything goes through the services (``inventory``, ``lines``, ``terms``, ``allocations``,
``device_requests``) with their ``now`` set in the past, so statuses, history and
notifications are what the real pages would have made. Safe to run twice: nothing is done
when the first demo device exists. People missing from the demo office are skipped.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update

from workhub.clock import office_today, office_zone
from workhub.devices import allocations, device_requests, inventory, lines, terms
from workhub.devices.models import Allocation, Device, InventoryEvent, Line
from workhub.extensions import db
from workhub.org.models import User

MARKER = "CITY-LT-0001"
IT_LOGINS = ("tanaka.yumi", "takahashi.ken", "admin")

# (kind, maker, model, OS, tag prefix, first number, how many, bought)
MODELS = [
    ("laptop", "Panasonic", "Let's note SV1", "Windows 11 Pro", "CITY-LT", 1, 10, "2023-04-20"),
    ("laptop", "Dynabook", "G83/KW", "Windows 11 Pro", "CITY-LT", 11, 6, "2024-06-03"),
    ("tablet", "Apple", "iPad (第10世代)", "iPadOS 17", "CITY-TB", 1, 5, "2024-01-15"),
    ("smartphone", "Apple", "iPhone SE (第3世代)", "iOS 17", "CITY-SP", 1, 5, "2023-10-02"),
    ("router", "NEC", "Aterm MR10LN", None, "CITY-RT", 1, 4, "2022-11-28"),
]
# Devices not in stock: tag → (status, note).
NOT_IN_STOCK = {
    "CITY-LT-0010": ("retired", "バッテリー膨張のため廃棄予定"),
    "CITY-LT-0016": ("in_repair", "キーボード不良：メーカー修理中"),
    "CITY-SP-0005": ("lost", "紛失届提出済み（2025年）"),
}
LOCATION = "本庁舎 3階 情報システム課 保管庫"

# (key, number, data-line id, carrier, plan, data cap GB, yen a month, contract start,
#  days to contract end from today, renewal window days, installed in)
LINES = [
    ("data1", None, "DL-D-0001", "docomo", "ビジネスデータ 20GB", 20, 3278, 700, 45, 60,
     "CITY-RT-0001"),
    ("data2", None, "DL-D-0002", "docomo", "ビジネスデータ 20GB", 20, 3278, 700, 45, 60,
     "CITY-RT-0002"),
    ("data3", None, "DL-A-0003", "au", "法人データ 30GB", 30, 3960, 400, 330, 30, "CITY-RT-0003"),
    ("data4", None, "DL-S-0004", "SoftBank", "法人データ 50GB", 50, 4950, 200, 530, 30,
     "CITY-RT-0004"),
    ("phone1", "08011110001", None, "docomo", "ビジネス音声 5GB", 5, 2178, 600, 80, 30,
     "CITY-SP-0001"),
    ("phone2", "08011110002", None, "au", "法人音声 3GB", 3, 1628, 300, 430, 30, "CITY-SP-0002"),
    ("phone3", "08011110003", None, "SoftBank", "法人音声 3GB", 3, 1738, 500, 230, 60,
     "CITY-SP-0003"),
    ("phone4", "08011110004", None, "SoftBank", "法人音声 3GB", 3, 1738, 500, 230, 60, None),
    ("voice1", "09022220001", None, "docomo", "かけ放題ライト", None, 1078, 900, 20, 30, None),
    ("voice2", "09022220002", None, "au", "かけ放題ライト", None, 1100, 250, 480, 30, None),
    ("spare1", "07033330001", None, "docomo", "データ 1GB（予備）", 1, 550, 1000, -10, 30, None),
    ("spare2", "07033330002", None, "au", "データ 1GB（予備）", 1, 605, 100, 630, 30, None),
]

TERMS = {
    "laptop": (
        "貸与されたノートパソコンは業務目的にのみ使用し、私物のソフトウェアを導入しないこと。"
        "持ち出し時は施錠された鞄に入れ、紛失・盗難の際は直ちに情報システム課へ連絡すること。"
        "返却期限までに付属品（ACアダプター等）とともに返却すること。",
        "Use the lent laptop for work only and install no private software. Carry it in a "
        "locked bag; report loss or theft to the Information Systems Division at once. "
        "Return it with its accessories (AC adapter etc.) by the due date."),
    "tablet": (
        "貸与されたタブレットは業務目的にのみ使用すること。画面ロックを常に有効にし、"
        "紛失・盗難の際は直ちに情報システム課へ連絡すること。",
        "Use the lent tablet for work only. Keep the screen lock on; report loss or theft to "
        "the Information Systems Division at once."),
    "smartphone": (
        "貸与されたスマートフォンは業務連絡にのみ使用し、私用の通話・アプリの導入をしないこと。"
        "紛失・盗難の際は直ちに情報システム課へ連絡し、遠隔ロックに協力すること。",
        "Use the lent smartphone for work calls only; make no private calls and install no "
        "private apps. Report loss or theft at once and help with the remote lock."),
    "router": (
        "モバイルWi-Fiルーターは在宅勤務・出張時の業務通信にのみ使用すること。"
        "月間データ量の上限に注意し、SIMカードを抜き差ししないこと。",
        "Use the mobile Wi-Fi router for work connections when working from home or "
        "travelling only. Mind the monthly data cap and do not remove the SIM card."),
    "line": (
        "貸与された通信回線は業務目的にのみ使用すること。SIMカードの他端末への差し替え、"
        "第三者への貸与を禁止する。通信料は市が負担するため、私用利用が判明した場合は"
        "費用を請求することがある。",
        "Use the lent line for work only. Do not move the SIM card to another device or lend "
        "the line to anyone. The city pays the charges; private use may be charged to you."),
}


def _user(login: str) -> User | None:
    return db.session.scalar(select(User).where(User.login == login, User.active.is_(True)))


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=office_zone())


def _dated(since_event_id: int, when: datetime) -> None:
    """History written after ``since_event_id`` happened at ``when`` (the story's time)."""
    db.session.execute(update(InventoryEvent).where(InventoryEvent.id > since_event_id)
                       .values(at=when))


def _last_event_id() -> int:
    db.session.flush()
    return db.session.scalar(select(InventoryEvent.id).order_by(InventoryEvent.id.desc())
                             .limit(1)) or 0


def _create_inventory(actor: User | None, today: date) -> tuple[dict, dict]:
    devices: dict[str, Device] = {}
    for kind, maker, model, os_name, prefix, first, count, bought in MODELS:
        for number in range(first, first + count):
            tag = f"{prefix}-{number:04d}"
            status, note = NOT_IN_STOCK.get(tag, ("in_stock", None))
            data = inventory.clean_device({
                "asset_tag": tag, "kind": kind, "maker": maker, "model": model,
                "serial": f"{prefix[5:]}{bought[2:4]}{number:05d}", "os": os_name,
                "purchase_date": bought, "location": LOCATION, "notes": note,
                "warranty_end": f"{int(bought[:4]) + 5}{bought[4:]}"})
            devices[tag] = inventory.add_device(data, actor, status=status)
    line_rows: dict[str, Line] = {}
    for index, (key, number, data_id, carrier, plan, cap, cost, started, ends_in, window,
                device_tag) in enumerate(LINES, start=1):
        line = lines.add_line(lines.clean_line({
            "number": number, "data_line_id": data_id, "carrier": carrier, "plan": plan,
            "iccid": _iccid(index), "data_cap_gb": cap, "monthly_cost": cost,
            "sim_type": "esim" if key.startswith("phone") and index % 2 else "sim",
            "contract_start": (today - timedelta(days=started)).isoformat(),
            "contract_end": (today + timedelta(days=ends_in)).isoformat(),
            "renewal_window_days": window}), actor)
        if device_tag is not None and actor is not None:
            lines.install_line(line, devices[device_tag], actor)
        line_rows[key] = line
    return devices, line_rows


def _iccid(index: int) -> str:
    """A made-up Japanese ICCID (89 81 …) with a valid Luhn check digit."""
    body = f"898110{index:012d}"
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:  # doubled: the check digit will be to the right
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return body + str((10 - total % 10) % 10)


def _lend(it: User, login: str, *, days_ago: int, due_in: int, devices=(), lines_=(),
          installed: bool = False, confirmed_after: int | None = None,
          today: date) -> list[Allocation]:
    """Lend items to ``login`` as IT did ``days_ago`` days ago (confirmed some days later)."""
    holder = _user(login)
    if holder is None:
        return []
    mark, when = _last_event_id(), _at(today - timedelta(days=days_ago))
    rows = allocations.allocate_kit(it, user=holder, devices=devices, lines=lines_,
                                    include_installed_lines=installed,
                                    due_date=today + timedelta(days=due_in), now=when)
    _dated(mark, when)
    if confirmed_after is not None:
        _confirm(rows, days_ago - confirmed_after, today)
    return rows


def _confirm(rows: list[Allocation], days_ago: int, today: date) -> None:
    mark, when = _last_event_id(), _at(today - timedelta(days=days_ago), 15)
    for row in rows:
        kind = row.device.model.kind if row.device is not None else "line"
        allocations.confirm_receipt(row, row.user, terms_version=terms.current_terms(kind)
                                    .version, now=when)
    _dated(mark, when)


def _story(it: User, devices: dict, line_rows: dict, today: date) -> None:
    """The loans and requests of the module docstring."""
    d = devices
    # A kit against a request: laptop, router and the data line in it, approved by the
    # manager, fulfilled by IT, confirmed the next day.
    mai, manager = _user("nakamura.mai"), _user("yamamoto.hiroshi")
    if mai is not None and manager is not None:
        mark, when = _last_event_id(), _at(today - timedelta(days=30), 9)
        request = device_requests.create_request(
            mai, kind="laptop", start_date=today - timedelta(days=28),
            end_date=today + timedelta(days=60), actor=mai, needs_approval=True, now=when,
            purpose="在宅勤務（週3日）で住民情報システムの端末作業を行うため")
        device_requests.decide_request(request, manager, approve=True, now=when)
        _dated(mark, when)
        mark, when = _last_event_id(), _at(today - timedelta(days=28))
        kit = device_requests.fulfil_request(
            request, it, devices=[d["CITY-LT-0001"], d["CITY-RT-0001"]],
            include_installed_lines=True, now=when,
            handover_notes="ACアダプター、ルーター用充電ケーブル付き")
        _dated(mark, when)
        _confirm(kit, 27, today)
    _lend(it, "watanabe.akira", days_ago=45, due_in=-7, devices=[d["CITY-LT-0002"]],
          confirmed_after=1, today=today)  # overdue
    _lend(it, "inoue.ayaka", days_ago=20, due_in=-3, devices=[d["CITY-LT-0003"]],
          today=today)  # overdue and never confirmed
    _lend(it, "kobayashi.takeshi", days_ago=6, due_in=30, devices=[d["CITY-TB-0001"]],
          today=today)  # not confirmed yet
    _lend(it, "matsumoto.yuta", days_ago=4, due_in=90, devices=[d["CITY-SP-0001"]],
          installed=True, today=today)  # a phone with its line, not confirmed yet
    _lend(it, "yamazaki.rie", days_ago=60, due_in=120, devices=[d["CITY-LT-0011"]],
          confirmed_after=1, today=today)
    _lend(it, "fujita.nana", days_ago=10, due_in=14, devices=[d["CITY-RT-0002"]],
          installed=True, confirmed_after=1, today=today)
    _lend(it, "kato.megumi", days_ago=15, due_in=180, lines_=[line_rows["voice1"]],
          confirmed_after=2, today=today)  # a line on its own
    returned = _lend(it, "goto.haruka", days_ago=90, due_in=-40,
                     devices=[d["CITY-LT-0012"]], confirmed_after=1, today=today)
    if returned:
        mark, when = _last_event_id(), _at(today - timedelta(days=38), 16)
        allocations.return_items(returned[0], it, condition="good", now=when)
        _dated(mark, when)
    # Two open requests: one waits for its manager, one for stock.
    for login, kind, approval, purpose in (
            ("okada.satoshi", "laptop", True, "道路占用の現地確認を在宅で取りまとめるため"),
            ("hasegawa.yuki", "tablet", False, "現場写真の確認と住民説明会での資料表示のため")):
        person = _user(login)
        if person is None:
            continue
        mark, when = _last_event_id(), _at(today - timedelta(days=2))
        request = device_requests.create_request(
            person, kind=kind, start_date=today + timedelta(days=7),
            end_date=today + timedelta(days=97), purpose=purpose, actor=person,
            needs_approval=approval, now=when)
        if not approval:
            device_requests.waitlist_request(request, it,
                                             comment="在庫のiPadは全台貸出予定のため順番待ち")
        _dated(mark, when)


def load_devices_demo() -> int:
    """Create the demo inventory, terms and loans unless present; return the devices made."""
    if db.session.scalar(select(Device.id).where(Device.asset_tag == MARKER)) is not None:
        return 0
    it = next((user for login in IT_LOGINS if (user := _user(login)) is not None), None)
    today = office_today()
    for kind, (text_ja, text_en) in TERMS.items():
        if it is not None:
            terms.set_terms(kind, text_ja, text_en, it)
    devices, line_rows = _create_inventory(it, today)
    if it is not None:
        _story(it, devices, line_rows, today)
    db.session.flush()
    return len(devices)
