"""Constructor arguments, environment fallbacks and ConfigurationError."""

from __future__ import annotations

import inspect
import logging
import ssl
from pathlib import Path
from typing import Any

import certifi
import httpx
import pytest

import neurallog
from neurallog import NeuralLog
from neurallog.exceptions import ConfigurationError, NeuralLogError

from .conftest import Sink

ENDPOINT = "https://api.acme.neurallog.com/v1"


def test_every_argument_of_the_sdk_specification_with_its_default() -> None:
    params = inspect.signature(NeuralLog.__init__).parameters
    expected = {
        "api_key": None,
        "token": None,
        "endpoint": None,
        "timeout": 30,
        "retries": 3,
        "max_retry_delay": 60,
        "log_level": "INFO",
        "logger": None,
        "batch_size": 10,
        "batch_interval": 5,
        "auto_flush": True,
    }
    positional = [n for n, p in params.items() if p.kind is p.POSITIONAL_OR_KEYWORD][1:]
    assert positional == [*list(expected)[:6], "transport", *list(expected)[6:]]
    for name, default in expected.items():
        assert params[name].default == default, name
    # The SDK is built on httpx; "requests" stays accepted (see the README).
    assert params["transport"].default == "httpx"
    # Every extra option is a plain keyword argument (the Django settings mapping needs it).
    for name, param in params.items():
        assert param.kind in (param.POSITIONAL_OR_KEYWORD, param.KEYWORD_ONLY) or name == "self"


def test_options_are_exposed() -> None:
    client = NeuralLog(api_key="s3cr3t-key", endpoint=ENDPOINT, log_level="warning", batch_size=20)
    try:
        options = client._core.options
        assert options.endpoint == ENDPOINT
        assert options.log_level == 30
        assert options.batch_size == 20
        assert options.logger is logging.getLogger("neurallog")
        assert "s3cr3t" not in repr(client)
    finally:
        client.close(timeout=0)


def test_env_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEURALLOG_API_KEY", "env-key")
    monkeypatch.setenv("NEURALLOG_ENDPOINT", ENDPOINT + "/")
    client = NeuralLog()
    try:
        assert client._core.options.endpoint == ENDPOINT
        assert client._core.credentials.kind == "api_key"
        headers = httpx.Headers()
        client._core.credentials.apply(headers)
        assert headers["X-API-Key"] == "env-key"
    finally:
        client.close(timeout=0)


def test_env_token_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEURALLOG_TOKEN", "env.jwt")
    client = NeuralLog(endpoint=ENDPOINT)
    try:
        headers = httpx.Headers()
        client._core.credentials.apply(headers)
        assert headers["Authorization"] == "Bearer env.jwt"
    finally:
        client.close(timeout=0)


def test_arguments_win_over_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEURALLOG_API_KEY", "env-key")
    monkeypatch.setenv("NEURALLOG_ENDPOINT", "https://env.example.com/v1")
    client = NeuralLog(token="arg.jwt", endpoint=ENDPOINT)
    try:
        assert client._core.options.endpoint == ENDPOINT
        assert client._core.credentials.kind == "token"
    finally:
        client.close(timeout=0)


def test_missing_credential_names_what_to_set() -> None:
    with pytest.raises(ConfigurationError) as info:
        NeuralLog(endpoint=ENDPOINT)
    text = str(info.value)
    assert "api_key" in text
    assert "NEURALLOG_API_KEY" in text
    assert "NEURALLOG_TOKEN" in text
    assert isinstance(info.value, NeuralLogError)


