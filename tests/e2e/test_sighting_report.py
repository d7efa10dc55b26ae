"""The phone's sighting report in a real browser: photos made small on the phone, a voice note
where the browser can record, the outbox that keeps a report through a dropped link, an error
shown by the field it names, and an officer's question answered in one tap on "my reports".

What the server stored is read back through the console's API as the demo officer."""

from __future__ import annotations

import io
import json
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
    no_horizontal_scroll,
    shot,
    small_touch_targets,
)

# Demo volunteers no other browser test logs in as, so no rate limit or report is shared.
REPORTER, OFFLINE_REPORTER, WORDS_REPORTER, ASKED, REFUSED = (
    f"136000000{n}" for n in (41, 42, 43, 44, 45)
)
FAKE_MEDIA = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Two 12-megapixel camera-like JPEGs (4000 x 3000, a few MB each)."""
    folder = tmp_path_factory.mktemp("camera")
    made = []
    for i in range(2):
        shade = Image.linear_gradient("L").resize((4000, 3000))
        grain = Image.effect_noise((4000, 3000), 40 + 10 * i)
        picture = Image.merge("RGB", (grain, shade, Image.blend(grain, shade, 0.5)))
        path = folder / f"IMG_{i}.jpg"
        picture.save(path, "JPEG", quality=92)
        made.append(path)
    return made


@pytest.fixture(scope="module")
def recording_browser(browser: Any) -> Iterator[Any]:
    """Chromium with a fake microphone that needs no permission prompt."""
    chromium = browser.browser_type.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + FAKE_MEDIA
    )
    yield chromium
    chromium.close()


@pytest.fixture
def recording_phone(recording_browser: Any, live_server: str) -> Iterator[Any]:
    context = recording_browser.new_context(
        base_url=live_server,
        geolocation=PHONE_GEOLOCATION,
        permissions=["geolocation", "microphone"],
        **PHONE,
    )
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def officer(desktop: Any) -> Any:
    """The demo officer's logged-in page, for the console's API."""
    page = desktop.new_page()
    log_in(page, DEMO_LOGINS["officer"])
    return page


def console_sightings(officer: Any, behaviour: str) -> list[dict[str, Any]]:
    answer = officer.request.get("/api/console/sightings")
    assert answer.status == 200, answer.text()
    return [s for s in answer.json()["sightings"] if s["behaviour"] == behaviour]


def csrf(page: Any) -> str:
    return page.locator('meta[name="csrf-token"]').get_attribute("content")


def outbox(page: Any) -> list[dict[str, Any]]:
    """The reports waiting in the phone's IndexedDB outbox for the logged-in person."""
    return page.evaluate(
        "() => wjqueue.list(JSON.parse(document.getElementById('report-data').textContent).person)"
    )


def fill_report(page: Any, behaviour: str, photo_files: list[Path]) -> None:
    page.locator(".cat-suspicious_person .cat-face").tap()
    page.fill("#behaviour", behaviour)
    page.locator("#where", has_text="15").wait_for()  # the phone's fix is on the map
    for i, path in enumerate(photo_files):
        page.set_input_files("#photo-input", str(path))
        page.locator("#thumbs .thumb").nth(i).wait_for(timeout=20_000)


