"""The ``neurallog`` command."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from typing import NoReturn

from neurallog._version import __version__

_TARGET_HELP = """\
where requests go:
  --endpoint/--api-key/--token, else NEURALLOG_ENDPOINT and NEURALLOG_API_KEY (or
  NEURALLOG_TOKEN), else the NeuralLog Local that `neurallog local` is running for you.
"""

_QUERY_HELP = 'full-text query: words, "phrases", prefix*, OR, NOT, (...)'


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _target_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection")
    group.add_argument("--endpoint", metavar="URL", help="API base URL, e.g. http://host/v1")
    secret = group.add_mutually_exclusive_group()
    secret.add_argument("--api-key", metavar="KEY", help="API key (prefer NEURALLOG_API_KEY)")
    secret.add_argument("--token", metavar="JWT", help="JWT (prefer NEURALLOG_TOKEN)")


def _filter_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters")
    group.add_argument("--level", metavar="LEVEL", help="this level and above (e.g. warn)")
    group.add_argument(
        "--source", action="append", default=[], metavar="S", help="only this source (repeatable)"
    )
    group.add_argument(
        "--tag", action="append", default=[], metavar="T", help="any of these tags (repeatable)"
    )
    group.add_argument("--since", metavar="WHEN", help="10m, 2h, 1d or an ISO 8601 time")
    group.add_argument("--json", action="store_true", help="one JSON object per line (for jq)")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="neurallog",
        description="NeuralLog command-line tools.",
        epilog=_TARGET_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"neurallog {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.add_parser(
        "local",
        help="run NeuralLog Local, a local server for the NeuralLog API (and its log viewer)",
        add_help=False,
    )

    def command(name: str, help: str, description: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=help,
            description=description,
            epilog=_TARGET_HELP,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    tail = command(
        "tail",
        "print the newest entries and, with -f, new ones as they arrive",
        "Print the newest matching entries, then with -f every new one as it arrives "
        "(a dropped connection resumes where it stopped). Ctrl-C stops.",
    )
    tail.add_argument(
        "query", nargs="?", help='full-text query: words, "phrases", prefix*, OR, NOT'
    )
    tail.add_argument("-f", "--follow", action="store_true", help="keep printing new entries")
    tail.add_argument(
        "-n", "--lines", type=int, default=10, metavar="N", help="entries of history (default 10)"
    )
    _filter_options(tail)
    _target_options(tail)

    search = command(
        "search",
        "search entries; a table, or JSON lines",
        "Full-text search, most relevant first (newest first without a query).",
    )
    search.add_argument(
        "query", nargs="?", help='full-text query: words, "phrases", prefix*, OR, NOT'
    )
    search.add_argument(
        "--limit", type=int, default=20, metavar="N", help="entries to show (default 20)"
    )
    search.add_argument("--all", action="store_true", help="every match, page after page")
    search.add_argument("--sort", metavar="FIELD:ORDER", help="e.g. timestamp:desc")
    _filter_options(search)
    _target_options(search)

    send = command(
        "send",
        "send one entry, or one per line of stdin",
        "Send MESSAGE, or with no MESSAGE one entry per line of stdin, e.g.\n"
        "  myapp 2>&1 | neurallog send --source myapp\n"
        "Exits with status 1 if any entry could not be delivered.",
    )
    send.add_argument("message", nargs="?", help="the message (default: read lines from stdin)")
    send.add_argument("--level", default="INFO", help="level of the entries (default INFO)")
    send.add_argument("--source", help="source of the entries")
    send.add_argument(
        "--meta", action="append", default=[], metavar="KEY=VALUE", help="metadata (repeatable)"
    )
    send.add_argument("--tag", action="append", default=[], metavar="T", help="tag (repeatable)")
    _target_options(send)

    rules = command("rules", "list rules, or dry-run one", "Rules of the tenant.")
    rule_commands = rules.add_subparsers(
        dest="rules_command", metavar="{list,test}", required=True, parser_class=_Parser
    )
    rules_list = rule_commands.add_parser("list", help="every rule")
    rules_list.add_argument("--json", action="store_true", help="one JSON object per line")
    _target_options(rules_list)
    rules_test = rule_commands.add_parser(
        "test", help="dry-run a rule on a sample entry (nothing runs)"
    )
    rules_test.add_argument("rule_id", metavar="RULE_ID")
    rules_test.add_argument("message", help="message of the sample entry")
    rules_test.add_argument("--level", default="ERROR", help="its level (default ERROR)")
    rules_test.add_argument("--source", help="its source")
    rules_test.add_argument("--meta", action="append", default=[], metavar="KEY=VALUE")
    rules_test.add_argument("--json", action="store_true", help="the result as JSON")
    _target_options(rules_test)

    actions = command("actions", "list actions, or an action's executions", "Actions.")
    action_commands = actions.add_subparsers(
        dest="actions_command", metavar="{list,executions}", required=True, parser_class=_Parser
    )
    actions_list = action_commands.add_parser("list", help="every action")
    actions_list.add_argument("--json", action="store_true", help="one JSON object per line")
    _target_options(actions_list)
    executions = action_commands.add_parser("executions", help="an action's executions")
    executions.add_argument("action_id", metavar="ACTION_ID")
    executions.add_argument("--limit", type=int, default=20, metavar="N")
    executions.add_argument("--json", action="store_true", help="one JSON object per line")
    _target_options(executions)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``neurallog`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "local":
        return _local(args[1:])
    parser = _parser()
    namespace = parser.parse_args(args)
    if namespace.command is None:
        parser.print_help()
        return 2
    return _run(namespace)


def _run(args: argparse.Namespace) -> int:
    prog = f"neurallog {args.command}"
    try:
        from neurallog._cli import commands
    except ImportError as error:
        print(
            f"{prog} needs the cli extra: pip install 'neurallog[cli]' ({error})", file=sys.stderr
        )
        return 1
    from neurallog._cli.config import UsageError
    from neurallog.exceptions import ConfigurationError, NeuralLogError

    run: Callable[[argparse.Namespace], int] = getattr(commands, args.command)
    try:
        return run(args)
    except KeyboardInterrupt:
        return 0
    except BrokenPipeError:
        # The reader (head, less) has gone: not an error. Later writes go nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (UsageError, ConfigurationError, ValueError, TypeError) as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 2
    except (NeuralLogError, commands.SendLost) as error:
        print(f"{prog}: {error}", file=sys.stderr)
        return 1


def _local(argv: list[str]) -> int:
    # Imported here: the server's dependencies come with the optional `local` extra.
    try:
        from neurallog_local.cli import main as local_main
    except ImportError as error:
        print(
            f"neurallog local needs the local extra: pip install 'neurallog[local]' ({error})",
            file=sys.stderr,
        )
        return 1
    return local_main(argv)


if __name__ == "__main__":
    sys.exit(main())
