"""Resources of the NeuralLog clients (``logs``, ``rules``, ``actions``) and their results.

This package is the public home of the resource classes, pages and live-tail streams: they
are defined in its modules but shown (in reprs, tracebacks and docs) as
``neurallog.resources.<Name>``.
"""

# The *Module names are the classes' former names, kept for code that imported them.
from neurallog.resources._pages import AsyncPage, Page
from neurallog.resources._streaming import AsyncLogStream, LogStream
from neurallog.resources.actions import Actions, AsyncActions
from neurallog.resources.actions import ActionsModule as ActionsModule
from neurallog.resources.actions import AsyncActionsModule as AsyncActionsModule
from neurallog.resources.logs import AsyncLogs, Logs
from neurallog.resources.logs import AsyncLogsModule as AsyncLogsModule
from neurallog.resources.logs import LogsModule as LogsModule
from neurallog.resources.rules import AsyncRules, Rules
from neurallog.resources.rules import AsyncRulesModule as AsyncRulesModule
from neurallog.resources.rules import RulesModule as RulesModule

__all__ = [
    "Actions",
    "AsyncActions",
    "AsyncLogStream",
    "AsyncLogs",
    "AsyncPage",
    "AsyncRules",
    "LogStream",
    "Logs",
    "Page",
    "Rules",
]

for _name in __all__:
    _cls = globals()[_name]
    _cls.__module__ = __name__
    for _member in vars(_cls).values():
        if callable(_member) and hasattr(_member, "__module__"):
            _member.__module__ = __name__
del _name, _cls, _member
