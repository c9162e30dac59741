"""Every public name has one public home: the module it is documented and shown under."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pytest

import neurallog


def _public_modules() -> list[str]:
    names = ["neurallog"]
    for info in pkgutil.walk_packages(neurallog.__path__, "neurallog."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return names


def _optional(name: str) -> ModuleType | None:
    try:
        return importlib.import_module(name)
    except ImportError:  # an integration whose framework is an extra not installed here
        return None


@pytest.mark.parametrize("module_name", _public_modules())
def test_exported_names_live_in_a_public_module_that_exports_them(module_name: str) -> None:
    module = _optional(module_name)
    if module is None:
        pytest.skip(f"{module_name} needs an optional dependency")
    for name in getattr(module, "__all__", []):
        member = getattr(module, name)
        home = getattr(member, "__module__", None)
        if home is None or not isinstance(member, type | type(_public_modules)):
            continue  # constants and type aliases have no home of their own
        assert not any(part.startswith("_") for part in home.split(".")), (
            f"{module_name}.{name} is shown as {home}.{name}, a private module"
        )
        assert getattr(importlib.import_module(home), name, None) is member, (
            f"{module_name}.{name} is shown as {home}.{name}, which does not export it"
        )


def test_top_level_members() -> None:
    assert sorted(neurallog.__all__) == [
        "AsyncNeuralLog",
        "DeliveryStats",
        "LogBatch",
        "NeuralLog",
        "__version__",
    ]
    for name in neurallog.__all__:
        assert getattr(neurallog, name) is not None


@pytest.mark.parametrize(
    ("member", "shown_as"),
    [
        ("neurallog.DeliveryStats", "neurallog.DeliveryStats"),
        ("neurallog.resources.Page", "neurallog.resources.Page"),
        ("neurallog.resources.AsyncPage", "neurallog.resources.AsyncPage"),
        ("neurallog.resources.LogStream", "neurallog.resources.LogStream"),
        ("neurallog.resources.AsyncLogStream", "neurallog.resources.AsyncLogStream"),
        ("neurallog.resources.Logs", "neurallog.resources.Logs"),
        ("neurallog.resources.AsyncActions", "neurallog.resources.AsyncActions"),
        ("neurallog.types.Page", "neurallog.resources.Page"),
        ("neurallog.exceptions.APITimeoutError", "neurallog.exceptions.APITimeoutError"),
    ],
)
def test_public_classes_are_shown_under_their_home(member: str, shown_as: str) -> None:
    module_name, _, name = member.rpartition(".")
    cls = getattr(importlib.import_module(module_name), name)
    assert f"{cls.__module__}.{cls.__qualname__}" == shown_as


def test_the_timeout_error_keeps_its_former_name() -> None:
    from neurallog import exceptions

    assert exceptions.TimeoutError is exceptions.APITimeoutError
    assert "TimeoutError" not in exceptions.__all__  # `import *` must not shadow the built-in
    assert issubclass(exceptions.APITimeoutError, exceptions.NetworkError)


def test_former_resource_names_still_import() -> None:
    from neurallog.resources import AsyncLogsModule, LogsModule, RulesModule
    from neurallog.resources.actions import ActionsModule
    from neurallog.resources.logs import Logs

    assert LogsModule is Logs
    assert (AsyncLogsModule.__name__, RulesModule.__name__) == ("AsyncLogs", "Rules")
    assert ActionsModule.__name__ == "Actions"
