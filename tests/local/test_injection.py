"""SQL and FTS injection strings are data, never syntax: 2xx or 4xx, never 5xx, never a leak."""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx
import pytest

from .conftest import entry, ingest

SQL = [
    "' OR '1'='1",
    "'; DROP TABLE logs; --",
    '" OR 1=1 --',
    "x') UNION SELECT key_hash, tenant, scopes, 1, 1, 1, 1, 1, 1 FROM api_keys --",
    "1; DELETE FROM rules",
    "%' AND tenant != '",
    "\\'; --",
    "\x00",
    "$.a')) OR 1=1 --",
]
FTS = [
    "*",
    "NEAR(a b)",
    "message:secret",
    "{message source}: secret",
    "^secret",
    '"secret" OR tenant',
    "secret*)*",
    "a + b",
    "- secret",
    'col:"x" AND rowid',
    "logs_fts MATCH 'x'",
    "NOT",
    "((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))",
    "secret\x00plans",
    '"secret\x00',
]


@pytest.fixture
def victim(other: httpx.Client) -> httpx.Client:
    ingest(
        other,
        entry("secret of another tenant", "ERROR", id="victim-1", metadata={"password": "hunter2"}),
    )
    return other


def _assert_safe(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    assert "hunter2" not in response.text
    assert "another tenant" not in response.text


@pytest.mark.parametrize("evil", SQL)
def test_strings_in_every_query_parameter(
    client: httpx.Client, victim: httpx.Client, evil: str
) -> None:
    ingest(client, entry("mine", source="s", tags=["t"], metadata={"k": "v"}))
    for params in (
        {"source": evil},
        {"tags": evil},
        {"sort": evil},
        {"sort": f"metadata.{evil}"},
        {"fields": evil},
        {"filter": evil},
        {"filter": json.dumps({"metadata.k": evil})},
        {"filter": json.dumps({f"metadata.{evil}": "v"})},
        {"filter": json.dumps({"message": {"contains": evil}})},
        {"filter": json.dumps({"source": {"in": [evil]}})},
        {"filter": json.dumps({"tags": {"ne": evil}})},
    ):
        _assert_safe(client.get("/logs", params=params))
        _assert_safe(client.get("/logs/search", params={**params, "query": evil}))
    in_path = quote(evil, safe="")
    _assert_safe(client.get(f"/logs/{in_path}"))
    _assert_safe(client.get(f"/rules/{in_path}"))
    _assert_safe(client.get(f"/actions/{in_path}/executions", params={"rule_id": evil}))
    _assert_safe(client.delete("/logs", params={"source": evil}))
    _assert_safe(client.delete("/logs", params={"query": evil}))
    # Nothing was dropped or changed: both tenants still have exactly their data.
    assert victim.get("/logs/victim-1").status_code == 200
    assert client.get("/logs").json()["meta"]["pagination"]["total"] == 1


@pytest.mark.parametrize("evil", FTS + SQL)
def test_search_queries_are_200_or_400(
    client: httpx.Client, victim: httpx.Client, evil: str
) -> None:
    ingest(client, entry("secret plans"))
    response = client.get("/logs/search", params={"query": evil})
    _assert_safe(response)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert response.json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize("evil", SQL)
def test_strings_stored_as_data_come_back_verbatim(client: httpx.Client, evil: str) -> None:
    result = ingest(
        client,
        entry(evil, id=f"id {evil}", source=evil, tags=[evil], metadata={evil: evil}),
    )
    assert result["accepted"] == 1
    stored = client.get("/logs", params={"source": evil}).json()["data"]
    assert len(stored) == 1
    assert stored[0]["message"] == evil
    assert stored[0]["metadata"] == {evil: evil}
    action = client.post("/actions", json={"name": evil, "type": "log"}).json()["data"]
    assert client.get(f"/actions/{action['id']}").json()["data"]["name"] == evil
