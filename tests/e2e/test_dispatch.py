"""Two browsers: the dispatcher raises an incident on the console and asks the nearest; the
volunteer's phone shows the request, accepts and reports; the console shows it live."""

from __future__ import annotations

from typing import Any

from tests.e2e.helpers import go_on_duty, log_in, pick_only, raise_incident_form, shot

VOLUNTEER = "13600000150"
DISPATCHER = "13900000010"
AWAY = "13600000152"  # a demo volunteer no other browser test uses


def test_a_dispatch_from_the_console_reaches_the_phone_and_comes_back(
    phone: Any, desktop: Any
) -> None:
    mobile = phone.new_page()
    log_in(mobile, VOLUNTEER)
    name = go_on_duty(mobile)
    shot(mobile, "field-on-duty", full_page=False)

    console = desktop.new_page()
    log_in(console, DISPATCHER)
    console.goto("/console")
    console.locator("#live.ok").wait_for()
    console.locator("#roster li", has_text=name).wait_for()  # the position arrived live

    form = raise_incident_form(console)
    form.locator("label.kind", has_text="盗窃").click()
    form.locator("input[name=description]").fill("电动车被盗，嫌疑人往北跑了")
    form.get_by_role("button", name="发布警情").click()
    console.locator("#queue .card", has_text="盗窃").wait_for()
    console.locator(".incident-mark").first.wait_for()

    pick_only(console, name)
    shot(console, "console-candidates", full_page=False)
    console.get_by_role("button", name="调派勾选的人").click()
    console.locator("#board li[data-status=offered]", has_text=name).wait_for()

    card = mobile.locator(".offer-card[data-status=offered]")
    card.wait_for()
    assert "盗窃" in card.locator(".offer-kind").inner_text()
    assert "米" in card.locator(".offer-distance").inner_text()
    shot(mobile, "field-offer", full_page=False)
    card.get_by_role("button", name="接受").tap()
    mobile.locator(".offer-card[data-status=accepted]").wait_for()
    console.locator("#board li[data-status=accepted]", has_text=name).wait_for()
    assert "已出发 1/1 人" in console.locator("#queue .card.on").inner_text()

    mobile.get_by_role("button", name="我已出发").tap()
    mobile.locator(".offer-card[data-status=en_route]").wait_for()
    mobile.get_by_role("button", name="我已到达").tap()
    mobile.locator(".offer-card[data-status=arrived]").wait_for()
    console.locator("#board li[data-status=arrived]", has_text=name).wait_for()
    shot(console, "console-arrived", full_page=False)

    mobile.get_by_role("button", name="处置完毕").tap()
    console.locator("#board li[data-status=done]", has_text=name).wait_for()
    console.get_by_role("button", name="结束警情").click()
    console.locator("#queue .card", has_text="盗窃").wait_for(state="detached")
    mobile.goto("/field")
    mobile.locator("#live.ok").wait_for()
    mobile.get_by_role("button", name="结束值守").tap()
    mobile.locator("#duty.off").wait_for()


def test_a_reconnecting_phone_drops_a_request_withdrawn_while_it_was_away(
    phone: Any, desktop: Any
) -> None:
    """The phone's socket is down while the dispatcher closes the incident (the withdrawal
    never reaches it); the state replayed on reconnecting no longer holds the request, so its
    card goes instead of waiting with buttons for a request nobody needs."""
    mobile = phone.new_page()
    log_in(mobile, AWAY)
    name = go_on_duty(mobile)
    console = desktop.new_page()
    log_in(console, DISPATCHER)
    console.goto("/console")
    console.locator("#roster li", has_text=name).wait_for()
    form = raise_incident_form(console)
    form.locator("label.kind", has_text="纠纷").click()
    form.get_by_role("button", name="发布警情").click()
    console.locator("#queue .card", has_text="纠纷").wait_for()
    pick_only(console, name)
    console.get_by_role("button", name="调派勾选的人").click()
    mobile.locator(".offer-card[data-status=offered]").wait_for()

    mobile.evaluate("wjfield.socket.disconnect()")
    mobile.locator("#live.down").wait_for()
    console.get_by_role("button", name="结束警情").click()
    console.locator("#queue .card", has_text="纠纷").wait_for(state="detached")
    assert mobile.locator(".offer-card").count() == 1  # still shown: the phone was away
    mobile.evaluate("wjfield.socket.connect()")
    mobile.locator("#live.ok").wait_for()
    mobile.locator(".offer-card").wait_for(state="detached")
    shot(mobile, "field-after-replay", full_page=False)
    mobile.get_by_role("button", name="结束值守").tap()
    mobile.locator("#duty.off").wait_for()
