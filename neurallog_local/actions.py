"""Actions: parameter checks per type, delivery over HTTP, and the background runner that
executes rule-triggered actions off the request path."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread
import httpx
import orjson

from .errors import issue
from .ids import new_id
from .rules import Firing
from .store import Store
from .templates import render, render_value
from .timeutil import format_us, now_us

log = logging.getLogger("neurallog_local.actions")

ACTION_TYPES = ("webhook", "slack", "log")
WEBHOOK_METHODS = ("POST", "PUT", "PATCH", "GET")
_WORKERS = 8
_MAX_PENDING = 100_000
# How much of a receiver's answer a delivery reads at most; the rest is never read.
MAX_RESPONSE_BYTES = 64 * 1024
# How much of that answer a failed execution quotes in its error.
_QUOTED_CHARS = 200


def _is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. "Invalid IPv6 URL" for an unbalanced bracket
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def parameter_issues(
    action_type: str, params: dict[str, Any], where: str = "body.parameters"
) -> list[dict[str, str]]:
    """What is wrong with ``params`` for an action of ``action_type``."""
    problems = []
    if action_type == "webhook":
        if not _is_http_url(params.get("url")):
            problems.append(issue(f"{where}.url", "is required: an http or https URL"))
        method = params.get("method", "POST")
        if method not in WEBHOOK_METHODS:
            problems.append(
                issue(f"{where}.method", f"must be one of {', '.join(WEBHOOK_METHODS)}")
            )
        headers = params.get("headers", {})
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            problems.append(issue(f"{where}.headers", "must be an object of strings"))
        if not isinstance(params.get("body_template", ""), str):
            problems.append(issue(f"{where}.body_template", "must be a string"))
    elif action_type == "slack":
        if not _is_http_url(params.get("webhook")):
            problems.append(issue(f"{where}.webhook", "is required: the incoming-webhook URL"))
        for name in ("channel", "message"):
            if not isinstance(params.get(name, ""), str):
                problems.append(issue(f"{where}.{name}", "must be a string"))
    return problems


def merged_parameters(action: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """The parameters one run of ``action`` uses: ``overrides`` (of a rule or of
    ``execute``) over the action's own."""
    return {**action.get("parameters", {}), **overrides}


def run_issues(
    action: dict[str, Any], overrides: dict[str, Any], where: str
) -> list[dict[str, str]]:
    """What is wrong with running ``action`` with ``overrides``: the one check of
    ``execute``, of a rule when it is saved, and of every delivery."""
    return parameter_issues(action["type"], merged_parameters(action, overrides), where)


