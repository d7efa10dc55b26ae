"""Triage on the live console: reports sent by people on patrol (through the phone's JSON API)
arrive live in the review queue with the badge, the page title's count, a beep and a mark on
the map; the officer asks a question and sees the answer, confirms (the reporter is paid),
links a second report nearby as its duplicate, cannot dismiss a third without a reason, and
raises an incident from a fourth, which the incident queue then shows."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from PIL import Image

from tests.e2e.conftest import _context
from tests.e2e.helpers import DEMO_LOGINS, DEMO_PASSWORD, log_in, shot
from tests.media_samples import webm_voice
from tests.servers import running, seed_demo

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
WHERE = {"lat": 33.3801, "lon": 120.1602}  # inside the demo police area


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A demo server of this module's own: confirming pays points, and other tests count them."""
    instance = tmp_path_factory.mktemp("sighting-console")
    seed_demo(instance)
    with running(instance) as started:
        yield started.base


@pytest.fixture
def console_pc(browser: Any, server: str) -> Iterator[Any]:
    yield from _context(browser, server, viewport={"width": 1440, "height": 900})


def field_session(base: str, role: str) -> requests.Session:
    """A demo field person logged in over HTTP, with the CSRF header the phone page sends."""
    session = requests.Session()
    token = CSRF.search(session.get(f"{base}/login", timeout=5).text)
    session.headers["X-CSRFToken"] = token.group(1) if token else ""
    answer = session.post(
        f"{base}/login", json={"phone": DEMO_LOGINS[role], "password": DEMO_PASSWORD}, timeout=5
    )
    assert answer.status_code == 200, answer.text
    token = CSRF.search(session.get(f"{base}/", timeout=5).text)
    session.headers["X-CSRFToken"] = token.group(1) if token else ""
    return session


def report(session: requests.Session, base: str, behaviour: str, **fields: Any) -> dict[str, Any]:
    body = {
        "client_id": str(uuid.uuid4()),
        "category": "suspicious_person",
        "behaviour": behaviour,
        "appearance": {},
        "name_hidden": False,
        "accuracy_m": 12,
        "position_source": "gps",
        "photos": 0,
        "voice": False,
        **WHERE,
        **fields,
    }
    answer = session.post(f"{base}/api/sightings", json=body, timeout=5)
    assert answer.status_code == 201, answer.text
    return answer.json()


