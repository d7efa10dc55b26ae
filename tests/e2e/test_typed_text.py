"""Text people type reaches every page as text, and the Content Security Policy holds.

A person registers with markup as their name and an officer names a patrol point, a route and a
gift with markup; the console (map tooltips, roster, candidates, responders), the point editor,
the check-in page, the point's page, the routes, the catalog, the store and the orders show
those very characters, nothing in them runs (``window.__xss`` stays unset), and no page reports
a CSP violation or an uncaught error, so every script of ours still runs under ``script-src
'self'`` (the confirm dialogs, the route and gift editors, the reprint button, "go back").

A server of its own, so the markup never shows up in the other tests' pages and screenshots.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.helpers import (
    DEMO_LOGINS,
    PHONE,
    PHONE_GEOLOCATION,
    go_on_duty,
    log_in,
    pick_only,
    raise_incident_form,
    shot,
)
from tests.servers import Server, copy_database, running, seed_demo

pytestmark = pytest.mark.e2e

# Each would set window.__xss if a page parsed it as HTML.
PERSON = '<img src=x onerror="window.__xss=1">'
POINT = '<img src=x onerror="window.__xss=2">巡逻点'
INCIDENT = '<svg onload="window.__xss=3"></svg>电动车被盗'
ADDED_PERSON = '<svg onload="window.__xss=4"></svg>李四'
ROUTE = '<img src=y onerror="window.__xss=5">路线'
GIFT = '<img src=z onerror="window.__xss=6">雨伞'
PLACE = '<b onmouseover="window.__xss=7">警务室</b>'
PASSWORD = "typed-text-2026"
JSON = {"Accept": "application/json"}
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (e) => window.__wanjiaCsp(
  [e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber, e.sample].join(" | ")));
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    instance = tmp_path_factory.mktemp("typed-text")
    copy_database(seed_demo(tmp_path_factory.mktemp("typed-text-seed")), instance / "wanjia.db")
    with running(instance) as started:
        yield started


class Watched:
    """Browser contexts whose pages report CSP violations, CSP console messages and uncaught
    errors into ``problems``; ``check(page)`` also asserts no injected script ran there."""

    def __init__(self, browser: Any, server: Server) -> None:
        self.browser, self.server = browser, server
        self.problems: list[str] = []
        self.contexts: list[Any] = []
        self.dialogs: list[str] = []  # what each confirm asked (all accepted)

    def page(self, **options: Any) -> Any:
        context = self.browser.new_context(base_url=self.server.base, locale="zh-CN", **options)
        context.set_default_timeout(8_000)
        context.expose_binding("__wanjiaCsp", lambda _source, r: self.problems.append(f"CSP {r}"))
        context.add_init_script(CSP_LISTENER)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: self.problems.append(f"uncaught {e}"))
        page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.text}")
                if "Content Security Policy" in m.text or "Content-Security-Policy" in m.text
                else None
            ),
        )
        page.on("dialog", self.accept)
        return page

    def accept(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.accept()

    def check(self, page: Any) -> None:
        assert page.evaluate("() => window.__xss") is None, f"injected script ran on {page.url}"
        assert self.problems == [], self.problems

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def watched(browser: Any, server: Server) -> Iterator[Watched]:
    pages = Watched(browser, server)
    yield pages
    pages.close()


def csp_of(response: Any) -> str:
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "object-src 'none'" in policy, policy
    return policy


def tooltips(page: Any, map_selector: str) -> list[str]:
    """Hover every interactive thing on a map, as a dispatcher's mouse would: the texts of the
    tooltips that opened (and none holds an element: no markup was parsed)."""
    page.evaluate(
        """(sel) => document.querySelectorAll(sel + ' .leaflet-interactive').forEach(
             (el) => el.dispatchEvent(new MouseEvent('mouseover', { bubbles: true })))""",
        map_selector,
    )
    tips = page.locator(f"{map_selector} .leaflet-tooltip")
    assert tips.locator("img, svg, b").count() == 0
    return [t.text_content() for t in tips.all()]


def issue_invite(officer: Any) -> str:
    officer.goto("/officer/invites")
    with officer.expect_navigation():
        officer.get_by_role("button", name="生成邀请码").click()
    code = officer.locator("[data-invite]").get_attribute("data-invite")
    assert code
    return code


def register(phone: Any, code: str, name: str, number: str) -> None:
    response = phone.goto("/register")
    csp_of(response)
    phone.fill("input[name=invite_code]", code)
    phone.fill("input[name=name]", name)
    phone.fill("input[name=phone]", number)
    phone.fill("input[name=password]", PASSWORD)
    phone.locator("label.check").tap()
    with phone.expect_navigation():
        phone.get_by_role("button", name="报名", exact=True).tap()
    assert phone.locator("h1").inner_text() == name


def add_point(officer: Any, name: str) -> dict[str, Any]:
    """The officer types a new point a few metres from the phone's position (a fix exactly on
    a point's coordinates is held as a faked one, checkins/evidence.py); the API's view of it."""
    officer.goto("/officer/points")
    officer.fill("#np-name", name)
    officer.select_option("#np-grid", label="第3网格")
    officer.fill("#np-lat", str(PHONE_GEOLOCATION["latitude"] + 4e-5))
    officer.fill("#np-lon", str(PHONE_GEOLOCATION["longitude"]))
    with officer.expect_navigation():
        officer.get_by_role("button", name="添加巡逻点").click()
    [point] = [
        p
        for p in officer.request.get("/api/points", headers=JSON).json()["points"]
        if p["name"] == name
    ]
    return point


def test_a_name_with_markup_shows_as_text_on_the_console_and_the_point_pages(
    watched: Watched, server: Server
) -> None:
    """The stored XSS of issue 17: a person named ``<img src=x onerror=...>`` on duty and
    checked in at a point whose name is markup too; the console's tooltips and lists, the
    point editor, the check-in page and the point's page show the text, and nothing runs."""
    officer = watched.page(viewport={"width": 1440, "height": 900})
    log_in(officer, DEMO_LOGINS["officer"])
    code = issue_invite(officer)

    phone = watched.page(
        **{k: v for k, v in PHONE.items() if k != "locale"},
        geolocation=PHONE_GEOLOCATION,
        permissions=["geolocation"],
    )
    register(phone, code, PERSON, "13512300017")
    assert phone.locator("footer .who").inner_text().startswith(PERSON)
    watched.check(phone)
    assert go_on_duty(phone) == PERSON
    watched.check(phone)

    # The point editor: the new point's row, marker title and tooltip hold the typed text.
    point = add_point(officer, POINT)
    row = officer.locator("table.list").first.locator("tbody tr", has_text=POINT)
    assert row.locator("td").first.inner_text().startswith(POINT)
    marker = officer.locator("#points-map").get_by_title(POINT, exact=True)
    marker.wait_for()
    assert POINT in tooltips(officer, "#points-map")
    watched.check(officer)

    # The phone checks in there: the check-in page names the point as text.
    csp_of(phone.goto(re.sub(r"^https?://[^/]+", "", point["url"])))
    assert phone.locator("h1.point-name").inner_text() == POINT
    phone.locator("#status.done").wait_for(timeout=15_000)
    watched.check(phone)

    # The point's page: its name, the person's name in the check-ins; the reprint still works.
    csp_of(officer.goto(f"/officer/points/{point['id']}"))
    assert officer.locator("h1").inner_text() == POINT
    assert officer.title().startswith(POINT)
    assert PERSON in [c.inner_text() for c in officer.locator("table.list td").all()]
    assert officer.locator("[data-version]").inner_text() == "1"
    with officer.expect_navigation():
        officer.locator("button[data-action$='/reprint']").click()
    assert watched.dialogs[-1] == "重新打印码牌吗？这个点的旧码牌会立即失效。"
    assert officer.locator("[data-version]").inner_text() == "2"
    shot(officer, "desktop-point-page-typed-markup", full_page=False)
    watched.check(officer)

    # The console: roster, map tooltips (the person and the point), an incident with markup
    # in its description, the nearest list and the responders board.
    console = watched.page(viewport={"width": 1440, "height": 900})
    log_in(console, DEMO_LOGINS["dispatcher"])
    policy = csp_of(console.goto("/console"))
    assert "frame-ancestors 'none'" in policy and "base-uri 'none'" in policy
    console.locator("#live.ok").wait_for()
    located = console.locator("#roster li.located", has_text=PERSON)
    located.wait_for()
    assert located.locator("span").first.inner_text() == PERSON
    console.wait_for_function(
        "() => document.querySelectorAll('#map path.leaflet-interactive').length >= 52"
    )
    texts = tooltips(console, "#map")
    assert PERSON in texts and POINT in texts, texts
    assert console.locator("#roster img, #queue img").count() == 0
    watched.check(console)

    raise_incident_form(console)
    console.locator("#new-incident input[name=description]").fill(INCIDENT)
    console.get_by_role("button", name="发布警情").click()
    console.locator("#queue .card.on").wait_for()
    assert console.locator("#detail-meta").inner_text().startswith(INCIDENT)
    pick_only(console, PERSON)
    assert PERSON in console.locator("#candidates li", has_text=PERSON).inner_text()
    console.get_by_role("button", name="调派勾选的人").click()
    board = console.locator("#board li[data-status=offered]", has_text=PERSON)
    board.wait_for()
    assert board.inner_text().startswith(PERSON)
    assert console.locator("#detail img, #detail svg, #candidates img").count() == 0
    shot(console, "desktop-console-typed-markup", full_page=False)
    watched.check(console)

    # The phone's request to go (read again on opening the patrol page) shows it as text.
    phone.goto("/field")
    card = phone.locator(".offer-card[data-status=offered]")
    card.wait_for()
    assert card.locator(".offer-desc").inner_text() == INCIDENT
    assert card.locator(".offer-desc svg").count() == 0
    shot(phone, "phone-offer-typed-markup", full_page=False)
    watched.check(phone)


