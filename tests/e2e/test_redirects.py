"""A login link whose ``next`` points off the site leaves the person on the site, in a real
browser. Chromium reads ``/\\evil.example`` as ``//evil.example``, another site; Werkzeug's
redirect happens to encode the backslash, so without the check people landed on a missing page
here instead, and any other use of the target (a link, a script) would have left the site."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.helpers import DEMO_LOGINS, DEMO_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("target", ["/\\evil.example", "/%5Cevil.example", "//evil.example"])
def test_logging_in_with_a_next_off_the_site_stays_on_the_site(
    desktop: Any, live_server: str, target: str
) -> None:
    page = desktop.new_page()
    site = urlsplit(live_server).netloc
    asked: list[str] = []  # every host the browser sent a request to
    page.on("request", lambda req: asked.append(urlsplit(req.url).netloc))
    page.goto(f"/login?next={target}")
    page.fill("input[name=phone]", DEMO_LOGINS["volunteer"])
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    page.wait_for_load_state("load")
    assert urlsplit(page.url).netloc == site
    assert urlsplit(page.url).path == "/"
    assert set(asked) == {site}
