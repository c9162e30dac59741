"""The log viewer in a real headless Chromium."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from .conftest import ALPHA_KEY, BETA_KEY, Viewer, sign_in

pytestmark = pytest.mark.slow

# Hang guards for the page, not timing assertions.
WAIT_MS = 15_000
TRACE_LINE = "CardError: declined"


def _marker() -> str:
    return "m" + uuid.uuid4().hex[:12]


def _rows(page: Any) -> list[str]:
    return list(page.locator("#list .row .msg").all_inner_texts())


def expect(locator: Any) -> Any:
    """Playwright's assertions, which wait (up to ``WAIT_MS``) without evaluating script
    text: the page's Content-Security-Policy forbids that, in tests too."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def test_the_banner_link_signs_one_browser_in_once(browser: Any, viewer: Viewer) -> None:
    marker = _marker()
    viewer.ingest(ALPHA_KEY, {"message": f"hello {marker}", "level": "INFO"})
    first = browser.new_context()
    try:
        page = first.new_page()
        page.goto(viewer.login_url)
        page.wait_for_selector(f"#list .row:has-text('{marker}')", timeout=WAIT_MS)
        assert page.url == viewer.base_url + "/"  # the token is gone from the address bar
        [cookie] = first.cookies()
        assert cookie["httpOnly"] is True
        assert cookie["sameSite"] == "Strict"
        assert page.evaluate("document.cookie") == ""  # no script can read it
        assert ALPHA_KEY not in page.content()
    finally:
        first.close()
    second = browser.new_context()
    try:
        page = second.new_page()
        page.goto(viewer.login_url)
        page.wait_for_selector("#signin:not([hidden])", timeout=WAIT_MS)
        assert "already used" in page.inner_text("#signin-error")
        assert second.cookies() == []
    finally:
        second.close()
    assert "alpha-viewer-key" not in viewer.banner  # a configured key is never printed


def test_without_a_credential_there_is_no_log_content(context: Any, viewer: Viewer) -> None:
    viewer.ingest(ALPHA_KEY, {"message": "secret entry", "level": "INFO"})
    page = context.new_page()
    page.goto(viewer.base_url + "/")
    page.wait_for_selector("#signin:not([hidden])", timeout=WAIT_MS)
    assert page.locator("#list .row").count() == 0
    assert "secret entry" not in page.content()
    for path in ("/ui/api/v1/logs", "/ui/api/v1/logs/stream", "/ui/session", "/v1/logs"):
        response = context.request.get(viewer.base_url + path)
        assert response.status == 401, path
        assert "secret entry" not in response.text()
    assert context.request.get(viewer.base_url + "/ui/login?token=guess").url.endswith(
        "/?signin=expired"
    )


def test_sign_in_form_and_tenant_isolation(context: Any, viewer: Viewer) -> None:
    alpha, beta = _marker(), _marker()
    viewer.ingest(ALPHA_KEY, {"message": f"alpha only {alpha}", "level": "INFO"})
    viewer.ingest(BETA_KEY, {"message": f"beta only {beta}", "level": "INFO"})
    page = context.new_page()
    page.goto(viewer.base_url + "/")
    page.fill("#signin-key", "not-a-key-of-this-server")
    page.click("#signin-form button[type=submit]")
    expect(page.locator("#signin-error")).to_contain_text("not valid", timeout=WAIT_MS)
    page.fill("#signin-key", BETA_KEY)
    page.click("#signin-form button[type=submit]")
    page.wait_for_selector(f"#list .row:has-text('{beta}')", timeout=WAIT_MS)
    assert page.inner_text("#tenant") == "tenant beta"
    assert not any(alpha in row for row in _rows(page))
    # The gateway answers for the session's tenant, whatever the request says.
    logs = context.request.get(viewer.base_url + "/ui/api/v1/logs?limit=1000").json()["data"]
    assert all("alpha only" not in entry["message"] for entry in logs)


def test_search_narrows_the_list_and_detail_shows_metadata(page_of: Any, viewer: Viewer) -> None:
    marker = _marker()
    viewer.ingest(
        ALPHA_KEY,
        {"message": f"payment declined {marker}", "level": "ERROR", "source": "billing",
         "metadata": {"order": {"id": "ord-991", "total": 12.5}, "trace_id": "abc123",
                      "exception": {"type": "CardError", "message": "declined",
                                    "traceback": f"Traceback ...\n{TRACE_LINE}"}}},
        {"message": f"user signed in {marker}", "level": "INFO", "source": "auth"},
        {"message": f"cache warmed {marker}", "level": "DEBUG", "source": "worker"},
    )  # fmt: skip
    page = page_of()
    page.wait_for_selector(f"#list .row:has-text('cache warmed {marker}')", timeout=WAIT_MS)
    page.fill("#query", f"declined {marker}")
    page.press("#query", "Enter")
    expect(page.locator("#list .row")).to_have_count(1, timeout=WAIT_MS)
    [row] = _rows(page)
    assert row.startswith(f"payment declined {marker}")
    page.click("#list .row")
    detail = page.locator("#detail-body")
    detail.wait_for(timeout=WAIT_MS)
    text = detail.inner_text()
    assert "ord-991" in text
    assert "12.5" in text
    assert "abc123" in text
    assert TRACE_LINE in page.inner_text("#detail-body pre.trace")
    # Filters: the level buttons narrow too.
    page.fill("#query", marker)
    page.press("#query", "Enter")
    page.click("#levels button.WARN")  # WARN matches none of them
    expect(page.locator("#list .row")).to_have_count(0, timeout=WAIT_MS)
    page.click("#levels button.DEBUG")
    # Retrying assertions: the list is replaced when the new answer arrives.
    rows = page.locator("#list .row")
    expect(rows).to_have_count(1, timeout=WAIT_MS)
    expect(rows).to_contain_text(f"cache warmed {marker}", timeout=WAIT_MS)


