"""The poster's page on a slow link: the check-in's script is asked for with the page's head
(a Link preload header) and runs as soon as it arrives, not after the stylesheet."""

from __future__ import annotations

import re


def test_the_scan_page_preloads_its_script_and_runs_it_async(
    client, logged_in, make_point, token_for
):
    logged_in("guard")
    response = client.get(f"/c/{token_for(make_point())}")
    assert response.status_code == 200
    link = response.headers["Link"]
    preloaded = re.fullmatch(
        r"<(/static/js/checkin\.[0-9a-f]{10}\.js)>; rel=preload; as=script.*", link
    )
    assert preloaded, link
    page = response.get_data(as_text=True)
    assert f'<script src="{preloaded.group(1)}" async></script>' in page


def test_a_qr_code_that_is_not_ours_preloads_nothing(client, logged_in):
    logged_in("guard")
    response = client.get("/c/not-a-token")
    assert "Link" not in response.headers
