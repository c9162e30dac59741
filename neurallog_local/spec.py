"""Finding and loading ``openapi.yaml``, the contract this server implements."""

from __future__ import annotations

import copy
import functools
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

# The validators see requests as if they were sent to this server URL, whatever the real
# host and port are, so that path matching never depends on where the server listens.
VALIDATION_SERVER = "http://neurallog.local"
API_PREFIX = "/v1"


def spec_text() -> str:
    """The text of ``openapi.yaml``.

    A source checkout (or editable install) uses the repository's own file, so an edit to
    the contract takes effect at once; an installed wheel uses the copy packaged with it.
    """
    checkout = Path(__file__).resolve().parent.parent / "openapi.yaml"
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8")
    return resources.files("neurallog_local").joinpath("openapi.yaml").read_text(encoding="utf-8")


@functools.cache
def load_spec() -> dict[str, Any]:
    """The parsed contract (cached; treat it as read-only)."""
    data = yaml.safe_load(spec_text())
    if not isinstance(data, dict):
        raise RuntimeError("openapi.yaml is not a mapping")
    return data


def validation_spec() -> dict[str, Any]:
    """The contract as the request and response validators use it: the server URL is
    fixed (see ``VALIDATION_SERVER``)."""
    spec = copy.deepcopy(load_spec())
    spec["servers"] = [{"url": VALIDATION_SERVER + API_PREFIX}]
    return spec


def log_input_schema() -> dict[str, Any]:
    """A standalone JSON Schema for one ``LogInput``, its ``$ref``s resolvable in place."""
    spec = load_spec()
    return {"$ref": "#/components/schemas/LogInput", "components": spec["components"]}