def test_missing_endpoint_names_what_to_set() -> None:
    with pytest.raises(ConfigurationError, match="NEURALLOG_ENDPOINT"):
        NeuralLog(api_key="k")


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"api_key": "k", "token": "t"}, "either api_key or token"),
        ({"api_key": ""}, "api_key is empty"),
        ({"api_key": "bad\nkey"}, "HTTP header"),
        ({"endpoint": "ftp://x/v1"}, "http(s)"),
        ({"endpoint": "https://user:pw@x/v1"}, "user name or password"),
        ({"endpoint": "https://x/v1?a=1"}, "query"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": "30"}, "timeout"),
        ({"retries": -1}, "retries"),
        ({"retries": 1.5}, "retries"),
        ({"max_retry_delay": -1}, "max_retry_delay"),
        ({"transport": "urllib"}, "transport"),
        ({"transport": httpx.AsyncHTTPTransport()}, "httpx.BaseTransport"),
        ({"log_level": "LOUD"}, "log_level"),
        ({"logger": "neurallog"}, "logger"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 1001}, "1000"),
        ({"batch_interval": 0}, "batch_interval"),
        ({"auto_flush": "yes"}, "auto_flush"),
        ({"source": 3}, "source"),
        ({"tags": "one"}, "tags"),
        ({"max_queue_size": 0}, "max_queue_size"),
        ({"overflow": "wait"}, "overflow"),
        ({"protect_level": "LOUD"}, "protect_level"),
        ({"max_batch_bytes": 10 * 1024 * 1024}, "max_batch_bytes"),
        ({"compression": "zstd"}, "compression"),
        ({"shutdown_timeout": -1}, "shutdown_timeout"),
        ({"flush_timeout": "1"}, "flush_timeout"),
        ({"on_drop": 1}, "on_drop"),
        ({"before_send": "x"}, "before_send"),
        ({"redact_keys": "password"}, "redact_keys"),
        ({"verify": None}, "verify must be True, False"),
        ({"verify": 0}, "verify must be True, False"),
        ({"verify": "/no/such/ca-bundle.pem"}, "no CA bundle"),
        ({"verify": __file__}, "cannot load the CA bundle"),
        ({"transport": "requests", "verify": ssl.create_default_context()}, "requests"),
    ],
)
def test_invalid_settings_raise_configuration_error(kwargs: dict[str, Any], words: str) -> None:
    settings: dict[str, Any] = {"api_key": "k", "endpoint": ENDPOINT, **kwargs}
    with pytest.raises(ConfigurationError) as info:
        NeuralLog(**settings)
    assert words in str(info.value)
    assert "bad\nkey" not in str(info.value)  # never echo a credential


def test_plain_http_to_a_remote_host_warns(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="neurallog"):
        NeuralLog(api_key="k", endpoint="http://logs.example.com/v1").close(timeout=0)
    assert any("plain http" in r.getMessage() for r in caplog.records)


def _unverified() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@pytest.mark.parametrize("verify", [False, _unverified()])
def test_tls_verification_turned_off_warns(
    caplog: pytest.LogCaptureFixture, verify: bool | ssl.SSLContext
) -> None:
    with caplog.at_level(logging.WARNING, logger="neurallog"):
        NeuralLog(api_key="k", endpoint=ENDPOINT, verify=verify).close(timeout=0)
        NeuralLog(api_key="k", endpoint="https://localhost:8443/v1", verify=verify).close(0)
    warnings = [r.getMessage() for r in caplog.records if "verification is off" in r.getMessage()]
    assert len(warnings) == 1  # a local development server is not warned about
    assert "api.acme.neurallog.com" in warnings[0]


def test_verify_takes_a_ca_bundle_path(recwarn: pytest.WarningsRecorder) -> None:
    bundle = Path(certifi.where())
    clients = [
        NeuralLog(api_key="k", endpoint=ENDPOINT, verify=bundle),
        NeuralLog(api_key="k", endpoint=ENDPOINT, verify=str(bundle)),
        NeuralLog(api_key="k", endpoint=ENDPOINT, verify=bundle, transport="requests"),
    ]
    try:
        inner = [client._core.http._transport._inner for client in clients]  # type: ignore[attr-defined]
        for transport in inner[:2]:
            assert isinstance(transport._pool._ssl_context, ssl.SSLContext)
        assert inner[2]._verify == str(bundle)  # requests loads the bundle itself
    finally:
        for client in clients:
            client.close(timeout=0)
    assert not [w for w in recwarn if issubclass(w.category, DeprecationWarning)]


def test_requests_transport_missing_package_is_reported_at_construction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "requests" else real(name)
    )
    with pytest.raises(ConfigurationError, match=r"neurallog\[requests\]"):
        NeuralLog(api_key="k", endpoint=ENDPOINT, transport="requests")


def test_set_api_key_rejects_bad_values() -> None:
    client = NeuralLog(api_key="k", endpoint=ENDPOINT)
    try:
        with pytest.raises(ConfigurationError):
            client.set_api_key("")
        with pytest.raises(ConfigurationError):
            client.set_token("a\r\nb")
    finally:
        client.close(timeout=0)


def test_configure_context_needs_a_mapping() -> None:
    client = NeuralLog(api_key="k", endpoint=ENDPOINT)
    try:
        with pytest.raises(TypeError):
            client.configure_context(["app"])  # type: ignore[arg-type]
    finally:
        client.close(timeout=0)


def test_package_exports() -> None:
    assert neurallog.NeuralLog is NeuralLog
    assert isinstance(neurallog.__version__, str)
    with pytest.raises(AttributeError):
        neurallog.DoesNotExist  # noqa: B018


def test_import_is_cheap_and_lazy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, neurallog; "
        "heavy = [m for m in ('neurallog_api', 'neurallog.async_client', 'neurallog_local', "
        "'neurallog.integrations', 'opentelemetry', 'requests') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_sink_fixture_is_real_http(sink: Sink) -> None:
    # Guards the other tests: the sink is a real server on a real port.
    assert sink.url.startswith("http://127.0.0.1:")