def photo_bytes() -> bytes:
    image = Image.new("RGB", (640, 480), (70, 110, 160))
    for x in range(200, 440):
        for y in range(150, 330):
            image.putpixel((x, y), (230, 200, 60))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def test_the_officer_triages_reports_as_they_arrive(console_pc: Any, server: str) -> None:
    console = console_pc.new_page()
    log_in(console, DEMO_LOGINS["officer"])
    console.goto("/console")
    console.locator("#live.ok").wait_for()
    console.locator("#sg-queue .empty", has_text="暂无待核实的报告").wait_for()
    console.get_by_role("button", name="🔔 开启提示音").click()
    console.get_by_role("button", name="🔔 提示音已开").wait_for()
    beeps_before = int(console.locator("#sightings").get_attribute("data-beeps") or 0)

    # A volunteer reports, with a photo and the name hidden from other volunteers.
    volunteer = field_session(server, "volunteer")
    first = report(
        volunteer,
        server,
        "一名男子在楼道里逐户拉门把手，看到人就走开",
        appearance={"clothing": "黑色夹克", "build": "偏瘦"},
        name_hidden=True,
        photos=1,
        voice=True,
    )
    card = console.locator("#sg-queue .sg-card", has_text="逐户拉门把手")
    card.wait_for()
    assert console.locator("#sg-count").inner_text() == "1"
    assert console.title().startswith("(1) ")
    assert int(console.locator("#sightings").get_attribute("data-beeps") or 0) > beeps_before
    assert "对志愿者隐藏姓名" in card.inner_text()
    assert console.locator(".sighting-mark").count() == 1
    sent = volunteer.post(
        f"{server}/api/sightings/{first['id']}/media",
        data={"kind": "photo", "part": "0"},
        files={"file": ("p.jpg", photo_bytes(), "image/jpeg")},
        timeout=10,
    )
    assert sent.status_code == 201, sent.text
    sent = volunteer.post(
        f"{server}/api/sightings/{first['id']}/media",
        data={"kind": "voice", "part": "0"},
        files={"file": ("v.webm", webm_voice(3), "audio/webm")},
        timeout=10,
    )
    assert sent.status_code == 201, sent.text

    # The officer opens it, sees the photo, asks; the answer arrives live.
    card.click()
    detail = console.locator("#sg-detail")
    detail.locator(".sg-appearance", has_text="黑色夹克").wait_for()
    detail.locator(".sg-thumb img").wait_for()
    detail.locator("audio[controls][preload=none]").wait_for(state="attached")
    detail.locator(".sg-thumb").click()
    console.locator("#sg-overlay img[src]").wait_for()
    console.locator("#sg-overlay").click()
    assert console.locator("#sg-overlay").is_hidden()
    detail.locator("input[name=text]").fill("此人现在还在楼道里吗？")
    detail.get_by_role("button", name="发送提问").click()
    question = detail.locator("#sg-questions li", has_text="此人现在还在楼道里吗？")
    question.locator(".sg-a", has_text="等待回答").wait_for()
    asked = volunteer.get(f"{server}/api/sightings/mine", timeout=5).json()["sightings"][0]
    assert asked["questions"][0]["choices"] == ["是", "否", "不确定"]
    answered = volunteer.post(
        f"{server}/api/sightings/{first['id']}/questions/{asked['questions'][0]['id']}/answer",
        json={"answer": "是"},
        timeout=5,
    )
    assert answered.status_code == 200, answered.text
    question.locator(".sg-a", has_text="→ 是").wait_for()
    shot(console, "sighting-console-detail", full_page=False)

    # Confirm pays the reporter once; the report leaves the queue for today's decided list.
    detail.get_by_role("button", name="确认", exact=True).click()
    detail.get_by_role("button", name="情况属实，确认").click()
    detail.locator("#sg-outcome", has_text="积分").wait_for()
    card.wait_for(state="detached")
    assert console.locator("#sg-count").inner_text() == "0"
    assert console.locator("#sg-decided-list li", has_text="已确认").count() == 1
    mine = volunteer.get(f"{server}/api/sightings/mine", timeout=5).json()["sightings"][0]
    assert mine["status"] == "confirmed" and mine["points"] > 0

    # A guard reports the same thing nearby: suggested as its duplicate, and linked.
    guard = field_session(server, "guard")
    report(guard, server, "楼道里有个穿黑夹克的人在试着开门", lat=WHERE["lat"] + 0.0004)
    second = console.locator("#sg-queue .sg-card", has_text="试着开门")
    second.click()
    detail.get_by_role("button", name="重复").click()
    candidate = detail.locator("#sg-candidates li", has_text="逐户拉门把手")
    candidate.locator("b", has_text="相距").wait_for()
    assert "已确认" in candidate.inner_text()
    candidate.get_by_role("button", name="是同一件事").click()
    detail.locator("#sg-outcome", has_text=f"与报告 #{first['id']} 重复").wait_for()
    second.wait_for(state="detached")

    # Dismissing needs a reason: without one nothing is sent.
    report(volunteer, server, "小区门口有人发传单", category="suspicious_situation")
    third = console.locator("#sg-queue .sg-card", has_text="发传单")
    third.click()
    detail.get_by_role("button", name="驳回", exact=True).click()
    detail.get_by_role("button", name="按此理由驳回").click()
    detail.locator("#sg-error", has_text="请先选择或填写驳回理由").wait_for()
    assert third.is_visible()
    detail.get_by_role("button", name="不属于治安事项").click()
    detail.get_by_role("button", name="按此理由驳回").click()
    detail.locator("#sg-outcome", has_text="不属于治安事项").wait_for()
    third.wait_for(state="detached")

    # Escalated: the new incident shows in the incident queue.
    worker = field_session(server, "grid_worker")
    report(worker, server, "消防通道被三辆车堵死", category="blocked_fire_lane")
    console.locator("#sg-queue .sg-card", has_text="消防通道").click()
    detail.get_by_role("button", name="转为警情").click()
    detail.locator("label.prio-1").click()
    detail.get_by_role("button", name="发布警情").click()
    detail.locator("#sg-outcome", has_text="已转为警情").wait_for()
    console.locator("#queue .card").first.wait_for()
    assert console.locator("#sg-count").inner_text() == "0"
    assert not console.title().startswith("(")
    shot(console, "sighting-console-decided", full_page=False)

    # The officer mutes that reporter, asked first; their next report stays out of the queue.
    console.once("dialog", lambda dialog: dialog.accept())
    detail.get_by_role("button", name="屏蔽此人").click()
    detail.get_by_role("button", name="取消屏蔽此人").wait_for()
    report(worker, server, "又有人乱停车", category="blocked_fire_lane", lat=WHERE["lat"] - 0.001)
    console.reload()
    console.locator("#live.ok").wait_for()
    console.locator("#sg-decided-list li").first.wait_for(state="attached")
    assert console.locator("#sg-queue .sg-card").count() == 0


def test_a_report_sent_while_the_console_was_offline_arrives_at_reconnect(
    console_pc: Any, server: str
) -> None:
    """The console re-reads the list when its socket comes back; what people typed shows as
    text; a dispatcher may triage but not mute reporters (officers' call): no such button."""
    console = console_pc.new_page()
    log_in(console, DEMO_LOGINS["dispatcher"])
    console.goto("/console")
    console.locator("#live.ok").wait_for()
    console.evaluate("() => window.wjconsole.socket.disconnect()")
    console.locator("#live.down").wait_for()
    report(field_session(server, "volunteer"), server, "停车场有人在挨个试车门<img src=x>")
    console.wait_for_timeout(500)
    assert console.locator("#sg-queue .sg-card", has_text="挨个试车门").count() == 0
    console.evaluate("() => window.wjconsole.socket.connect()")
    card = console.locator("#sg-queue .sg-card.unseen", has_text="挨个试车门")
    card.wait_for()
    assert "挨个试车门<img src=x>" in card.inner_text()  # typed text stays text
    card.click()
    console.locator("#sg-detail #sg-behaviour", has_text="挨个试车门<img src=x>").wait_for()
    assert console.locator("#sg-mute").is_hidden()
    assert console.locator("#sg-queue .sg-card.unseen").count() == 0
