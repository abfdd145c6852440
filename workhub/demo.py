"""The demo city office (composition: it loads every feature's demo data): a 局/部/課 tree
and about forty staff with every role."""

from __future__ import annotations

import secrets
import string

from sqlalchemy import select

from workhub.extensions import db
from workhub.org.models import Department, User
from workhub.org.services import create_department, create_user

# (code, 日本語名, English name, parent code)
DEPARTMENTS = [
    ("SOMU", "総務局", "General Affairs Bureau", None),
    ("SOMU-JINJI", "人事部", "Human Resources Department", "SOMU"),
    ("SOMU-JINJI-JINJI", "人事課", "Personnel Division", "SOMU-JINJI"),
    ("SOMU-DX", "デジタル推進部", "Digital Transformation Department", "SOMU"),
    ("SOMU-DX-JOHO", "情報システム課", "Information Systems Division", "SOMU-DX"),
    ("SOMU-SOMU", "総務課", "General Affairs Division", "SOMU"),
    ("KENKO", "健康福祉局", "Health and Welfare Bureau", None),
    ("KENKO-FUKUSHI", "福祉部", "Welfare Department", "KENKO"),
    ("KENKO-FUKUSHI-KOREI", "高齢福祉課", "Elderly Welfare Division", "KENKO-FUKUSHI"),
    ("KENKO-FUKUSHI-KOSODATE", "子育て支援課", "Child-rearing Support Division", "KENKO-FUKUSHI"),
    ("TOSHI", "都市整備局", "Urban Development Bureau", None),
    ("TOSHI-DOBOKU", "土木部", "Civil Engineering Department", "TOSHI"),
    ("TOSHI-DOBOKU-DORO", "道路課", "Roads Division", "TOSHI-DOBOKU"),
]

