"""Patrol points in bulk in the browser: an officer at the police room's PC goes from the points
page to the import, checks a CSV with a mistake (listed by row and column, nothing imported),
checks the corrected file (the upload shows its progress), confirms, and finds the new points
in the list and on the map."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.helpers import DEMO_LOGINS, log_in, no_horizontal_scroll, shot, small_touch_targets
from tests.servers import running, seed_demo


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A demo server of this module's own: the imported points would change what the other
    browser tests count on the shared one (its points, their radii and hotspots)."""
    instance = tmp_path_factory.mktemp("points-import")
    seed_demo(instance)
    with running(instance) as server:
        yield server.base


HEADER = "名称,纬度,经度,网格编号,半径（米）,积分,热点"
ROWS = [
    "导入测试·东侧路口,33.3795,120.1590,G01,60,10,否",
    "导入测试·幼儿园门口,33.3803,120.1605,G02,,15,是",
    "导入测试·停车棚,33.3811,120.1620,G03,40,,",
]


def _csv(tmp_path: Path, name: str, rows: list[str]) -> Path:
    path = tmp_path / name
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("gb18030"))
    return path


def _check(page: Any, path: Path) -> None:
    """Send the file as the page does (XHR, with its progress bar): the page is not left, so
    a mark set on it before is still there with the preview."""
    page.evaluate("() => { window.sameDocument = true; }")
    page.set_input_files("#import-file", str(path))
    page.get_by_role("button", name="检查文件").click()
    page.locator("#preview h2", has_text=path.name).wait_for()
    assert page.evaluate("() => window.sameDocument === true")


def test_an_officer_imports_points_from_a_csv_and_sees_them_on_the_map(
    desktop: Any, tmp_path: Path
) -> None:
    page = desktop.new_page()
    log_in(page, DEMO_LOGINS["officer"])
    page.goto("/officer/points")
    with page.expect_navigation():
        page.get_by_role("link", name="从表格导入点位").click()
    assert page.url.endswith("/officer/points/import")
    no_horizontal_scroll(page)
    assert small_touch_targets(page) == []
    shot(page, "desktop-points-import")

    # A file with a latitude typed wrong: the row and column are named, nothing is imported.
    bad = [ROWS[0], ROWS[1].replace("33.3803", "三十三"), ROWS[2]]
    _check(page, _csv(tmp_path, "点位-有错.csv", bad))
    problems = page.locator("table.problems tbody tr")
    assert problems.count() == 1
    cells = problems.nth(0).locator("td").all_inner_texts()
    assert cells == ["3", "导入测试·幼儿园门口", "纬度", "三十三", "纬度不是数字。"]
    assert page.locator("form.confirm").count() == 0
    shot(page, "desktop-points-import-problems")

    # The corrected file: the progress bar showed the upload, then the ready preview.
    _check(page, _csv(tmp_path, "点位.csv", ROWS))
    assert page.get_by_text("全部 3 个点位都可以导入。").is_visible()
    assert page.locator("table.ready tbody tr").count() == 3
    no_horizontal_scroll(page)
    shot(page, "desktop-points-import-ready")

    with page.expect_navigation():
        page.get_by_role("button", name="导入 3 个点位").click()
    assert "/officer/points?imported=3" in page.url
    assert page.get_by_text("已导入 3 个点位").is_visible()
    for row in ROWS:
        name = row.split(",")[0]
        assert page.locator("table.list td", has_text=name).count() == 1
        page.wait_for_selector(f'.leaflet-marker-icon[title="{name}"]', state="attached")
    shot(page, "desktop-points-after-import")


def test_the_import_page_fits_a_phone(phone: Any) -> None:
    """An officer out on patrol may open it on a phone: nothing sideways, 48 px targets."""
    page = phone.new_page()
    log_in(page, DEMO_LOGINS["officer"])
    page.goto("/officer/points/import")
    no_horizontal_scroll(page)
    assert small_touch_targets(page) == []
    shot(page, "phone-points-import")
