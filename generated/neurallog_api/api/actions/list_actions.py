from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.action_list_response import ActionListResponse
from ...models.action_type import ActionType
from ...models.error_response import ErrorResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    type_: ActionType | Unset = UNSET,
    limit: int | Unset = 10,
    offset: int | Unset = 0,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_type_: str | Unset = UNSET
    if not isinstance(type_, Unset):
        json_type_ = type_.value

    params["type"] = json_type_

    params["limit"] = limit

    params["offset"] = offset

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/actions",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ActionListResponse | ErrorResponse | None:
    if response.status_code == 200:
        response_200 = ActionListResponse.from_dict(response.json())

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
) -> Response[ActionListResponse | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    type_: ActionType | Unset = UNSET,
    limit: int | Unset = 10,
    offset: int | Unset = 0,
) -> Response[ActionListResponse | ErrorResponse]:
    """List actions

    Args:
        type_ (ActionType | Unset): `webhook`: parameters `url` (http or https, required),
            `method` (`POST`, `PUT`,
            `PATCH` or `GET`; default `POST`), `headers` (object of strings), `body_template`
            (a string template; when absent the body is the JSON of `{log, rule, parameters,
            context}`). `slack`: parameters `webhook` (the incoming-webhook URL, required),
            `channel`, `message` (template; default `{{log.message}}`); posts Slack's
            `{channel, text}`. `log`: records the execution and nothing else. Templates such as
            `{{log.message}}`, `{{log.metadata.user_id}}`, `{{rule.name}}`, `{{parameters.x}}`
            and `{{context.source}}` are plain substitutions: no code runs, and a missing key
            renders as an empty string.
        limit (int | Unset):  Default: 10.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ActionListResponse | ErrorResponse]
    """

    kwargs = _get_kwargs(
        type_=type_,
        limit=limit,
        offset=offset,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    type_: ActionType | Unset = UNSET,
    limit: int | Unset = 10,
    offset: int | Unset = 0,
) -> ActionListResponse | ErrorResponse | None:
    """List actions

    Args:
        type_ (ActionType | Unset): `webhook`: parameters `url` (http or https, required),
            `method` (`POST`, `PUT`,
            `PATCH` or `GET`; default `POST`), `headers` (object of strings), `body_template`
            (a string template; when absent the body is the JSON of `{log, rule, parameters,
            context}`). `slack`: parameters `webhook` (the incoming-webhook URL, required),
            `channel`, `message` (template; default `{{log.message}}`); posts Slack's
            `{channel, text}`. `log`: records the execution and nothing else. Templates such as
            `{{log.message}}`, `{{log.metadata.user_id}}`, `{{rule.name}}`, `{{parameters.x}}`
            and `{{context.source}}` are plain substitutions: no code runs, and a missing key
            renders as an empty string.
        limit (int | Unset):  Default: 10.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ActionListResponse | ErrorResponse
    """

    return sync_detailed(
        client=client,
        type_=type_,
        limit=limit,
        offset=offset,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    type_: ActionType | Unset = UNSET,
    limit: int | Unset = 10,
    offset: int | Unset = 0,
) -> Response[ActionListResponse | ErrorResponse]:
    """List actions

    Args:
        type_ (ActionType | Unset): `webhook`: parameters `url` (http or https, required),
            `method` (`POST`, `PUT`,
            `PATCH` or `GET`; default `POST`), `headers` (object of strings), `body_template`
            (a string template; when absent the body is the JSON of `{log, rule, parameters,
            context}`). `slack`: parameters `webhook` (the incoming-webhook URL, required),
            `channel`, `message` (template; default `{{log.message}}`); posts Slack's
            `{channel, text}`. `log`: records the execution and nothing else. Templates such as
            `{{log.message}}`, `{{log.metadata.user_id}}`, `{{rule.name}}`, `{{parameters.x}}`
            and `{{context.source}}` are plain substitutions: no code runs, and a missing key
            renders as an empty string.
        limit (int | Unset):  Default: 10.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ActionListResponse | ErrorResponse]
    """

    kwargs = _get_kwargs(
        type_=type_,
        limit=limit,
        offset=offset,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    type_: ActionType | Unset = UNSET,
    limit: int | Unset = 10,
    offset: int | Unset = 0,
) -> ActionListResponse | ErrorResponse | None:
    """List actions

    Args:
        type_ (ActionType | Unset): `webhook`: parameters `url` (http or https, required),
            `method` (`POST`, `PUT`,
            `PATCH` or `GET`; default `POST`), `headers` (object of strings), `body_template`
            (a string template; when absent the body is the JSON of `{log, rule, parameters,
            context}`). `slack`: parameters `webhook` (the incoming-webhook URL, required),
            `channel`, `message` (template; default `{{log.message}}`); posts Slack's
            `{channel, text}`. `log`: records the execution and nothing else. Templates such as
            `{{log.message}}`, `{{log.metadata.user_id}}`, `{{rule.name}}`, `{{parameters.x}}`
            and `{{context.source}}` are plain substitutions: no code runs, and a missing key
            renders as an empty string.
        limit (int | Unset):  Default: 10.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ActionListResponse | ErrorResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            type_=type_,
            limit=limit,
            offset=offset,
        )
    ).parsed
