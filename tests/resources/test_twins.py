"""The sync and async resources are twins: same methods, parameters and documentation."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from neurallog.client import NeuralLog
from neurallog.resources import (
    Actions,
    AsyncActions,
    AsyncLogs,
    AsyncPage,
    AsyncRules,
    Logs,
    Page,
    Rules,
)

TWINS = [(Logs, AsyncLogs), (Rules, AsyncRules), (Actions, AsyncActions), (Page, AsyncPage)]


def _public(cls: type) -> dict[str, Any]:
    return {
        name: getattr(cls, name)
        for name in dir(cls)
        if not name.startswith("_") and callable(getattr(cls, name)) and not hasattr(list, name)
    }


@pytest.mark.parametrize(("sync", "asynchronous"), TWINS, ids=lambda c: c.__name__)
def test_every_sync_method_has_an_async_twin(sync: type, asynchronous: type) -> None:
    assert _public(sync).keys() == _public(asynchronous).keys()


@pytest.mark.parametrize(("sync", "asynchronous"), TWINS, ids=lambda c: c.__name__)
def test_twins_take_the_same_parameters(sync: type, asynchronous: type) -> None:
    for name, method in _public(sync).items():
        twin = getattr(asynchronous, name)
        sync_params = inspect.signature(method).parameters
        async_params = inspect.signature(twin).parameters
        assert list(sync_params.values()) == list(async_params.values()), name


@pytest.mark.parametrize(("sync", "asynchronous"), TWINS, ids=lambda c: c.__name__)
def test_twins_have_the_same_full_documentation(sync: type, asynchronous: type) -> None:
    for name, method in _public(sync).items():
        doc = inspect.getdoc(method)
        assert doc, f"{sync.__name__}.{name} has no docstring"
        assert inspect.getdoc(getattr(asynchronous, name)) == doc, name
        assert "see :meth:" not in doc.lower(), f"{sync.__name__}.{name} defers its docs"


@pytest.mark.parametrize(("sync", "asynchronous"), TWINS[:3], ids=lambda c: c.__name__)
def test_async_methods_are_awaited_or_iterated(sync: type, asynchronous: type) -> None:
    for name in _public(asynchronous):
        method = getattr(asynchronous, name)
        if name in ("stream", "astream"):  # async iterators, opened on the first iteration
            assert not inspect.iscoroutinefunction(method)
        else:
            assert inspect.iscoroutinefunction(method), name
            assert not inspect.iscoroutinefunction(getattr(sync, name)), name


def test_methods_are_named_where_they_live() -> None:
    assert Logs.search.__qualname__ == "Logs.search"
    assert AsyncLogs.astream.__qualname__ == "AsyncLogs.astream"
    assert Rules.create.__module__ == "neurallog.resources"


def test_a_bound_method_shows_its_own_parameters(client: NeuralLog) -> None:
    assert list(inspect.signature(client.rules.get).parameters) == ["rule_id"]
    assert list(inspect.signature(Rules.get).parameters) == ["self", "rule_id"]


def test_a_wrong_argument_names_the_method_as_called(client: NeuralLog) -> None:
    with pytest.raises(TypeError, match=r"logs\.search\(\) got an unexpected keyword argument 'q'"):
        client.logs.search(q="error")  # type: ignore[call-arg]
