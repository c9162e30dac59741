"""NeuralLogHandler: stdlib logging records delivered to a real HTTP server."""

from __future__ import annotations

import logging
import logging.config
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from neurallog.client import NeuralLog
from neurallog.integrations.logging import NeuralLogHandler

from .conftest import WAIT, Collector, by_message


@pytest.fixture
def logger(request: pytest.FixtureRequest) -> Iterator[logging.Logger]:
    """A fresh logger of this test's own, cleaned up afterwards."""
    made = logging.getLogger(f"tests.integrations.{request.node.name}")
    made.setLevel(logging.DEBUG)
    made.propagate = False
    yield made
    for handler in list(made.handlers):
        made.removeHandler(handler)
        handler.close()


@pytest.fixture
def restore_root() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore", "neurallog")}
    yield root
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def test_spec_example_verbatim(collector: Collector, api_key: str) -> None:
    # The SDK spec's "Python Logging Integration" example; only the endpoint differs.
    import logging

    from neurallog.integrations.logging import NeuralLogHandler

    # Configure Python logging
    logger = logging.getLogger(__name__)
    logger.setLevel(logging.INFO)

    # Add NeuralLog handler
    neurallog_handler = NeuralLogHandler(api_key=api_key, endpoint=collector.endpoint)
    logger.addHandler(neurallog_handler)

    # Use standard logging
    logger.info("Application started")
    try:
        raise ConnectionError("db down")
    except ConnectionError:
        logger.error("An error occurred", exc_info=True)

    try:
        assert neurallog_handler.flush() is True  # everything was delivered
        entries = collector.wait_count(api_key, 2)
    finally:
        logger.removeHandler(neurallog_handler)
        neurallog_handler.close()

    started, failed = entries
    assert started["level"] == "INFO"
    assert started["message"] == "Application started"
    assert started["source"] == __name__
    assert failed["level"] == "ERROR"
    assert failed["message"] == "An error occurred"
    exception = failed["metadata"]["exception"]
    assert exception["type"] == "ConnectionError"
    assert exception["message"] == "db down"
    assert exception["traceback"].startswith("Traceback (most recent call last):")
    assert 'raise ConnectionError("db down")' in exception["traceback"]
    assert exception["traceback"].endswith("ConnectionError: db down")


def test_levels_message_source_extra_and_origin(
    collector: Collector, api_key: str, client: NeuralLog, logger: logging.Logger
) -> None:
    handler = NeuralLogHandler(client, level=logging.DEBUG)
    logger.addHandler(handler)
    client_level_logger = logging.getLogger(logger.name + ".child")

    logger.debug("debug %d", 1)
    logger.info("info %s", "two")
    logger.warning("careful", extra={"user_id": "123", "attempt": 2})
    logger.error("failed")
    logger.critical("down")
    logger.log(25, "between info and warning")
    client_level_logger.info("from a child")
    handler.flush()

    entries = collector.wait_count(api_key, 6)
    levels = {e["message"]: e["level"] for e in entries}
    # The client's default log_level is INFO: the DEBUG record is dropped by the client.
    assert levels == {
        "info two": "INFO",
        "careful": "WARN",
        "failed": "ERROR",
        "down": "FATAL",
        "between info and warning": "INFO",
        "from a child": "INFO",
    }
    careful = by_message(entries, "careful")[0]
    assert careful["source"] == logger.name
    assert careful["metadata"]["user_id"] == "123"
    assert careful["metadata"]["attempt"] == 2
    assert careful["metadata"]["logger"] == logger.name
    origin = careful["metadata"]["origin"]
    assert origin["file"] == __file__
    assert origin["function"] == "test_levels_message_source_extra_and_origin"
    assert origin["thread"] == threading.current_thread().name
    assert by_message(entries, "from a child")[0]["source"] == logger.name + ".child"


