from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.execution_list_response import ExecutionListResponse
from ...models.execution_status import ExecutionStatus
from ...types import UNSET, Response, Unset


def _get_kwargs(
    action_id: str,
    *,
    status: ExecutionStatus | Unset = UNSET,
    rule_id: str | Unset = UNSET,
    limit: int | Unset = 10,
    offset: int | Unset = 0,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    params["rule_id"] = rule_id

    params["limit"] = limit

    params["offset"] = offset

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/actions/{action_id}/executions".format(
            action_id=quote(str(action_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | ExecutionListResponse | None:
    if response.status_code == 200:
        response_200 = ExecutionListResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = ErrorResponse.from_dict(response.json())

        return response_404

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorResponse.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | ExecutionListResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    action_id: str,
    *,
    client: AuthenticatedClient | Client,
    status: ExecutionStatus | Unset = UNSET,
    rule_id: str | Unset = UNSET,
    limit: int | Unset = 10,
    offset: int | Unset = 0,
) -> Response[ErrorResponse | ExecutionListResponse]:
    """Execution history of an action

     Manual and rule-triggered executions, newest first. A rule that references an action
    id that does not exist records its skipped runs under that id, so the history of an
    id with recorded executions is listed even when no action has it (deleted, or never
    created); 404 when there is neither an action nor a recorded execution under the id.

    Args:
        action_id (str):
        status (ExecutionStatus | Unset):
        rule_id (str | Unset):
        limit (int | Unset):  Default: 10.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ExecutionListResponse]
    """

    kwargs = _get_kwargs(
        action_id=action_id,
        status=status,
        rule_id=rule_id,
        limit=limit,
        offset=offset,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    action_id: str,
    *,
    client: AuthenticatedClient | Client,
    status: ExecutionStatus | Unset = UNSET,
    rule_id: str | Unset = UNSET,
    limit: int | Unset = 10,
    offset: int | Unset = 0,
) -> ErrorResponse | ExecutionListResponse | None:
    """Execution history of an action

     Manual and rule-triggered executions, newest first. A rule that references an action
    id that does not exist records its skipped runs under that id, so the history of an
    id with recorded executions is listed even when no action has it (deleted, or never
    created); 404 when there is neither an action nor a recorded execution under the id.

    Args:
        action_id (str):
        status (ExecutionStatus | Unset):
        rule_id (str | Unset):
        limit (int | Unset):  Default: 10.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ExecutionListResponse
    """

    return sync_detailed(
        action_id=action_id,
        client=client,
        status=status,
        rule_id=rule_id,
        limit=limit,
        offset=offset,
    ).parsed


async def asyncio_detailed(
    action_id: str,
    *,
    client: AuthenticatedClient | Client,
    status: ExecutionStatus | Unset = UNSET,
    rule_id: str | Unset = UNSET,
    limit: int | Unset = 10,
    offset: int | Unset = 0,
) -> Response[ErrorResponse | ExecutionListResponse]:
    """Execution history of an action

     Manual and rule-triggered executions, newest first. A rule that references an action
    id that does not exist records its skipped runs under that id, so the history of an
    id with recorded executions is listed even when no action has it (deleted, or never
    created); 404 when there is neither an action nor a recorded execution under the id.

    Args:
        action_id (str):
        status (ExecutionStatus | Unset):
        rule_id (str | Unset):
        limit (int | Unset):  Default: 10.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ExecutionListResponse]
    """

    kwargs = _get_kwargs(
        action_id=action_id,
        status=status,
        rule_id=rule_id,
        limit=limit,
        offset=offset,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    action_id: str,
    *,
    client: AuthenticatedClient | Client,
    status: ExecutionStatus | Unset = UNSET,
    rule_id: str | Unset = UNSET,
    limit: int | Unset = 10,
    offset: int | Unset = 0,
) -> ErrorResponse | ExecutionListResponse | None:
    """Execution history of an action

     Manual and rule-triggered executions, newest first. A rule that references an action
    id that does not exist records its skipped runs under that id, so the history of an
    id with recorded executions is listed even when no action has it (deleted, or never
    created); 404 when there is neither an action nor a recorded execution under the id.

    Args:
        action_id (str):
        status (ExecutionStatus | Unset):
        rule_id (str | Unset):
        limit (int | Unset):  Default: 10.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ExecutionListResponse
    """

    return (
        await asyncio_detailed(
            action_id=action_id,
            client=client,
            status=status,
            rule_id=rule_id,
            limit=limit,
            offset=offset,
        )
    ).parsed