def test_async_client_is_exported_lazily() -> None:
    from neurallog.async_client import AsyncNeuralLog

    assert neurallog.AsyncNeuralLog is AsyncNeuralLog


@pytest.mark.parametrize(
    ("endpoint", "shown", "words"),
    [
        (
            "https://api.<tenant>.neurallog.com/v1",
            "https://api.<tenant>.neurallog.com/v1",
            "replace <tenant> with your tenant's name",
        ),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080", "use 'http://127.0.0.1:8080/v1'"),
        ("https://logs.example.com/", "https://logs.example.com/", "lacks the API version"),
        ("https://x.example/v1/logs", "https://x.example/v1/logs", "use 'https://x.example/v1'"),
        ("ftp://x.example/v1", "ftp://x.example/v1", "http(s)"),
        ("https://bad host/v1", "https://bad host/v1", "host name"),
        ("https://user:s3cret@x.example/v1", "https://x.example/v1", "user name or password"),
        ("https://x.example/v1?token=s3cret", "https://x.example/v1", "query"),
    ],
)
def test_a_refused_endpoint_is_shown_without_its_secrets(
    endpoint: str, shown: str, words: str
) -> None:
    with pytest.raises(ConfigurationError) as info:
        NeuralLog(api_key="k", endpoint=endpoint)
    text = str(info.value)
    assert repr(shown) in text
    assert words in text
    assert "s3cret" not in text


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://api.your-tenant.neurallog.com/v1",
        "https://gateway.example/neurallog",
        "http://[::1]:1/v2",
    ],
)
def test_endpoints_with_a_version_or_a_gateway_path_are_accepted(endpoint: str) -> None:
    NeuralLog(api_key="k", endpoint=endpoint).close(timeout=0)


# Another thread importing a module the SDK loads lazily (httpx, ssl, asyncio) leaves it in
# sys.modules half-initialised until its import ends. The script holds such an import
# halfway: the package's first submodule waits before it runs.
_HALF_IMPORTED = """
import importlib.machinery, sys, threading
{setup}
started, release = threading.Event(), threading.Event()

class Hold:
    # Finders run under the import system's global lock; the wait is in exec_module,
    # where only the module being imported is locked, as during any slow import.
    def find_spec(self, name, path=None, target=None):
        if name != {submodule!r}:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        spec.loader = Held(spec.loader)
        return spec

class Held:
    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        started.set()
        release.wait(30)
        self.loader.exec_module(module)

sys.meta_path.insert(0, Hold())
importer = threading.Thread(target=__import__, args=({package!r},))
importer.start()
assert started.wait(30)
try:
{body}
finally:
    release.set()
    importer.join()
"""


def _run_while_half_imported(package: str, submodule: str, setup: str, body: str) -> str:
    import subprocess
    import sys
    import textwrap

    script = _HALF_IMPORTED.format(
        package=package,
        submodule=submodule,
        setup=setup,
        body=textwrap.indent(body, "    "),
    )
    out = subprocess.run(  # the timeout is a hang guard, never a performance assertion
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    return out.stdout


@pytest.mark.parametrize(("package", "submodule"), [("httpx", "httpx._api"), ("ssl", "_ssl")])
def test_a_client_is_built_while_another_thread_imports_its_stack(
    package: str, submodule: str
) -> None:
    # As when a first client's delivery thread loads the HTTP stack in the background and
    # the application builds a second client (or a handler) meanwhile.
    body = (
        "client = NeuralLog(api_key='k', endpoint='http://127.0.0.1:9/v1')\n"
        "print(type(client).__name__, client.log_level)\n"
    )
    out = _run_while_half_imported(package, submodule, "from neurallog import NeuralLog", body)
    assert out.split() == ["NeuralLog", "INFO"]


def test_the_event_loop_check_holds_while_another_thread_imports_asyncio() -> None:
    # The backpressure pause asks whether the caller runs an event loop; a log call made
    # while asyncio is half imported must not fail on it.
    setup = "import neurallog; from neurallog._queue import _in_event_loop"
    body = "print(_in_event_loop())"
    out = _run_while_half_imported("asyncio", "asyncio.base_events", setup, body)
    assert out.strip() == "False"


def test_values_are_encoded_while_another_thread_imports_decimal() -> None:
    # The encoder recognises a Decimal only when decimal is loaded; a value of another type
    # met meanwhile is still encoded.
    setup = "import neurallog; from neurallog._encoding import json_default"
    out = _run_while_half_imported("decimal", "_decimal", setup, "print(json_default(1j))")
    assert out.strip() == "1j"
