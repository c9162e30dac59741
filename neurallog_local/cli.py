"""``neurallog local``: start NeuralLog Local."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import sys
from pathlib import Path

from .services import Services, server_version
from .settings import ALL_SCOPES, KeySpec, Settings
from .statefile import ENV_STATE_FILE, read_state, remove_state, state_path, write_state

ENV_API_KEYS = "NEURALLOG_LOCAL_API_KEYS"
# Names of environment variables, not secrets.
ENV_JWT_SECRET = "NEURALLOG_LOCAL_JWT_SECRET"  # noqa: S105
ENV_ADMIN_SECRET = "NEURALLOG_LOCAL_ADMIN_SECRET"  # noqa: S105

_EPILOG = f"""\
credentials:
  Without --api-key a development key is created once, stored in the database and
  printed on every start. --api-key KEY[:TENANT[:SCOPES]] may be repeated: TENANT
  defaults to "default" and SCOPES (comma-separated) to all of them:
  logs:write logs:read logs:delete rules:read rules:write actions:read actions:write
  actions:execute. Example: --api-key ci-key-123:acme:logs:write,logs:read
  Keys can also come from ${ENV_API_KEYS} (separated by spaces or commas), and the
  JWT secret from ${ENV_JWT_SECRET}, which keeps them out of the process list.
  JWTs are HS256 with a "tenant" claim and an optional space-separated "scope" claim.

viewer:
  Open http://HOST:PORT/ for the log viewer. The banner prints a link that signs this
  browser in once; anyone else signs in with an API key.

finding the server:
  While it runs, the server records its endpoint and a key in a file readable only by
  you, {{state}} (or ${{env}}). The neurallog tail, search,
  send, rules and actions commands use it when nothing else is configured; the SDK's
  NeuralLog() never reads it. --no-state-file leaves it alone.

examples:
  neurallog local                           # http://127.0.0.1:8765/v1, ./neurallog-local.db
  neurallog local --db :memory: --port 0    # throwaway data, any free port
  eval "$(neurallog local --print-env)"     # NEURALLOG_ENDPOINT/API_KEY of this shell
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="neurallog local",
        description="Run NeuralLog Local: the NeuralLog v1 API on your machine, backed by SQLite.",
        epilog=_EPILOG.replace("{state}", str(state_path())).replace("{env}", ENV_STATE_FILE),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8765, help="port to bind; 0 picks a free one (default: 8765)"
    )
    parser.add_argument(
        "--db",
        default="neurallog-local.db",
        metavar="PATH",
        help="SQLite database file, or :memory: (default: ./neurallog-local.db)",
    )
    parser.add_argument(
        "--api-key",
        action="append",
        default=[],
        metavar="KEY[:TENANT[:SCOPES]]",
        help="accept this API key (repeatable); see below",
    )
    parser.add_argument(
        "--jwt-secret", metavar="SECRET", help="accept HS256 JWTs signed with this secret"
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=6000,
        metavar="N",
        help="requests per minute per credential, 0 for no limit (default: 6000)",
    )
    parser.add_argument(
        "--heartbeat-interval",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help="seconds between heartbeat events on live-tail streams (default: 15)",
    )
    parser.add_argument(
        "--action-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="time a webhook or Slack delivery may take in all (default: 10)",
    )
    parser.add_argument(
        "--header-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="time a request's headers may take to arrive, else 408 (default: 10)",
    )
    parser.add_argument(
        "--body-timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="time a request's body may take to arrive after its headers, else 408 (default: 30)",
    )
    parser.add_argument(
        "--max-connections",
        type=int,
        metavar="N",
        help="open client connections at most (default: what the open-file limit allows)",
    )
    parser.add_argument(
        "--auth-failure-limit",
        type=int,
        default=100,
        metavar="N",
        help="failed authentications per client address per minute before 429s, 0 for no"
        " limit (default: 100)",
    )
    parser.add_argument(
        "--no-response-validation",
        action="store_true",
        help="skip checking responses against openapi.yaml (faster; checks are on by default)",
    )
    parser.add_argument(
        "--log-level",
        default="warning",
        choices=["critical", "error", "warning", "info", "debug"],
        help="server log level (default: warning)",
    )
    parser.add_argument("--access-log", action="store_true", help="log every request")
    parser.add_argument(
        "--ready-file",
        metavar="PATH",
        help="once serving, write {endpoint, base_url, pid} as JSON to this file",
    )
    parser.add_argument(
        "--print-env",
        action="store_true",
        help="print the export lines of NEURALLOG_ENDPOINT and NEURALLOG_API_KEY, and exit",
    )
    parser.add_argument(
        "--no-state-file",
        action="store_true",
        help="do not record this server for the neurallog commands (see below)",
    )
    return parser


def _env_key_texts(value: str) -> list[str]:
    """The ``KEY[:TENANT[:SCOPES]]`` entries of ``$NEURALLOG_LOCAL_API_KEYS``, separated by
    spaces or commas. The commas between scopes separate nothing: a scope belongs to the
    entry before it (``KEY:TENANT:logs:read,logs:write``); it cannot be an entry, since
    a key cannot contain ':'."""
    texts: list[str] = []
    for part in value.replace(",", " ").split():
        if part in ALL_SCOPES and texts and texts[-1].count(":") >= 2:
            texts[-1] += "," + part
        else:
            texts.append(part)
    return texts


def _key_specs(args: argparse.Namespace, parser: argparse.ArgumentParser) -> list[KeySpec]:
    texts = list(args.api_key)
    texts += _env_key_texts(os.environ.get(ENV_API_KEYS, ""))
    specs = []
    for text in texts:
        try:
            specs.append(KeySpec.parse(text))
        except ValueError as exc:
            parser.error(f"--api-key: {exc}")
    return specs