# (login, 表示名, かな, department, roles)
STAFF = [
    ("admin", "管理 太郎", "かんり たろう", "SOMU-DX-JOHO", ["employee", "admin"]),
    ("sato.hanako", "佐藤 花子", "さとう はなこ", "SOMU-JINJI-JINJI", ["employee", "hr"]),
    ("suzuki.ichiro", "鈴木 一郎", "すずき いちろう", "SOMU-JINJI-JINJI", ["employee", "hr", "manager"]),
    ("takahashi.ken", "高橋 健", "たかはし けん", "SOMU-DX-JOHO", ["employee", "it_admin", "manager"]),
    ("tanaka.yumi", "田中 由美", "たなか ゆみ", "SOMU-DX-JOHO", ["employee", "it_admin"]),
    ("watanabe.akira", "渡辺 明", "わたなべ あきら", "SOMU-DX-JOHO", ["employee"]),
    ("ito.sakura", "伊藤 さくら", "いとう さくら", "SOMU-SOMU", ["employee", "secretary"]),
    ("yamamoto.hiroshi", "山本 浩", "やまもと ひろし", "SOMU-SOMU", ["employee", "manager"]),
    ("nakamura.mai", "中村 舞", "なかむら まい", "SOMU-SOMU", ["employee"]),
    ("kobayashi.takeshi", "小林 武", "こばやし たけし", "SOMU-SOMU", ["employee"]),
    ("kato.megumi", "加藤 恵", "かとう めぐみ", "SOMU-JINJI-JINJI", ["employee"]),
    ("yoshida.makoto", "吉田 誠", "よしだ まこと", "SOMU", ["employee", "manager"]),
    ("yamada.kaori", "山田 香織", "やまだ かおり", "KENKO", ["employee", "manager"]),
    ("sasaki.daisuke", "佐々木 大輔", "ささき だいすけ", "KENKO-FUKUSHI", ["employee", "manager"]),
    ("yamaguchi.naoko", "山口 直子", "やまぐち なおこ", "KENKO-FUKUSHI-KOREI", ["employee", "manager"]),
    ("matsumoto.yuta", "松本 優太", "まつもと ゆうた", "KENKO-FUKUSHI-KOREI", ["employee"]),
    ("inoue.ayaka", "井上 彩香", "いのうえ あやか", "KENKO-FUKUSHI-KOREI", ["employee"]),
    ("kimura.shota", "木村 翔太", "きむら しょうた", "KENKO-FUKUSHI-KOREI", ["employee"]),
    ("hayashi.misaki", "林 美咲", "はやし みさき", "KENKO-FUKUSHI-KOREI", ["employee", "secretary"]),
    ("shimizu.kenji", "清水 健二", "しみず けんじ", "KENKO-FUKUSHI-KOSODATE", ["employee", "manager"]),
    ("yamazaki.rie", "山崎 理恵", "やまざき りえ", "KENKO-FUKUSHI-KOSODATE", ["employee"]),
    ("mori.takumi", "森 拓海", "もり たくみ", "KENKO-FUKUSHI-KOSODATE", ["employee"]),
    ("abe.yoko", "阿部 洋子", "あべ ようこ", "KENKO-FUKUSHI-KOSODATE", ["employee"]),
    ("ikeda.ryo", "池田 亮", "いけだ りょう", "KENKO-FUKUSHI-KOSODATE", ["employee"]),
    ("hashimoto.emi", "橋本 恵美", "はしもと えみ", "KENKO-FUKUSHI-KOSODATE", ["employee"]),
    ("ishikawa.jun", "石川 純", "いしかわ じゅん", "TOSHI", ["employee", "manager"]),
    ("ogawa.tomoko", "小川 智子", "おがわ ともこ", "TOSHI-DOBOKU", ["employee", "manager"]),
    ("maeda.kazuki", "前田 和樹", "まえだ かずき", "TOSHI-DOBOKU-DORO", ["employee", "manager"]),
    ("fujita.nana", "藤田 奈々", "ふじた なな", "TOSHI-DOBOKU-DORO", ["employee"]),
    ("okada.satoshi", "岡田 聡", "おかだ さとし", "TOSHI-DOBOKU-DORO", ["employee"]),
    ("goto.haruka", "後藤 遥", "ごとう はるか", "TOSHI-DOBOKU-DORO", ["employee"]),
    ("hasegawa.yuki", "長谷川 由紀", "はせがわ ゆき", "TOSHI-DOBOKU-DORO", ["employee"]),
    ("murakami.shun", "村上 駿", "むらかみ しゅん", "TOSHI-DOBOKU-DORO", ["employee", "secretary"]),
    ("kondo.ai", "近藤 愛", "こんどう あい", "TOSHI-DOBOKU-DORO", ["employee"]),
    ("ishii.masato", "石井 正人", "いしい まさと", "TOSHI-DOBOKU-DORO", ["employee"]),
    ("saito.kyoko", "斎藤 京子", "さいとう きょうこ", "SOMU-DX", ["employee", "manager"]),
    ("sakamoto.ren", "坂本 蓮", "さかもと れん", "SOMU-DX-JOHO", ["employee"]),
    ("endo.chika", "遠藤 千佳", "えんどう ちか", "SOMU-JINJI", ["employee", "manager", "hr"]),
    ("aoki.daiki", "青木 大樹", "あおき だいき", "SOMU-JINJI-JINJI", ["employee"]),
    ("fujii.midori", "藤井 緑", "ふじい みどり", "KENKO-FUKUSHI", ["employee"]),
    ("nishimura.go", "西村 剛", "にしむら ごう", "TOSHI-DOBOKU", ["employee"]),
]


def generate_password() -> str:
    """Return a random password that meets the password rules."""
    alphabet = string.ascii_letters + string.digits
    return "Demo-" + "".join(secrets.choice(alphabet) for _ in range(12))


def load_demo(password: str) -> int:
    """Create the demo office unless it exists; return the number of users created."""
    for code, name_ja, name_en, parent in DEPARTMENTS:
        if db.session.scalar(select(Department.id).where(Department.code == code)) is None:
            create_department(code, name_ja, name_en, parent)
    from workhub.auth.passwords import check_password_strength, hash_password

    # Every demo user shares one password: hash it once (scrypt is slow on purpose).
    check_password_strength(password)
    shared_hash = hash_password(password)
    created = 0
    for login, name, kana, dept, roles in STAFF:
        if db.session.scalar(select(User.id).where(User.login == login)) is not None:
            continue
        create_user(
            login,
            display_name=name,
            kana=kana,
            roles=roles,
            department_code=dept,
            email=f"{login}@city.example.jp",
            password_hash=shared_hash,
        )
        created += 1
    db.session.flush()
    from workhub.devices.demo import load_devices_demo
    from workhub.online_meetings.demo import load_online_meetings_demo

    load_devices_demo()
    load_online_meetings_demo()
    return created
