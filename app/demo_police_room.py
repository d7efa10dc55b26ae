"""Demo data of the online police room (issue 20): the demo officers' public profiles and
reception hours, each area's reception hours text, a fraud warning, and tips of different ages
in 城南 (one replied, one complex, one overdue), so the page and the officer's day have
something to show. Called from app/demo.py inside its unit of work."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.roles import Role
from police_room import appointment_slots as slots
from police_room import appointments, tip_rules
from police_room.models import Appointment, Notice, OfficerProfile, Rating, Tip
from volunteers.models import PoliceArea, User

RECEPTION_HOURS = "周一至周五 9:00–12:00、14:00–17:30；周六上午 9:00–11:30"
PROFILES = {  # officer's name: title, public phone, reception (weekday, start, end)
    "陈警官": ("社区民警", "0515-88880111", [(0, "09:00", "11:30"), (2, "14:00", "17:00")]),
    "刘警官": ("社区辅警", "0515-88880112", [(1, "09:00", "11:30"), (3, "14:00", "17:00")]),
    "王警官": ("社区民警", "0515-88880221", [(0, "14:00", "17:00"), (4, "09:00", "11:30")]),
}
FRAUD_WARNING = (
    "警惕“冒充公检法”电话诈骗",
    "公安机关不会通过电话办案，不会要求转账到“安全账户”。接到此类电话请立即挂断，"
    "拨打 110 或到警务室咨询。",
)
TIPS = (  # hours ago, complex, text, reply
    (3, False, "新河路菜场口最近晚上常有人推销“保健品”，专找老人，请民警关注。", None),
    (30, True, "3 号楼地下车库有电动车晚上在楼道里充电，多次劝说无效。", None),
    (50, False, "小区东门的路灯坏了一个星期，晚上很黑。", None),
    (
        20,
        False,
        "周末看到有人在小区里发放贷款小广告。",
        "已联系物业清理，并安排巡逻队加强巡查，谢谢您的线索。",
    ),
)


def seed(session: Session, now: datetime) -> None:
    """Profiles for the demo officers, reception hours, a notice and tips in the first area."""
    areas = list(session.scalars(select(PoliceArea).order_by(PoliceArea.id)))
    for area in areas:
        area.reception_hours = RECEPTION_HOURS
    officers = session.scalars(select(User).where(User.role == Role.OFFICER.value))
    for officer in officers:
        if officer.name in PROFILES:
            title, phone, slots = PROFILES[officer.name]
            reception = [{"weekday": d, "start": s, "end": e} for d, s, e in slots]
            session.add(
                OfficerProfile(
                    user_id=officer.id, title=title, public_phone=phone, reception=reception
                )
            )
    first = areas[0]
    author = session.scalar(
        select(User.id).where(User.police_area_id == first.id, User.role == Role.OFFICER.value)
    )
    if author is None:
        return
    title, body = FRAUD_WARNING
    session.add(
        Notice(
            police_area_id=first.id,
            kind="fraud",
            title=title,
            body=body,
            published_at=now - timedelta(days=2),
            created_by_id=author,
        )
    )
    for hours, is_complex, text, reply in TIPS:
        created = now - timedelta(hours=hours)
        session.add(
            Tip(
                police_area_id=first.id,
                code=tip_rules.new_code(),
                text=text,
                complex=is_complex,
                created_at=created,
                status="replied" if reply else "new",
                reply=reply,
                replied_by_id=author if reply else None,
                replied_at=created + timedelta(hours=2) if reply else None,
            )
        )
    session.flush()


RESIDENT = ("13200000001", "孙秀英")  # the demo resident's login (README)
NEIGHBOURS = ("钱桂兰", "吴建国", "郑淑芬", "冯德华", "何春梅")
RATINGS = ((5, "很耐心，讲得很清楚。"), (4, ""), (5, "当天就帮我联系了物业。"), (4, ""), (4, ""))


def seed_appointments(session: Session, now: datetime, password_hash: str) -> None:
    """The demo resident (孙秀英) met 陈警官 yesterday and may rate it, and waits for his answer
    to a new booking; five neighbours rated their meetings, so his card shows an average."""
    officer = session.scalar(select(User).where(User.name == "陈警官"))
    if officer is None or session.get(OfficerProfile, officer.id) is None:
        return
    logins = [RESIDENT, *((f"132{n:08d}", name) for n, name in enumerate(NEIGHBOURS, start=2))]
    people = [
        User(phone=phone, name=name, password_hash=password_hash, role=Role.RESIDENT.value)
        for phone, name in logins
    ]
    session.add_all(people)
    session.flush()
    length = timedelta(minutes=30)
    for days_ago, resident in enumerate(people, start=1):
        starts = (now - timedelta(days=days_ago)).replace(minute=0, second=0, microsecond=0)
        met = Appointment(
            police_area_id=officer.police_area_id,
            officer_id=officer.id,
            resident_id=resident.id,
            starts_at=starts,
            ends_at=starts + length,
            topic="楼道堆放杂物，想请民警协调" if days_ago == 1 else "咨询居住证办理",
            status=appointments.DONE,
            created_at=starts - timedelta(days=3),
        )
        session.add(met)
        session.flush()
        if days_ago > 1:  # the demo resident's own meeting waits for her rating
            stars, comment = RATINGS[days_ago - 2]
            session.add(
                Rating(appointment_id=met.id, officer_id=officer.id, stars=stars, comment=comment)
            )
    free = slots.free_slots(session, slots.bookable(session, officer.id), now)
    if free:
        session.add(
            Appointment(
                police_area_id=officer.police_area_id,
                officer_id=officer.id,
                resident_id=people[0].id,
                starts_at=free[0].starts_at,
                ends_at=free[0].ends_at,
                topic="家里老人接到可疑电话，想当面咨询",
                created_at=now,
            )
        )
    session.flush()
