"""Resources of the NeuralLog clients: ``logs``, ``rules`` and ``actions``, and their results."""

from neurallog.resources._pages import AsyncPage, Page
from neurallog.resources._streaming import AsyncLogStream, LogStream
from neurallog.resources.actions import Actions, ActionsModule, AsyncActions, AsyncActionsModule
from neurallog.resources.logs import AsyncLogs, AsyncLogsModule, Logs, LogsModule
from neurallog.resources.rules import AsyncRules, AsyncRulesModule, Rules, RulesModule

__all__ = [
    "Actions",
    "ActionsModule",
    "AsyncActions",
    "AsyncActionsModule",
    "AsyncLogStream",
    "AsyncLogs",
    "AsyncLogsModule",
    "AsyncPage",
    "AsyncRules",
    "AsyncRulesModule",
    "LogStream",
    "Logs",
    "LogsModule",
    "Page",
    "Rules",
    "RulesModule",
]
