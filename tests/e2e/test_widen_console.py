"""Two police rooms' consoles: the first area's dispatcher widens an incident to 城北警务区 with
the button on the incident; both consoles then say so plainly, with who and when, and the
neighbour's console shows who dispatches it and offers no action on it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import _context
from tests.e2e.helpers import log_in, raise_incident_form, shot

DISPATCHER = "13900000010"  # 周调度, the demo's first area
NEIGHBOUR = "13900000110"  # the second area's dispatcher (城北警务区)


@pytest.fixture
def other_desktop(browser: Any, live_server: str) -> Iterator[Any]:
    """A second police-room PC (1440x900, Chinese) with its own login."""
    yield from _context(browser, live_server, viewport={"width": 1440, "height": 900})


def test_a_dispatcher_widens_an_incident_and_both_consoles_show_it(
    desktop: Any, other_desktop: Any
) -> None:
    console = desktop.new_page()
    log_in(console, DISPATCHER)
    console.goto("/console")
    console.locator("#live.ok").wait_for()
    neighbour = other_desktop.new_page()
    log_in(neighbour, NEIGHBOUR)
    neighbour.goto("/console")
    neighbour.locator("#live.ok").wait_for()

    form = raise_incident_form(console)
    form.locator("label.kind", has_text="走失").click()
    form.locator("input[name=description]").fill("八旬老人走失，穿蓝色外套")
    form.get_by_role("button", name="发布警情").click()
    console.locator("#queue .card", has_text="走失").wait_for()
    assert neighbour.locator("#queue .card", has_text="走失").count() == 0  # not widened yet

    shot(console, "console-before-widening", full_page=False)
    console.get_by_role("button", name="包括 城北警务区").click()
    widened = console.locator("#widened li", has_text="已扩大到 城北警务区（周调度，")
    widened.wait_for()
    console.locator("#queue .card.on", has_text="已扩大到 城北警务区").wait_for()
    assert console.get_by_role("button", name="包括 城北警务区").count() == 0
    shot(console, "console-widened", full_page=False)

    card = neighbour.locator("#queue .card.foreign", has_text="来自 城南警务区")
    card.wait_for()
    card.click()
    neighbour.locator("#detail-from", has_text="由城南警务区调度").wait_for()
    neighbour.locator("#widened li", has_text="周调度").wait_for()
    assert not neighbour.locator("#find").is_visible()  # only the first area dispatches it
    assert not neighbour.locator("#close-incident").is_visible()
    shot(neighbour, "console-widened-neighbour", full_page=False)

    console.get_by_role("button", name="结束警情").click()
    card.wait_for(state="detached")