def test_fields_from_filters_and_record_factories_are_sent(
    collector: Collector, api_key: str, client: NeuralLog, logger: logging.Logger
) -> None:
    class AddTenant(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            record.tenant = "acme"
            return True

    handler = NeuralLogHandler(client)
    handler.addFilter(AddTenant())
    logger.addHandler(handler)
    logger.info("filtered", extra={"user_id": "123", "_private": "not sent"})

    class TracedRecord(logging.LogRecord):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.trace = "t-1"  # set before the standard attributes
            super().__init__(*args, **kwargs)

    previous = logging.getLogRecordFactory()
    logging.setLogRecordFactory(TracedRecord)
    try:
        logger.info("from a factory", extra={"user_id": "456"})
    finally:
        logging.setLogRecordFactory(previous)
    client.flush()

    entries = collector.wait_count(api_key, 2)
    filtered = by_message(entries, "filtered")[0]["metadata"]
    assert filtered["tenant"] == "acme"
    assert filtered["user_id"] == "123"
    assert "_private" not in filtered
    assert filtered["logger"] == logger.name
    assert (
        filtered["origin"]["function"] == "test_fields_from_filters_and_record_factories_are_sent"
    )
    factory = by_message(entries, "from a factory")[0]["metadata"]
    assert factory["trace"] == "t-1"
    assert factory["user_id"] == "456"
    # Only fields: none of the record's own attributes.
    assert set(factory) == {"logger", "origin", "tenant", "trace", "user_id"}


def test_the_record_is_sent_as_it_was_when_the_handler_saw_it(
    collector: Collector, api_key: str, client: NeuralLog, logger: logging.Logger
) -> None:
    class Rewriter(logging.Handler):
        """A later handler that rewrites the record (as formatters and filters may)."""

        def emit(self, record: logging.LogRecord) -> None:
            record.user_id = "rewritten"
            record.added_later = True
            record.lineno = -1

    logger.addHandler(NeuralLogHandler(client))
    logger.addHandler(Rewriter())
    logger.warning("seen", extra={"user_id": "123"})
    client.flush()

    metadata = collector.wait_message(api_key, "seen")["metadata"]
    assert metadata["user_id"] == "123"
    assert "added_later" not in metadata
    assert metadata["origin"]["line"] > 0


def test_every_record_of_a_call_site_gets_its_own_thread_redaction_and_hook(
    collector: Collector, api_key: str, client_kwargs: dict[str, Any], logger: logging.Logger
) -> None:
    # Records logged at one call site share where they come from; what differs per record
    # (the thread), what redaction hides and what a hook changes must still be per record.
    def hook(entry: dict[str, Any]) -> dict[str, Any]:
        if entry["message"] == "site 0 on MainThread":
            entry["metadata"]["origin"]["file"] = "changed by the hook"
        return entry

    def log_from_one_site(n: int) -> None:
        logger.info("site %d on %s", n, threading.current_thread().name)

    clients = {
        "plain": NeuralLog(**client_kwargs),
        "redacting": NeuralLog(
            **{**client_kwargs, "api_key": api_key + "-redacting"}, redact_keys=["function"]
        ),
        "hooked": NeuralLog(**{**client_kwargs, "api_key": api_key + "-hooked"}, before_send=hook),
    }
    try:
        for client in clients.values():
            logger.addHandler(NeuralLogHandler(client))
        for n in range(3):
            log_from_one_site(n)
        other = threading.Thread(target=log_from_one_site, args=(3,), name="other-thread")
        other.start()
        other.join()
        assert all(client.flush() for client in clients.values())
    finally:
        for client in clients.values():
            client.close()

    def origins(key: str) -> dict[str, dict[str, Any]]:
        return {e["message"]: e["metadata"]["origin"] for e in collector.wait_count(key, 4)}

    plain = origins(api_key)
    assert {origin["thread"] for origin in plain.values()} == {"MainThread", "other-thread"}
    assert plain["site 3 on other-thread"]["thread"] == "other-thread"
    assert {origin["function"] for origin in plain.values()} == {"log_from_one_site"}
    assert len({origin["line"] for origin in plain.values()}) == 1

    redacted = origins(api_key + "-redacting")
    assert {origin["function"] for origin in redacted.values()} == {"[REDACTED]"}
    assert {origin["file"] for origin in redacted.values()} == {__file__}

    hooked = {message: origin["file"] for message, origin in origins(api_key + "-hooked").items()}
    assert hooked.pop("site 0 on MainThread") == "changed by the hook"
    assert set(hooked.values()) == {__file__}


def test_a_record_whose_origin_a_filter_made_odd_is_still_sent(
    collector: Collector, api_key: str, client: NeuralLog, logger: logging.Logger
) -> None:
    class OddOrigin(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            record.funcName = ["not", "a", "name"]  # type: ignore[assignment]
            return True

    handler = NeuralLogHandler(client)
    handler.addFilter(OddOrigin())
    logger.addHandler(handler)
    logger.info("odd origin")
    logger.info("odd origin")
    assert client.flush()

    entries = collector.wait_count(api_key, 2)
    assert [entry["metadata"]["origin"]["function"] for entry in entries] == [
        ["not", "a", "name"]
    ] * 2


def test_a_waiting_record_does_not_keep_the_calls_arguments_alive(
    collector: Collector, api_key: str
) -> None:
    # In a process of its own: pytest's log capture keeps every record it sees alive.
    script = textwrap.dedent(
        f"""
        import gc, logging, weakref
        from neurallog import NeuralLog
        from neurallog.integrations.logging import NeuralLogHandler

        class Payload:
            def __init__(self, text):
                self.text = text
            def __str__(self):
                return self.text

        client = NeuralLog(api_key={api_key!r}, endpoint={collector.endpoint!r},
                           auto_flush=False)  # records wait for flush()
        logger = logging.getLogger("app")
        logger.setLevel(logging.INFO)
        logger.addHandler(NeuralLogHandler(client))
        argument, message = Payload("an argument"), Payload("an object as the message")
        refs = [weakref.ref(argument), weakref.ref(message)]
        logger.info("got %s", argument, extra={{"user_id": "123"}})
        logger.info(message)
        del argument, message
        gc.collect()
        assert [ref() for ref in refs] == [None, None], "kept alive while waiting"
        assert client.flush(10)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    entries = collector.wait_count(api_key, 2)
    assert by_message(entries, "got an argument")[0]["metadata"]["user_id"] == "123"
    assert by_message(entries, "an object as the message")


def test_handler_level_defaults_to_the_clients_level(collector: Collector, api_key: str) -> None:
    handler = NeuralLogHandler(api_key=api_key, endpoint=collector.endpoint, log_level="WARN")
    try:
        assert handler.level == logging.WARNING
    finally:
        handler.close()
    given = NeuralLogHandler(api_key=api_key, endpoint=collector.endpoint, level="ERROR")
    try:
        assert given.level == logging.ERROR
    finally:
        given.close()


def test_source_option_and_client_source(
    collector: Collector, api_key: str, client_kwargs: dict[str, Any], logger: logging.Logger
) -> None:
    named = NeuralLogHandler(source="billing", **client_kwargs)
    service = NeuralLog(**client_kwargs, source="shop-web")
    from_client = NeuralLogHandler(service)
    logger.addHandler(named)
    logger.info("named")
    logger.removeHandler(named)
    logger.addHandler(from_client)
    logger.info("from the client")
    named.close()
    from_client.close()
    service.close()

    entries = collector.wait_count(api_key, 2)
    assert by_message(entries, "named")[0]["source"] == "billing"
    record = by_message(entries, "from the client")[0]
    assert record["source"] == "shop-web"
    assert record["metadata"]["logger"] == logger.name


def test_stack_info_and_chained_exceptions(
    collector: Collector, api_key: str, client: NeuralLog, logger: logging.Logger
) -> None:
    logger.addHandler(NeuralLogHandler(client))

    def load() -> None:
        try:
            {}["missing"]
        except KeyError as exc:
            raise RuntimeError("could not load") from exc

    try:
        load()
    except RuntimeError:
        logger.exception("load failed")
    logger.info("where am I", stack_info=True)
    client.flush()

    entries = collector.wait_count(api_key, 2)
    failed = by_message(entries, "load failed")[0]
    exception = failed["metadata"]["exception"]
    assert exception["type"] == "RuntimeError"
    assert exception["message"] == "could not load"
    assert "KeyError: 'missing'" in exception["traceback"]
    assert "The above exception was the direct cause" in exception["traceback"]
    stacked = by_message(entries, "where am I")[0]
    assert stacked["metadata"]["stack"].startswith("Stack (most recent call last):")
    assert "test_stack_info_and_chained_exceptions" in stacked["metadata"]["stack"]


def test_dict_config(collector: Collector, api_key: str, restore_root: logging.Logger) -> None:
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"plain": {"format": "%(levelname)s %(message)s"}},
            "handlers": {
                "neurallog": {
                    "class": "neurallog.integrations.logging.NeuralLogHandler",
                    "level": "INFO",
                    "formatter": "plain",  # formatters are ignored: fields go as data
                    "api_key": api_key,
                    "endpoint": collector.endpoint,
                    "batch_interval": 0.05,
                    "source": "configured",
                },
            },
            "loggers": {"configured.app": {"handlers": ["neurallog"], "level": "DEBUG"}},
        }
    )
    app_logger = logging.getLogger("configured.app")
    app_logger.debug("below the handler's level")
    app_logger.info("configured by dictConfig", extra={"order_id": 7})
    handler = app_logger.handlers[0]
    assert isinstance(handler, NeuralLogHandler)

    entry = collector.wait_message(api_key, "configured by dictConfig")
    assert entry["level"] == "INFO"
    assert entry["source"] == "configured"
    assert entry["metadata"]["order_id"] == 7
    assert by_message(collector.entries(api_key), "below the handler's level") == []
    app_logger.removeHandler(handler)
    handler.close()


def test_dict_config_with_an_existing_client(
    collector: Collector, api_key: str, client: NeuralLog, restore_root: logging.Logger
) -> None:
    import types

    holder = types.ModuleType("nl_test_holder")
    holder.client = client  # type: ignore[attr-defined]
    sys.modules["nl_test_holder"] = holder
    try:
        logging.config.dictConfig(
            {
                "version": 1,
                "disable_existing_loggers": False,
                "handlers": {
                    "neurallog": {
                        "class": "neurallog.integrations.logging.NeuralLogHandler",
                        "client": "ext://nl_test_holder.client",
                    }
                },
                "loggers": {"shared.app": {"handlers": ["neurallog"], "level": "INFO"}},
            }
        )
    finally:
        del sys.modules["nl_test_holder"]
    shared = logging.getLogger("shared.app")
    handler = shared.handlers[0]
    shared.info("through a shared client")
    shared.removeHandler(handler)
    handler.close()
    # The handler did not own the client: closing it left the client usable.
    client.info("client still open")
    client.flush()
    collector.wait_for(
        api_key,
        lambda es: {e["message"] for e in es} >= {"through a shared client", "client still open"},
    )


def test_root_at_debug_with_http_debug_logging_does_not_loop(
    collector: Collector, api_key: str, client: NeuralLog, restore_root: logging.Logger
) -> None:
    root = restore_root
    root.setLevel(logging.DEBUG)
    for name in ("httpx", "httpcore", "neurallog"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    seen_by_root: list[str] = []

    class Spy(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen_by_root.append(record.name)

    spy = Spy()
    root.addHandler(spy)
    root.addHandler(NeuralLogHandler(client, level=logging.DEBUG))
    logging.getLogger("app").info("one record")
    assert client.flush()
    assert client.flush()  # nothing new was produced by delivering the first record

    # The SDK's own HTTP records never reach the application's handlers, so none of them can
    # be sent back to NeuralLog either.
    assert not any(name.startswith(("httpx", "httpcore")) for name in seen_by_root)
    entries = collector.entries(api_key)
    assert len(by_message(entries, "one record")) == 1
    internal = ("httpx", "httpcore", "neurallog", "hpack", "h11", "urllib3")
    assert [e for e in entries if str(e.get("source")).startswith(internal)] == []
    requests = collector.request_count(api_key)
    client.flush()
    assert collector.request_count(api_key) == requests
    root.removeHandler(spy)


def test_records_from_the_sdk_and_http_loggers_are_ignored(
    collector: Collector, api_key: str, client: NeuralLog, logger: logging.Logger
) -> None:
    handler = NeuralLogHandler(client)
    for name in ("neurallog", "neurallog.pipeline", "httpx", "httpcore.http11", "urllib3.pool"):
        record = logging.LogRecord(name, logging.ERROR, __file__, 1, "internal", (), None)
        assert handler.handle(record) is False
    record = logging.LogRecord("myapp", logging.ERROR, __file__, 1, "app record", (), None)
    assert handler.handle(record) is True
    client.flush()
    assert [e["message"] for e in collector.wait_count(api_key, 1)] == ["app record"]


def test_emit_never_raises(
    client: NeuralLog, logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    handler = NeuralLogHandler(client)
    logger.addHandler(handler)
    reported: list[logging.LogRecord] = []
    monkeypatch.setattr(logging, "raiseExceptions", False)
    monkeypatch.setattr(
        logging.Handler, "handleError", lambda self, record: reported.append(record)
    )
    logger.info("bad format %d", "not a number")  # getMessage() raises TypeError
    assert [r.msg for r in reported] == ["bad format %d"]


def test_a_record_is_sent_once_through_nested_handlers(
    collector: Collector, api_key: str, client: NeuralLog, restore_root: logging.Logger
) -> None:
    child = logging.getLogger("nested.child")
    child.setLevel(logging.INFO)
    child_handler = NeuralLogHandler(client)
    child.addHandler(child_handler)
    restore_root.addHandler(NeuralLogHandler(client))
    child.info("seen by two handlers")
    client.info("marker")
    client.flush()
    collector.wait_message(api_key, "marker")
    entries = collector.entries(api_key)
    assert len(by_message(entries, "seen by two handlers")) == 1
    child.removeHandler(child_handler)


def test_handlers_with_different_clients_each_send_the_record(
    collector: Collector,
    api_key: str,
    client: NeuralLog,
    client_kwargs: dict[str, Any],
    restore_root: logging.Logger,
) -> None:
    # An audit logger with its own destination that propagates to the root's: the root's
    # handler sends to another client, so it must not take the record as already sent.
    from neurallog.integrations._request import report_exception

    audit_key = f"{api_key}-audit"
    audit = NeuralLog(**{**client_kwargs, "api_key": audit_key})
    audit_logger = logging.getLogger("two.destinations")
    audit_logger.setLevel(logging.INFO)
    audit_handler = NeuralLogHandler(audit)
    audit_logger.addHandler(audit_handler)
    restore_root.addHandler(NeuralLogHandler(client))
    try:
        audit_logger.info("to both destinations")
        # An exception an integration sent through `client` only: `audit` still gets it.
        try:
            raise ValueError("reported through one client")
        except ValueError as exc:
            report_exception(client, exc)
            audit_logger.error("framework record of it", exc_info=exc)
    finally:
        audit_logger.removeHandler(audit_handler)
    client.flush()
    audit.close()

    main = collector.wait_count(api_key, 2)
    assert sorted(e["message"] for e in main) == [
        "Unhandled exception: ValueError: reported through one client",
        "to both destinations",
    ]
    audited = collector.wait_count(audit_key, 2)
    assert sorted(e["message"] for e in audited) == [
        "framework record of it",
        "to both destinations",
    ]


def test_owned_client_is_closed_and_given_client_is_not(
    collector: Collector, api_key: str, client_kwargs: dict[str, Any], client: NeuralLog
) -> None:
    owned = NeuralLogHandler(**client_kwargs)
    owned.close()
    assert owned.client.stats.dropped["closed"] == 0
    owned.client.info("after close")
    assert owned.client.stats.dropped["closed"] == 1

    shared = NeuralLogHandler(client)
    shared.close()
    client.info("still open")
    assert client.flush()
    assert client.stats.dropped["closed"] == 0


def test_client_and_options_together_is_an_error(client: NeuralLog) -> None:
    with pytest.raises(TypeError, match="not both"):
        NeuralLogHandler(client, api_key="x")
    with pytest.raises(TypeError, match="NeuralLog"):
        NeuralLogHandler(object())


def test_dict_config_during_a_flush_does_not_deadlock(
    collector: Collector, api_key: str, client_kwargs: dict[str, Any], restore_root: logging.Logger
) -> None:
    # opentelemetry-python #3193: dictConfig holds logging's module lock while it flushes and
    # closes the handlers it replaces; a delivery thread that logs (httpx at DEBUG) needs
    # that lock. The handler must neither wait on it nor lose the records.
    root = restore_root
    root.setLevel(logging.DEBUG)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    # Nothing is sent before dictConfig runs, and a flush that waited under the lock would
    # hold dictConfig far longer than the bounded join below.
    handler = NeuralLogHandler(
        **{**client_kwargs, "batch_interval": 3600},
        level=logging.DEBUG,
        batch_size=1000,
        flush_timeout=WAIT * 3,
    )
    root.addHandler(handler)
    for i in range(200):
        logging.getLogger("busy").info("record %d", i)

    done = threading.Event()

    def reconfigure() -> None:
        logging.config.dictConfig({"version": 1, "disable_existing_loggers": False})
        done.set()

    thread = threading.Thread(target=reconfigure)
    thread.start()
    thread.join(WAIT)
    assert done.is_set(), "dictConfig did not return"
    entries = collector.wait_count(api_key, 200)
    assert sorted(int(e["message"].split()[1]) for e in entries) == list(range(200))


def test_logging_shutdown_at_exit_delivers_pending_records(
    collector: Collector, api_key: str
) -> None:
    script = textwrap.dedent(
        f"""
        import logging
        from neurallog.integrations.logging import NeuralLogHandler

        handler = NeuralLogHandler(
            api_key={api_key!r}, endpoint={collector.endpoint!r},
            batch_interval=3600, batch_size=1000,
        )
        logger = logging.getLogger("exiting")
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
        for i in range(25):
            logger.info("pending %d", i)
        # no flush, no close: interpreter exit must deliver
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=WAIT)
    entries = collector.wait_count(api_key, 25)
    assert sorted(e["message"] for e in entries) == sorted(f"pending {i}" for i in range(25))


def test_hand_made_records_with_odd_exc_info(
    collector: Collector, api_key: str, client: NeuralLog
) -> None:
    handler = NeuralLogHandler(client)
    odd = [True, (None, None, None), ValueError("as an instance"), ("not", "a", "triple")]
    for i, exc_info in enumerate(odd):
        record = logging.makeLogRecord(
            {"name": "odd", "msg": f"odd {i}", "levelno": logging.ERROR, "exc_info": exc_info}
        )
        handler.handle(record)
    client.flush()
    entries = collector.wait_count(api_key, 4)
    exceptions = {e["message"]: (e["metadata"] or {}).get("exception") for e in entries}
    assert exceptions["odd 0"] is None
    assert exceptions["odd 1"] is None
    assert exceptions["odd 2"]["message"] == "as an instance"
    assert exceptions["odd 3"] is None
