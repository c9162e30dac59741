"""Resource modules of the NeuralLog clients: ``logs``, ``rules`` and ``actions``."""

from neurallog.resources._pages import AsyncPage, Page
from neurallog.resources._streaming import AsyncLogStream, LogStream
from neurallog.resources.actions import ActionsModule, AsyncActionsModule
from neurallog.resources.logs import AsyncLogsModule, LogsModule
from neurallog.resources.rules import AsyncRulesModule, RulesModule

__all__ = [
    "ActionsModule",
    "AsyncActionsModule",
    "AsyncLogStream",
    "AsyncLogsModule",
    "AsyncPage",
    "AsyncRulesModule",
    "LogStream",
    "LogsModule",
    "Page",
    "RulesModule",
]