def test_a_report_with_two_photos_and_a_voice_note_reaches_the_police_small(
    recording_phone: Any, officer: Any, photos: list[Path]
) -> None:
    page = recording_phone.new_page()
    log_in(page, REPORTER, landing="/report")
    uploads: list[int] = []
    page.on(
        "request",
        lambda r: (
            uploads.append(len(r.post_data_buffer or b"")) if r.url.endswith("/media") else None
        ),
    )
    assert page.locator("#voice-box").is_visible(), "Chromium can record: the button shows"
    behaviour = "一个人在挨个拉车门把手"
    fill_report(page, behaviour, photos)
    page.locator("#record").tap()
    page.locator("#record", has_text="秒").wait_for()
    page.wait_for_timeout(2500)
    page.locator("#record").tap()
    page.locator("#voice-done").wait_for()
    page.locator("#listen").tap()  # played back before sending
    page.locator("#listen[data-played]").wait_for()
    assert float(page.get_attribute("#listen", "data-played")) >= 2
    assert small_touch_targets(page) == []
    no_horizontal_scroll(page)
    shot(page, "sighting-report-phone")
    page.locator("#send").tap()
    page.locator("#outcome-status.done", has_text="民警正在核实").wait_for()
    page.locator("#uploads .upload.sent").nth(2).wait_for(timeout=30_000)
    page.locator("#outcome-text", has_text="全部发送完毕").wait_for()
    shot(page, "sighting-report-sent")

    assert len(uploads) == 3 and all(size < 600_000 for size in uploads[:2]), uploads
    [stored] = console_sightings(officer, behaviour)
    kinds = sorted(m["kind"] for m in stored["media"])
    assert kinds == ["photo", "photo", "voice"]
    assert stored["position_source"] == "gps"
    for media in stored["media"]:
        if media["kind"] == "photo":
            body = officer.request.get(media["url"]).body()
            with Image.open(io.BytesIO(body)) as picture:
                assert max(picture.size) <= 1280  # made small on the phone, not the server


def test_a_report_sent_offline_waits_in_the_phone_and_arrives_once_with_its_photos(
    phone: Any, officer: Any, photos: list[Path]
) -> None:
    page = phone.new_page()
    log_in(page, OFFLINE_REPORTER, landing="/report")
    behaviour = "消防通道被一辆三轮车堵住了"
    fill_report(page, behaviour, photos)
    page.locator("#report-map").tap(position={"x": 220, "y": 90})  # it is a little further on
    page.locator("#where", has_text="地图上选了").wait_for()
    phone.set_offline(True)
    page.locator("#send").tap()
    page.locator("#outcome-status.queued", has_text="等待发送").wait_for()
    waiting = outbox(page)
    assert len(waiting) == 1 and len(waiting[0]["media"]) == 2
    shot(page, "sighting-report-offline")
    phone.set_offline(False)  # the browser's `online` event sends it
    page.locator("#outcome-text", has_text="全部发送完毕").wait_for(timeout=30_000)

    [stored] = console_sightings(officer, behaviour)
    assert sorted(m["kind"] for m in stored["media"]) == ["photo", "photo"]
    assert stored["position_source"] == "map" and stored["lat"] != PHONE_GEOLOCATION["latitude"]
    page.goto("/reports/mine")
    page.locator(".report-card", has_text=behaviour).wait_for()
    assert page.locator(".report-card", has_text=behaviour).count() == 1
    assert outbox(page) == []  # nothing left in the phone


def test_words_about_origin_send_the_report_back_to_the_form_by_the_field(phone: Any) -> None:
    page = phone.new_page()
    log_in(page, WORDS_REPORTER, landing="/report")
    fill_report(page, "一个外地口音的人在小区里转", [])
    page.locator("#send").tap()
    error = page.locator('.field-error[data-for="behaviour"]')
    error.wait_for()
    assert error.get_attribute("data-code") == "describe_behaviour"
    assert page.locator("#report").is_visible() and page.locator("#outcome").is_hidden()
    assert page.input_value("#behaviour") == "一个外地口音的人在小区里转"  # kept to correct
    shot(page, "sighting-report-words")
    page.reload()  # left uncorrected, it waits in the phone and comes back to the form
    page.locator('.field-error[data-for="behaviour"]', has_text="口音").wait_for()
    assert page.input_value("#behaviour") == "一个外地口音的人在小区里转"
    page.fill("#behaviour", "一个人在小区里挨家挨户看门锁")
    page.locator("#send").tap()
    page.locator("#outcome-text", has_text="民警正在核实").wait_for()
    page.goto("/reports/mine")
    page.locator(".report-card", has_text="挨家挨户看门锁").wait_for()
    assert page.locator(".report-card").count() == 1 and outbox(page) == []