def _client_key(settings: Settings, dev_key: str | None) -> str | None:
    """The key that applications and the viewer link use: the development key, else the
    first key given that can read logs, else the first key given."""
    if dev_key is not None:
        return dev_key
    readers = [spec for spec in settings.api_keys if "logs:read" in spec.scopes]
    chosen = readers or settings.api_keys
    return chosen[0].key if chosen else None


def export_lines(endpoint: str, api_key: str | None) -> list[str]:
    """Shell lines that point the SDK at this server."""
    lines = [f"export NEURALLOG_ENDPOINT={shlex.quote(endpoint)}"]
    if api_key is not None:
        lines.append(f"export NEURALLOG_API_KEY={shlex.quote(api_key)}")
    return lines


def _banner(services: Services, base_url: str, db: str, viewer_url: str | None) -> str:
    lines = [
        f"NeuralLog Local {server_version()}",
        f"  endpoint:  {base_url}/v1",
    ]
    if services.dev_api_key is not None:
        lines.append(f'  api key:   {services.dev_api_key}   (tenant "default", all scopes)')
    else:
        lines.append(f"  api keys:  {len(services.settings.api_keys)} from --api-key")
    if services.settings.jwt_secret:
        lines.append("  JWTs:      HS256 accepted")
    where = db if db == ":memory:" else str(Path(db).resolve())
    lines.append(f"  database:  {where}")
    if viewer_url is not None:
        lines.append(f"  viewer:    {viewer_url}")
        lines.append("             (the link signs one browser in, once; it holds no API key)")
    lines.append("")
    lines.append("Point an application at it:")
    # Keys given on the command line or in the environment are never printed.
    key = services.dev_api_key
    lines.extend("  " + line for line in export_lines(base_url + "/v1", key))
    if key is None:
        lines.append("  export NEURALLOG_API_KEY=...   # one of the keys given with --api-key")
    lines.append("")
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


def _terminated(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _print_env(args: argparse.Namespace, settings: Settings) -> int:
    """``--print-env``: the running server's settings when one is recorded, else those
    this command line would serve with."""
    running = read_state()
    if running is not None:
        print("\n".join(export_lines(running["endpoint"], running.get("api_key"))))
        return 0
    if args.port == 0 or (args.db == ":memory:" and not settings.api_keys):
        print(
            "neurallog local: no server is running, and this one's endpoint or key would not be"
            " known before it starts (--port 0 or --db :memory:): start it first",
            file=sys.stderr,
        )
        return 2
    key = None if settings.api_keys else Services.dev_key_of(settings)
    host = f"[{args.host}]" if ":" in args.host else args.host
    print("\n".join(export_lines(f"http://{host}:{args.port}/v1", _client_key(settings, key))))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the server until Ctrl-C; return the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.rate_limit < 0:
        parser.error("--rate-limit must be 0 or more")
    if (
        min(args.heartbeat_interval, args.action_timeout, args.header_timeout, args.body_timeout)
        <= 0
    ):
        parser.error("intervals and timeouts must be positive")
    if args.max_connections is not None and args.max_connections < 1:
        parser.error("--max-connections must be 1 or more")
    if args.auth_failure_limit < 0:
        parser.error("--auth-failure-limit must be 0 or more")
    settings = Settings(
        db=args.db,
        api_keys=_key_specs(args, parser),
        jwt_secret=args.jwt_secret or os.environ.get(ENV_JWT_SECRET) or None,
        admin_secret=os.environ.get(ENV_ADMIN_SECRET) or None,
        rate_limit=args.rate_limit,
        heartbeat_interval=args.heartbeat_interval,
        action_timeout=args.action_timeout,
        validate_responses=not args.no_response_validation,
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
        max_connections=args.max_connections,
        auth_failure_limit=args.auth_failure_limit,
    )
    if args.print_env:
        return _print_env(args, settings)
    # Imported here so that `--help` stays fast.
    from .server import base_url_of, bind, serve

    try:
        sock = bind(args.host, args.port)
    except OSError as exc:
        print(
            f"neurallog local: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
            " (is another server running? try --port 0)",
            file=sys.stderr,
        )
        return 1
    base_url = base_url_of(sock)

    recorded = False

    def ready(services: Services) -> None:
        nonlocal recorded
        key = _client_key(services.settings, services.dev_api_key)
        viewer_url = None
        if key is not None:
            viewer_url = f"{base_url}/ui/login?token={services.viewer.issue_login_token(key)}"
        if not args.no_state_file:
            state = {
                "endpoint": base_url + "/v1",
                "base_url": base_url,
                "pid": os.getpid(),
                "api_key": key,
            }
            recorded = write_state(state) is not None
        # Printed once recorded: whoever reads the banner finds the state file written.
        print(_banner(services, base_url, args.db, viewer_url), flush=True)
        if args.ready_file:
            target = Path(args.ready_file)
            partial = target.with_name(target.name + ".partial")
            info = {"endpoint": base_url + "/v1", "base_url": base_url, "pid": os.getpid()}
            partial.write_text(json.dumps(info))
            partial.replace(target)

    if not args.no_state_file:
        # uvicorn re-raises the SIGTERM it handled once it has shut down; as an exception,
        # it lets the state file be removed below instead of ending the process at once.
        signal.signal(signal.SIGTERM, _terminated)
    try:
        serve(settings, sock, log_level=args.log_level, access_log=args.access_log, on_ready=ready)
    except KeyboardInterrupt:
        pass  # uvicorn re-raises the Ctrl-C it handled once it has shut down
    finally:
        sock.close()
        if recorded:
            remove_state(os.getpid())
    print("NeuralLog Local stopped.", flush=True)
    return 0
