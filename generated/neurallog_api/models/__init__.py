"""Contains all the data models used in inputs/outputs"""

from .action import Action
from .action_execute_request import ActionExecuteRequest
from .action_execute_request_context import ActionExecuteRequestContext
from .action_execute_request_parameters import ActionExecuteRequestParameters
from .action_input import ActionInput
from .action_input_parameters import ActionInputParameters
from .action_list_response import ActionListResponse
from .action_parameters import ActionParameters
from .action_response import ActionResponse
from .action_type import ActionType
from .action_update import ActionUpdate
from .action_update_parameters import ActionUpdateParameters
from .condition import Condition
from .condition_parameters import ConditionParameters
from .condition_type import ConditionType
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
from .health import Health
from .health_response import HealthResponse
from .health_status import HealthStatus
from .ingest_request import IngestRequest
from .ingest_response import IngestResponse
from .ingest_result import IngestResult
from .list_meta import ListMeta
from .log_entry import LogEntry
from .log_entry_response import LogEntryResponse
from .log_input import LogInput
from .log_level import LogLevel
from .log_list_response import LogListResponse
from .meta import Meta
from .metadata import Metadata
from .pagination import Pagination
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
from .validation_issue import ValidationIssue

__all__ = (
    "Action",
    "ActionExecuteRequest",
    "ActionExecuteRequestContext",
    "ActionExecuteRequestParameters",
    "ActionInput",
    "ActionInputParameters",
    "ActionListResponse",
    "ActionParameters",
    "ActionResponse",
    "ActionType",
    "ActionUpdate",
    "ActionUpdateParameters",
    "Condition",
    "ConditionParameters",
    "ConditionType",
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
    "Health",
    "HealthResponse",
    "HealthStatus",
    "IngestRequest",
    "IngestResponse",
    "IngestResult",
    "ListMeta",
    "LogEntry",
    "LogEntryResponse",
    "LogInput",
    "LogLevel",
    "LogListResponse",
    "Meta",
    "Metadata",
    "Pagination",
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
    "ValidationIssue",
)
