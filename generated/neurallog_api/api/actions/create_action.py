from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.action_response import ActionResponse
from ...models.error_response import ErrorResponse
from ...models.log_action_input import LogActionInput
from ...models.slack_action_input import SlackActionInput
from ...models.webhook_action_input import WebhookActionInput
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: LogActionInput | SlackActionInput | WebhookActionInput,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/actions",
    }

    if isinstance(body, WebhookActionInput) or isinstance(body, SlackActionInput):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ActionResponse | ErrorResponse | None:
    if response.status_code == 201:
        response_201 = ActionResponse.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

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
) -> Response[ActionResponse | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: LogActionInput | SlackActionInput | WebhookActionInput,
    idempotency_key: str | Unset = UNSET,
) -> Response[ActionResponse | ErrorResponse]:
    """Create an action

    Args:
        idempotency_key (str | Unset):
        body (LogActionInput | SlackActionInput | WebhookActionInput): An action to create, told
            apart by `type` (see `ActionType`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ActionResponse | ErrorResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: LogActionInput | SlackActionInput | WebhookActionInput,
    idempotency_key: str | Unset = UNSET,
) -> ActionResponse | ErrorResponse | None:
    """Create an action

    Args:
        idempotency_key (str | Unset):
        body (LogActionInput | SlackActionInput | WebhookActionInput): An action to create, told
            apart by `type` (see `ActionType`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ActionResponse | ErrorResponse
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: LogActionInput | SlackActionInput | WebhookActionInput,
    idempotency_key: str | Unset = UNSET,
) -> Response[ActionResponse | ErrorResponse]:
    """Create an action

    Args:
        idempotency_key (str | Unset):
        body (LogActionInput | SlackActionInput | WebhookActionInput): An action to create, told
            apart by `type` (see `ActionType`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ActionResponse | ErrorResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: LogActionInput | SlackActionInput | WebhookActionInput,
    idempotency_key: str | Unset = UNSET,
) -> ActionResponse | ErrorResponse | None:
    """Create an action

    Args:
        idempotency_key (str | Unset):
        body (LogActionInput | SlackActionInput | WebhookActionInput): An action to create, told
            apart by `type` (see `ActionType`).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ActionResponse | ErrorResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
