"""Issue 19's "done when" for sightings, with both sides in the browser: a volunteer's phone
reports with two photos and a voice note; the report appears live on the officer's console with
a beep; the officer asks from the console and the volunteer answers with one tap on "my
reports"; the officer confirms and the volunteer's points rise; a guard's report nearby is
suggested as its duplicate and linked, and the guard's phone is told. (The broadcast half of
the "done when" is tests/e2e/test_broadcasts.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.e2e.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DEMO_LOGINS,
    PHONE,
    PHONE_GEOLOCATION,
    log_in,
    shot,
)
from tests.servers import running, seed_demo

pytestmark = pytest.mark.e2e

FAKE_MICROPHONE = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A demo server of its own: confirming pays points that other tests count."""
    instance = tmp_path_factory.mktemp("sighting-story")
    seed_demo(instance)
    with running(instance) as started:
        yield started.base


@pytest.fixture(scope="module")
def chromium(browser: Any) -> Iterator[Any]:
    """Chromium with a fake microphone that needs no permission prompt."""
    launched = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + FAKE_MICROPHONE
    )
    yield launched
    launched.close()


def _context(chromium: Any, server: str, **options: Any) -> Any:
    context = chromium.new_context(**({"base_url": server, "locale": "zh-CN"} | options))
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def people(chromium: Any, server: str) -> Iterator[dict[str, Any]]:
    phone = dict(PHONE, geolocation=PHONE_GEOLOCATION, permissions=["geolocation", "microphone"])
    contexts = {
        "console": _context(chromium, server, viewport={"width": 1440, "height": 900}),
        "volunteer": _context(chromium, server, **phone),
        "guard": _context(chromium, server, **phone),
    }
    yield {name: context.new_page() for name, context in contexts.items()}
    for context in contexts.values():
        context.close()


@pytest.fixture(scope="module")
def camera_photos(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("story-camera")
    made = []
    for i in range(2):
        picture = Image.merge(
            "RGB", [Image.effect_noise((2000, 1500), 30 + 10 * i).convert("L")] * 3
        )
        made.append(folder / f"IMG_{i}.jpg")
        picture.save(made[-1], "JPEG", quality=90)
    return made


def balance(page: Any) -> int:
    answer = page.request.get("/me/points", headers={"Accept": "application/json"})
    assert answer.status == 200, answer.text()
    return int(answer.json()["balance"])


def test_a_sighting_from_phone_to_console_and_back(people: dict[str, Any], camera_photos):
    console, phone, guard = people["console"], people["volunteer"], people["guard"]
    log_in(console, DEMO_LOGINS["officer"], landing="/console")
    console.locator("#live.ok").wait_for()
    console.get_by_role("button", name="🔔 开启提示音").click()
    beeps = int(console.locator("#sightings").get_attribute("data-beeps") or 0)

    # The volunteer reports with two photos and a voice note.
    log_in(phone, DEMO_LOGINS["volunteer"], landing="/report")
    points_before = balance(phone)
    behaviour = "一个人在车棚里挨个拧电动车的锁"
    phone.locator(".cat-suspicious_person .cat-face").tap()
    phone.fill("#behaviour", behaviour)
    phone.locator("#where", has_text="15").wait_for()
    for i, photo in enumerate(camera_photos):
        phone.set_input_files("#photo-input", str(photo))
        phone.locator("#thumbs .thumb").nth(i).wait_for(timeout=20_000)
    phone.locator("#record").tap()
    phone.locator("#record", has_text="秒").wait_for()
    phone.wait_for_timeout(2000)
    phone.locator("#record").tap()
    phone.locator("#voice-done").wait_for()
    phone.locator("#send").tap()
    phone.locator("#outcome-status.done", has_text="民警正在核实").wait_for()

    # It appears live on the console with a beep; its photos and voice note follow.
    card = console.locator("#sg-queue .sg-card", has_text=behaviour)
    card.wait_for()
    assert int(console.locator("#sightings").get_attribute("data-beeps") or 0) > beeps
    phone.locator("#outcome-text", has_text="全部发送完毕").wait_for(timeout=30_000)
    card.click()
    detail = console.locator("#sg-detail")
    detail.locator(".sg-thumb img").nth(1).wait_for()
    detail.locator("audio[controls]").wait_for(state="attached")

    # The officer asks; the volunteer answers with one tap on "my reports".
    phone.goto("/reports/mine")
    phone.locator("#live.ok").wait_for()
    detail.locator("input[name=text]").fill("那个人还在车棚吗？")
    detail.get_by_role("button", name="发送提问").click()
    mine = phone.locator(".report-card", has_text=behaviour)
    mine.get_by_role("button", name="是").tap()
    detail.locator("#sg-questions li .sg-a", has_text="→ 是").wait_for()

    # The officer confirms: the volunteer is told live and the points rise.
    detail.get_by_role("button", name="确认", exact=True).click()
    detail.get_by_role("button", name="情况属实，确认").click()
    phone.locator(".report-card.st-confirmed .report-points").wait_for()
    assert balance(phone) > points_before
    shot(phone, "story-sighting-confirmed")

    # A guard nearby reports the same thing: suggested as its duplicate and linked.
    log_in(guard, DEMO_LOGINS["guard"], landing="/report")
    guard.locator(".cat-suspicious_person .cat-face").tap()
    guard.fill("#behaviour", "车棚里有人在撬锁")
    guard.locator("#where", has_text="15").wait_for()
    guard.locator("#send").tap()
    guard.locator("#outcome-status.done").wait_for()
    second = console.locator("#sg-queue .sg-card", has_text="车棚里有人在撬锁")
    second.click()
    detail.get_by_role("button", name="重复").click()
    candidate = detail.locator("#sg-candidates li", has_text=behaviour)
    candidate.get_by_role("button", name="是同一件事").click()
    second.wait_for(state="detached")
    guard.goto("/reports/mine")
    guard.locator(".report-card.st-duplicate", has_text="车棚里有人在撬锁").wait_for()
    shot(console, "story-sighting-console", full_page=False)
