"""The ``neurallog`` command."""

from __future__ import annotations

import argparse
import sys

from neurallog._version import __version__


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``neurallog`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(
        prog="neurallog",
        description="NeuralLog command-line tools.",
    )
    parser.add_argument("--version", action="version", version=f"neurallog {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "local",
        help="run NeuralLog Local, a local server for the NeuralLog API",
        add_help=False,
    )
    if args and args[0] == "local":
        return _local(args[1:])
    parser.parse_args(args)
    parser.print_help()
    return 2


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