def test_the_officer_editors_and_confirm_dialogs_work_under_the_policy(
    watched: Watched, server: Server
) -> None:
    """The scripts moved out of the pages still run: a route and a gift with markup in their
    names are added and listed as text, the stock edits, a volunteer orders that gift and
    cancels after a confirm, the officer adds and disables a person named with markup after a
    confirm that quotes the name as text, and an error page's "go back" goes back."""
    officer = watched.page(viewport={"width": 1440, "height": 900})
    log_in(officer, DEMO_LOGINS["officer"])

    # A person added by the officer, named with markup.
    csp_of(officer.goto("/officer/people"))
    officer.fill("#name", ADDED_PERSON)
    officer.fill("#phone", "13512300018")
    officer.fill("#password", PASSWORD)
    officer.select_option("#role", "volunteer")
    with officer.expect_navigation():
        officer.get_by_role("button", name="添加", exact=True).click()
    row = officer.locator("table.list tbody tr", has_text=ADDED_PERSON)
    assert row.locator("td").first.inner_text() == ADDED_PERSON
    watched.check(officer)

    # A route: the order numbers follow the ticks (routes.js), the route is listed as text.
    csp_of(officer.goto("/officer/routes"))
    officer.fill("#r-name", ROUTE)
    stops = officer.locator("#new-route input[name=point]")
    stops.nth(1).check()
    stops.nth(0).check()
    orders = officer.locator("#new-route .stop-order")
    assert (orders.nth(0).inner_text(), orders.nth(1).inner_text()) == ("#2", "#1")
    officer.locator("#new-route label.check", has_text=ADDED_PERSON).locator("input").check()
    with officer.expect_navigation():
        officer.get_by_role("button", name="添加路线").click()
    route = officer.locator("table.list").first.locator("tbody tr", has_text=ROUTE)
    assert route.locator("td").first.inner_text() == ROUTE
    assert ADDED_PERSON in route.inner_text()
    watched.check(officer)

    # A gift: added (gifts.js), listed as text, its stock edited in place.
    csp_of(officer.goto("/officer/gifts"))
    officer.fill("#g-name", GIFT)
    officer.fill("#g-price", "1")
    officer.fill("#g-stock", "5")
    officer.fill("#g-place", PLACE)
    with officer.expect_navigation():
        officer.get_by_role("button", name="添加礼品").click()
    gift_row = officer.locator("table.list").first.locator("tbody tr", has_text=GIFT)
    assert gift_row.locator("td").first.inner_text() == GIFT
    with officer.expect_response(lambda r: r.request.method == "PATCH") as patched:
        gift_row.locator("input.stock-input").fill("4")
        gift_row.locator("input.stock-input").press("Tab")
    assert patched.value.status == 200
    assert officer.locator("#gift-error").is_hidden()
    watched.check(officer)

    # A volunteer exchanges it and cancels after the confirm.
    volunteer = watched.page(**{k: v for k, v in PHONE.items() if k != "locale"})
    log_in(volunteer, DEMO_LOGINS["volunteer"])
    csp_of(volunteer.goto("/store"))
    gift = volunteer.locator("li.gift", has_text=GIFT)
    assert gift.locator("h2").inner_text() == GIFT
    assert PLACE in gift.inner_text()
    with volunteer.expect_navigation():
        gift.get_by_role("button", name="兑换").tap()
    order = volunteer.locator("li.order.pending", has_text=GIFT)
    assert GIFT in order.locator("h2").inner_text()
    shot(volunteer, "phone-order-typed-markup", full_page=False)
    with volunteer.expect_navigation():
        order.get_by_role("button", name="取消订单").tap()
    assert watched.dialogs[-1] == "取消这个订单吗？积分会退回。"
    assert volunteer.locator("li.order.pending", has_text=GIFT).count() == 0
    watched.check(volunteer)

    # Disabling asks first, naming the person as text; dismissed, nothing happens.
    officer.goto("/officer/people")
    row = officer.locator("table.list tbody tr", has_text=ADDED_PERSON)
    dismissed: list[str] = []
    officer.remove_listener("dialog", watched.accept)
    officer.once("dialog", lambda d: (dismissed.append(d.message), d.dismiss()))
    row.get_by_role("button", name="停用").click()
    officer.wait_for_timeout(300)
    assert dismissed == [f"确定停用 {ADDED_PERSON} 的账号吗？对方会立即被退出登录。"]
    assert "disabled" not in (row.get_attribute("class") or "")
    officer.on("dialog", watched.accept)
    with officer.expect_navigation():
        row.get_by_role("button", name="停用").click()
    assert "disabled" in (
        officer.locator("table.list tbody tr", has_text=ADDED_PERSON).get_attribute("class") or ""
    )
    watched.check(officer)

    # An error page's "go back" returns to the page before.
    officer.goto("/officer/gifts")
    response = officer.goto("/officer/points/987654321")
    assert response.status == 404
    csp_of(response)
    with officer.expect_navigation():
        officer.get_by_role("button", name="返回").click()
    assert officer.url.endswith("/officer/gifts")
    watched.check(officer)