def test_a_live_entry_appears_without_reload(page_of: Any, viewer: Viewer) -> None:
    page = page_of()
    page.wait_for_selector("#health.live", timeout=WAIT_MS)
    marker = _marker()
    viewer.ingest(ALPHA_KEY, {"message": f"just logged {marker}", "level": "WARN"})
    page.wait_for_selector(f"#list .row:has-text('just logged {marker}')", timeout=WAIT_MS)
    # Paused, new entries wait (and are counted) until resumed.
    page.click("#pause")
    paused = _marker()
    viewer.ingest(ALPHA_KEY, {"message": f"while paused {paused}", "level": "INFO"})
    expect(page.locator("#counts")).to_contain_text("1 new while paused", timeout=WAIT_MS)
    assert not any(paused in row for row in _rows(page))
    page.click("#pause")
    page.wait_for_selector(f"#list .row:has-text('{paused}')", timeout=WAIT_MS)


def test_log_content_is_never_html(page_of: Any, viewer: Viewer) -> None:
    hostile = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    marker = _marker()
    viewer.ingest(
        ALPHA_KEY,
        {"message": f"{hostile} {marker}", "level": "ERROR", "source": "<b>src</b>",
         "metadata": {"<i>key</i>": hostile}, "tags": ["<u>t</u>"]},
    )  # fmt: skip
    page = page_of()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.wait_for_selector(f"#list .row:has-text('{marker}')", timeout=WAIT_MS)
    row = page.locator(f"#list .row:has-text('{marker}')")
    assert row.locator(".msg").inner_text().startswith(f"{hostile} {marker}")
    assert row.locator(".src").inner_text() == "<b>src</b>"
    row.click()
    page.locator("#detail-body").wait_for(timeout=WAIT_MS)
    assert page.locator("#app img, #app script, #app b, #app i, #app u").count() == 0
    assert hostile in page.inner_text("#detail-body")
    assert dialogs == []


def test_rule_changes_need_the_sessions_csrf_token(context: Any, viewer: Viewer) -> None:
    condition = {"type": "log_level", "parameters": {"level": "ERROR"}}
    rule = httpx.post(
        viewer.base_url + "/v1/rules",
        json={"name": "csrf probe", "condition": condition},
        headers={"X-API-Key": ALPHA_KEY},
        timeout=30,
    ).json()["data"]
    page = sign_in(context, viewer, ALPHA_KEY)
    disable = f"{viewer.base_url}/ui/api/v1/rules/{rule['id']}/disable"
    assert context.request.post(disable).status == 403  # the cookie alone is not enough
    assert context.request.post(disable, headers={"X-CSRF-Token": "guess"}).status == 403
    token = context.request.get(viewer.base_url + "/ui/session").json()["csrf"]
    cross_site = {"X-CSRF-Token": token, "Origin": "http://evil.example"}
    assert context.request.post(disable, headers=cross_site).status == 403
    assert _enabled(viewer, rule["id"]) is True
    # The page itself sends the token: its toggle works.
    page.click("[data-tab=rules]")
    toggle = page.locator("#rules tr:has-text('csrf probe') button.switch")
    toggle.wait_for(timeout=WAIT_MS)
    assert toggle.inner_text() == "On"
    toggle.click()
    expect(toggle).to_have_text("Off", timeout=WAIT_MS)
    assert _enabled(viewer, rule["id"]) is False


def _enabled(viewer: Viewer, rule_id: str) -> bool:
    response = httpx.get(
        f"{viewer.base_url}/v1/rules/{rule_id}", headers={"X-API-Key": ALPHA_KEY}, timeout=30
    )
    return bool(response.json()["data"]["enabled"])


def test_a_burst_keeps_the_list_bounded_and_shows_the_newest(page_of: Any, viewer: Viewer) -> None:
    page = page_of()
    page.wait_for_selector("#health.live", timeout=WAIT_MS)
    marker = _marker()
    for batch in range(3):
        viewer.ingest(
            ALPHA_KEY,
            *(
                {"message": f"burst {marker} {batch * 1000 + i}", "level": "INFO"}
                for i in range(1000)
            ),
        )
    newest = page.locator("#list .row").last
    expect(newest).to_contain_text(f"burst {marker} 2999", timeout=WAIT_MS)
    # The list keeps the newest rows only, however many arrived.
    assert page.locator("#list .row").count() == 2000
    assert page.locator("#list .row").first.inner_text().endswith(f"burst {marker} 1000")
