"""The viewer's routes over plain HTTP (these run without a browser too)."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from .conftest import ALPHA_KEY, BETA_KEY, Viewer

pytestmark = pytest.mark.slow


def _signed_in(viewer: Viewer, key: str) -> tuple[httpx.Client, str]:
    """A client holding a session cookie of ``key``, and the session's CSRF token."""
    client = httpx.Client(base_url=viewer.base_url, timeout=30)
    response = client.post("/ui/session", json={"api_key": key})
    assert response.status_code == 200, response.text
    return client, response.json()["csrf"]


def test_the_page_is_static_and_locked_down(viewer: Viewer) -> None:
    page = httpx.get(viewer.base_url + "/", timeout=30)
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert re.findall(r'src="([^"]+)"', page.text) == ["/ui/static/viewer.js"]
    script = httpx.get(viewer.base_url + "/ui/static/viewer.js", timeout=30)
    assert script.headers["content-type"].startswith("text/javascript")
    assert "innerHTML" not in script.text  # log content only ever goes in as text
    assert httpx.get(viewer.base_url + "/ui/static/../cli.py", timeout=30).status_code == 404


def test_session_cookie_and_gateway(viewer: Viewer) -> None:
    client, csrf = _signed_in(viewer, BETA_KEY)
    try:
        cookie = client.cookies.jar
        [stored] = list(cookie)
        assert stored.name.startswith("neurallog_viewer_")
        assert stored.has_nonstandard_attr("HttpOnly")
        assert stored.get_nonstandard_attr("SameSite") == "strict"
        assert BETA_KEY not in stored.value
        session = client.get("/ui/session").json()
        assert (session["tenant"], session["csrf"]) == ("beta", csrf)
        # The gateway is the API, as the session's key: a key the request brings is ignored.
        logs = client.get("/ui/api/v1/logs", headers={"X-API-Key": ALPHA_KEY})
        assert logs.status_code == 200
        marker = "alphaonly" + uuid.uuid4().hex[:8]
        viewer.ingest(ALPHA_KEY, {"message": marker, "level": "INFO"})
        assert client.get("/ui/api/v1/logs/search", params={"query": marker}).json()["data"] == []
        everything = client.get("/ui/api/v1/logs", params={"limit": 1000}).json()["data"]
        assert all(entry["message"] != marker for entry in everything)
        # Changes need the CSRF token, and a same-origin request.
        body = {"name": "r", "condition": {"type": "log_level", "parameters": {"level": "ERROR"}}}
        assert client.post("/ui/api/v1/rules", json=body).status_code == 403
        cross = {"X-CSRF-Token": csrf, "Sec-Fetch-Site": "same-site"}
        assert client.post("/ui/api/v1/rules", json=body, headers=cross).status_code == 403
        created = client.post("/ui/api/v1/rules", json=body, headers={"X-CSRF-Token": csrf})
        assert created.status_code == 201
        # Signing out ends the session on the server.
        assert client.delete("/ui/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    finally:
        client.close()
    stale = httpx.get(
        viewer.base_url + "/ui/api/v1/logs",
        cookies={stored.name: stored.value},
        timeout=30,
    )
    assert stale.status_code == 401


def test_sign_in_refuses_what_it_should(viewer: Viewer) -> None:
    base = viewer.base_url
    wrong = httpx.post(base + "/ui/session", json={"api_key": "nope-nope-nope"}, timeout=30)
    assert wrong.status_code == 401
    assert "set-cookie" not in wrong.headers
    form = httpx.post(base + "/ui/session", data={"api_key": ALPHA_KEY}, timeout=30)
    assert form.status_code == 415  # only JSON, which a cross-site form cannot send
    cross = httpx.post(
        base + "/ui/session",
        json={"api_key": ALPHA_KEY},
        headers={"Origin": "http://evil.example"},
        timeout=30,
    )
    assert cross.status_code == 403
