from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.action_execute_request import ActionExecuteRequest
from ...models.error_response import ErrorResponse
from ...models.execution_response import ExecutionResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    action_id: str,
    *,
    body: ActionExecuteRequest | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/actions/{action_id}/execute".format(
            action_id=quote(str(action_id), safe=""),
        ),
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | ExecutionResponse | None:
    if response.status_code == 200:
        response_200 = ExecutionResponse.from_dict(response.json())

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

    if response.status_code == 413:
        response_413 = ErrorResponse.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = ErrorResponse.from_dict(response.json())

        return response_422

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
) -> Response[ErrorResponse | ExecutionResponse]:
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
    body: ActionExecuteRequest | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorResponse | ExecutionResponse]:
    """Execute an action now

     Runs the action once, synchronously, with `parameters` merged over the action's own
    and templates rendered against `{parameters, context}`. The execution is recorded and
    returned; a failed delivery is an execution with `status: failed`, not an error
    response.

    Args:
        action_id (str):
        idempotency_key (str | Unset):
        body (ActionExecuteRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ExecutionResponse]
    """

    kwargs = _get_kwargs(
        action_id=action_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    action_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: ActionExecuteRequest | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> ErrorResponse | ExecutionResponse | None:
    """Execute an action now

     Runs the action once, synchronously, with `parameters` merged over the action's own
    and templates rendered against `{parameters, context}`. The execution is recorded and
    returned; a failed delivery is an execution with `status: failed`, not an error
    response.

    Args:
        action_id (str):
        idempotency_key (str | Unset):
        body (ActionExecuteRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ExecutionResponse
    """

    return sync_detailed(
        action_id=action_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    action_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: ActionExecuteRequest | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorResponse | ExecutionResponse]:
    """Execute an action now

     Runs the action once, synchronously, with `parameters` merged over the action's own
    and templates rendered against `{parameters, context}`. The execution is recorded and
    returned; a failed delivery is an execution with `status: failed`, not an error
    response.

    Args:
        action_id (str):
        idempotency_key (str | Unset):
        body (ActionExecuteRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ExecutionResponse]
    """

    kwargs = _get_kwargs(
        action_id=action_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    action_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: ActionExecuteRequest | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> ErrorResponse | ExecutionResponse | None:
    """Execute an action now

     Runs the action once, synchronously, with `parameters` merged over the action's own
    and templates rendered against `{parameters, context}`. The execution is recorded and
    returned; a failed delivery is an execution with `status: failed`, not an error
    response.

    Args:
        action_id (str):
        idempotency_key (str | Unset):
        body (ActionExecuteRequest | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ExecutionResponse
    """

    return (
        await asyncio_detailed(
            action_id=action_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