class Delivery:
    """Runs one action and records the execution.

    Webhook and Slack deliveries are plain HTTP requests from this machine: they never
    follow a redirect (a 3xx answer is a failed execution), each one is bounded by
    ``timeout`` seconds in all (connecting, sending and reading together), and they read at
    most ``MAX_RESPONSE_BYTES`` of the answer.
    """

    def __init__(self, store: Store, timeout: float) -> None:
        self.store = store
        self.timeout = timeout
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout, follow_redirects=False)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def run(
        self,
        tenant: str,
        action_id: str,
        action: dict[str, Any] | None,
        overrides: dict[str, Any],
        context: dict[str, Any],
        entry: dict[str, Any] | None = None,
        rule: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Execute ``action`` and record the execution under ``action_id``.

        ``action`` is ``None`` when no action has that id (a rule may reference one that was
        deleted or never created): nothing runs, and a failed execution is recorded.
        """
        status, result, error = "failed", None, None
        problems = [] if action is None else run_issues(action, overrides, "parameters")
        if action is None:
            error = "no action has this id (it was deleted, or never created); skipped"
        elif problems:
            # A rule saved while its parameters suited the action, which changed since.
            error = "not run: invalid parameters: " + "; ".join(
                f"{p['field']} {p['message']}" for p in problems
            )
        else:
            params = merged_parameters(action, overrides)
            scope = {
                "log": entry or {},
                "rule": rule or {},
                "parameters": params,
                "context": context,
            }
            rendered = render_value(params, scope)
            try:
                status, result, error = await self._deliver(action["type"], rendered, scope)
            except Exception as exc:  # a delivery bug must be recorded, never crash the runner
                log.exception("action %s failed", action_id)
                error = f"{type(exc).__name__}: {exc}"
        return await self.record(tenant, action_id, rule, status, result, error)

    async def record(
        self,
        tenant: str,
        action_id: str,
        rule: dict[str, Any] | None,
        status: str,
        result: dict[str, Any] | None,
        error: str | None,
    ) -> dict[str, Any]:
        """Record an execution of ``action_id`` and return it."""
        execution = {
            "id": new_id("exec"),
            "action_id": action_id,
            "rule_id": None if rule is None else rule["id"],
            "status": status,
            "result": result,
            "error": error,
            "executed_at": format_us(now_us()),
        }
        await anyio.to_thread.run_sync(self.store.insert_execution, tenant, execution)
        return execution

    async def _deliver(
        self, action_type: str, params: dict[str, Any], scope: dict[str, Any]
    ) -> tuple[str, dict[str, Any] | None, str | None]:
        if action_type == "log":
            return "succeeded", {"parameters": params}, None
        headers: dict[str, str] = {}
        content: bytes | None
        if action_type == "slack":
            url = params.get("webhook")
            text = params.get("message")
            if text is None:
                text = render("{{log.message}}", scope)
            payload: dict[str, Any] = {"text": text}
            if params.get("channel"):
                payload["channel"] = params["channel"]
            method, content = "POST", orjson.dumps(payload)
            headers["content-type"] = "application/json"
        else:
            url = params.get("url")
            method = str(params.get("method", "POST"))
            headers.update(params.get("headers") or {})
            template = params.get("body_template")
            if template is None:
                body = {
                    "log": scope["log"],
                    "rule": scope["rule"],
                    "parameters": params,
                    "context": scope["context"],
                }
                content = orjson.dumps(body)
                headers.setdefault("content-type", "application/json")
            else:
                content = str(template).encode()
                if not any(name.lower() == "content-type" for name in headers):
                    try:
                        orjson.loads(content)
                        headers["content-type"] = "application/json"
                    except orjson.JSONDecodeError:
                        headers["content-type"] = "text/plain; charset=utf-8"
            if method == "GET":
                content = None
        if not _is_http_url(url):
            return "failed", None, "the URL is not an http or https URL after rendering"
        try:
            async with asyncio.timeout(self.timeout):
                status_code, location, answer = await self._request(
                    method, str(url), headers, content
                )
        except (TimeoutError, httpx.TimeoutException):
            return "failed", None, f"timed out after {self.timeout:g} s"
        except httpx.HTTPError as exc:
            return "failed", None, f"request failed: {type(exc).__name__}: {exc}"
        result = {"status_code": status_code}
        if 300 <= status_code < 400:
            where = f" to {location}" if location else ""
            return (
                "failed",
                result,
                f"the receiver answered HTTP {status_code}, a redirect{where};"
                " redirects are not followed",
            )
        if status_code >= 400:
            quoted = answer.decode("utf-8", "replace").strip()[:_QUOTED_CHARS]
            return (
                "failed",
                result,
                f"the receiver answered HTTP {status_code}" + (f": {quoted}" if quoted else ""),
            )
        return "succeeded", result, None

    async def _request(
        self, method: str, url: str, headers: dict[str, str], content: bytes | None
    ) -> tuple[int, str | None, bytes]:
        """Send the request; return the status, the ``Location`` header and at most
        ``MAX_RESPONSE_BYTES`` of the answer as sent (the connection is dropped past that;
        a compressed answer is never decompressed, and comes back empty)."""
        answer = bytearray()
        async with self.client.stream(method, url, headers=headers, content=content) as response:
            async for chunk in response.aiter_raw():
                answer += chunk
                if len(answer) >= MAX_RESPONSE_BYTES:
                    break
            if response.headers.get("content-encoding", "identity").lower() != "identity":
                answer.clear()
            return response.status_code, response.headers.get("location"), bytes(answer)


class ActionRunner:
    """Executes the actions of rule firings in the background, a few at a time."""

    def __init__(self, store: Store, delivery: Delivery) -> None:
        self.store = store
        self.delivery = delivery
        self._queue: asyncio.Queue[tuple[Firing, dict[str, Any]]] = asyncio.Queue()
        self._workers: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._workers = [asyncio.create_task(self._work()) for _ in range(_WORKERS)]

    def submit(self, firings: list[Firing]) -> None:
        """Queue the actions of ``firings`` (call from the event loop)."""
        for firing in firings:
            for rule_action in firing.rule.get("actions", []):
                if self._queue.qsize() >= _MAX_PENDING:
                    # Receivers slower than the rules fire: memory stays bounded instead.
                    log.warning("too many pending actions; rule %s skipped", firing.rule["id"])
                    return
                self._queue.put_nowait((firing, rule_action))

    async def _work(self) -> None:
        while True:
            firing, rule_action = await self._queue.get()
            try:
                action_id = rule_action["action_id"]
                if firing.problem is not None:
                    # The rule could not be evaluated: its actions say so, and do not run.
                    await self.delivery.record(
                        firing.tenant, action_id, firing.rule, "failed", None, firing.problem
                    )
                    continue
                action = await anyio.to_thread.run_sync(
                    self.store.get_action, firing.tenant, action_id
                )
                context = {
                    "source": "rule",
                    "rule_id": firing.rule["id"],
                    "rule_name": firing.rule.get("name"),
                }
                await self.delivery.run(
                    firing.tenant,
                    action_id,
                    action,
                    rule_action.get("parameters") or {},
                    context,
                    entry=firing.entry,
                    rule=firing.rule,
                )
            except Exception:
                log.exception("running a rule action failed")
            finally:
                self._queue.task_done()

    async def stop(self, drain_timeout: float = 5.0) -> None:
        """Let queued actions finish (up to ``drain_timeout``), then stop the workers."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._queue.join(), drain_timeout)
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._workers = []
