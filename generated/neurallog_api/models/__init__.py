"""Contains all the data models used in inputs/outputs"""

from .action import Action
from .action_execute_request import ActionExecuteRequest
from .action_execute_request_context import ActionExecuteRequestContext
from .action_execute_request_parameters import ActionExecuteRequestParameters
from .action_list_response import ActionListResponse
from .action_parameters import ActionParameters
from .action_response import ActionResponse
from .action_type import ActionType
from .action_update import ActionUpdate
from .action_update_parameters import ActionUpdateParameters
from .composite_condition import CompositeCondition
from .composite_condition_parameters import CompositeConditionParameters
from .composite_condition_parameters_operator import (
    CompositeConditionParametersOperator,
)
from .composite_condition_type import CompositeConditionType
from .delete_logs_response import DeleteLogsResponse
from .delete_result import DeleteResult
from .error import Error
from .error_details import ErrorDetails
from .error_response import ErrorResponse
from .execution import Execution
from .execution_list_response import ExecutionListResponse
from .execution_response import ExecutionResponse
from .execution_result_type_0 import ExecutionResultType0
from .execution_status import ExecutionStatus
from .filter_operators import FilterOperators
from .frequency_condition import FrequencyCondition
from .frequency_condition_parameters import FrequencyConditionParameters
from .frequency_condition_type import FrequencyConditionType
from .health import Health
from .health_response import HealthResponse
from .health_status import HealthStatus
from .ingest_request import IngestRequest
from .ingest_response import IngestResponse
from .ingest_result import IngestResult
from .list_meta import ListMeta
from .log_action_input import LogActionInput
from .log_action_input_parameters import LogActionInputParameters
from .log_action_input_type import LogActionInputType
from .log_entry import LogEntry
from .log_entry_response import LogEntryResponse
from .log_filter import LogFilter
from .log_input import LogInput
from .log_level import LogLevel
from .log_level_condition import LogLevelCondition
from .log_level_condition_parameters import LogLevelConditionParameters
from .log_level_condition_type import LogLevelConditionType
from .log_list_response import LogListResponse
from .match_condition import MatchCondition
from .match_condition_parameters import MatchConditionParameters
from .match_condition_parameters_operator import MatchConditionParametersOperator
from .match_condition_type import MatchConditionType
from .meta import Meta
from .metadata import Metadata
from .pagination import Pagination
from .pattern_condition import PatternCondition
from .pattern_condition_parameters import PatternConditionParameters
from .pattern_condition_type import PatternConditionType
from .rejected_entry import RejectedEntry
from .rule import Rule
from .rule_action import RuleAction
from .rule_action_parameters import RuleActionParameters
from .rule_input import RuleInput
from .rule_list_response import RuleListResponse
from .rule_response import RuleResponse
from .rule_test_action import RuleTestAction
from .rule_test_action_parameters import RuleTestActionParameters
from .rule_test_request import RuleTestRequest
from .rule_test_response import RuleTestResponse
from .rule_test_result import RuleTestResult
from .rule_update import RuleUpdate
from .sample_log import SampleLog
from .slack_action_input import SlackActionInput
from .slack_action_input_type import SlackActionInputType
from .slack_parameters import SlackParameters
from .validation_issue import ValidationIssue
from .webhook_action_input import WebhookActionInput
from .webhook_action_input_type import WebhookActionInputType
from .webhook_parameters import WebhookParameters
from .webhook_parameters_headers import WebhookParametersHeaders
from .webhook_parameters_method import WebhookParametersMethod

__all__ = (
    "Action",
    "ActionExecuteRequest",
    "ActionExecuteRequestContext",
    "ActionExecuteRequestParameters",
    "ActionListResponse",
    "ActionParameters",
    "ActionResponse",
    "ActionType",
    "ActionUpdate",
    "ActionUpdateParameters",
    "CompositeCondition",
    "CompositeConditionParameters",
    "CompositeConditionParametersOperator",
    "CompositeConditionType",
    "DeleteLogsResponse",
    "DeleteResult",
    "Error",
    "ErrorDetails",
    "ErrorResponse",
    "Execution",
    "ExecutionListResponse",
    "ExecutionResponse",
    "ExecutionResultType0",
    "ExecutionStatus",
    "FilterOperators",
    "FrequencyCondition",
    "FrequencyConditionParameters",
    "FrequencyConditionType",
    "Health",
    "HealthResponse",
    "HealthStatus",
    "IngestRequest",
    "IngestResponse",
    "IngestResult",
    "ListMeta",
    "LogActionInput",
    "LogActionInputParameters",
    "LogActionInputType",
    "LogEntry",
    "LogEntryResponse",
    "LogFilter",
    "LogInput",
    "LogLevel",
    "LogLevelCondition",
    "LogLevelConditionParameters",
    "LogLevelConditionType",
    "LogListResponse",
    "MatchCondition",
    "MatchConditionParameters",
    "MatchConditionParametersOperator",
    "MatchConditionType",
    "Meta",
    "Metadata",
    "Pagination",
    "PatternCondition",
    "PatternConditionParameters",
    "PatternConditionType",
    "RejectedEntry",
    "Rule",
    "RuleAction",
    "RuleActionParameters",
    "RuleInput",
    "RuleListResponse",
    "RuleResponse",
    "RuleTestAction",
    "RuleTestActionParameters",
    "RuleTestRequest",
    "RuleTestResponse",
    "RuleTestResult",
    "RuleUpdate",
    "SampleLog",
    "SlackActionInput",
    "SlackActionInputType",
    "SlackParameters",
    "ValidationIssue",
    "WebhookActionInput",
    "WebhookActionInputType",
    "WebhookParameters",
    "WebhookParametersHeaders",
    "WebhookParametersMethod",
)