def test_a_photo_the_server_finds_too_large_is_named_and_the_report_still_goes(
    phone: Any, officer: Any, photos: list[Path]
) -> None:
    phone.add_init_script("delete window.MediaRecorder")  # a browser that cannot record
    page = phone.new_page()
    log_in(page, REFUSED, landing="/report")
    assert page.locator("#voice-box").is_hidden()  # no button that cannot work
    page.route(
        "**/api/sightings/*/media",
        lambda route: route.fulfill(
            status=413,
            content_type="application/json",
            body=json.dumps({"error": {"code": "photo_too_large", "message": "too large"}}),
        ),
    )
    behaviour = "有人在门口发传单，说可以免费领鸡蛋，要先扫码"
    fill_report(page, behaviour, photos[:1])
    page.locator("#send").tap()
    page.locator("#uploads .upload.refused", has_text="这张照片太大").wait_for()
    page.locator("#outcome-status.done", has_text="民警正在核实").wait_for()
    [stored] = console_sightings(officer, behaviour)
    assert stored["media"] == []
    assert outbox(page) == []  # a file that can never go does not wait forever


def test_an_officers_question_is_answered_in_one_tap_on_my_reports(
    phone: Any, officer: Any
) -> None:
    page = phone.new_page()
    log_in(page, ASKED, landing="/reports/mine")
    behaviour = "有人在楼道里堆了很多纸箱"
    lat, lon = PHONE_GEOLOCATION["latitude"], PHONE_GEOLOCATION["longitude"]
    sent = page.request.post(
        "/api/sightings",
        data=json.dumps(
            {
                "client_id": "e2e-asked-0001",
                "category": "fire_risk",
                "behaviour": behaviour,
                "appearance": {},
                "name_hidden": False,
                "lat": lat,
                "lon": lon,
                "accuracy_m": 10,
                "position_source": "gps",
                "photos": 0,
                "voice": False,
            }
        ),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf(page)},
    )
    assert sent.status == 201, sent.text()
    page.reload()
    card = page.locator(".report-card", has_text=behaviour)
    card.wait_for()
    page.locator("#live.ok").wait_for()
    asked = officer.request.post(
        f"/api/console/sightings/{sent.json()['id']}/questions",
        data=json.dumps({"text": "纸箱挡住楼梯了吗？", "choices": ["挡住了", "没有"]}),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf(officer)},
    )
    assert asked.status == 200, asked.text()
    choice = card.get_by_role("button", name="挡住了")
    choice.wait_for()  # live, through the /field socket
    assert small_touch_targets(page) == []
    no_horizontal_scroll(page)
    shot(page, "sighting-mine-question")
    choice.tap()  # one tap answers: no second Submit
    card.locator(".question-answer", has_text="挡住了").wait_for()
    [after] = console_sightings(officer, behaviour)
    assert after["questions"][0]["answer"] == "挡住了"
    confirmed = officer.request.post(
        f"/api/console/sightings/{after['id']}/decide",
        data=json.dumps({"action": "confirm"}),
        headers={"Content-Type": "application/json", "X-CSRFToken": csrf(officer)},
    )
    assert confirmed.status == 200, confirmed.text()
    page.locator(".report-card.st-confirmed .report-points").wait_for()  # the outcome, live
    shot(page, "sighting-mine-confirmed")


def test_the_report_page_on_a_desktop_screen_asks_for_a_tap_on_a_rough_fix(
    browser: Any, live_server: str
) -> None:
    context = browser.new_context(
        base_url=live_server,
        locale="zh-CN",
        viewport={"width": 1440, "height": 900},
        geolocation={**PHONE_GEOLOCATION, "accuracy": 800},
        permissions=["geolocation"],
    )
    try:
        page = context.new_page()
        log_in(page, REPORTER, landing="/report")
        page.locator("#where", has_text="大概位置（误差约 800 米）").wait_for()
        no_horizontal_scroll(page)
        shot(page, "sighting-report-desktop")
    finally:
        context.close()
