import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.delete_logs_response import DeleteLogsResponse
from ...models.error_response import ErrorResponse
from ...models.log_level import LogLevel
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    query: str | Unset = UNSET,
    level: list[LogLevel] | Unset = UNSET,
    source: list[str] | Unset = UNSET,
    tags: list[str] | Unset = UNSET,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    filter_: str | Unset = UNSET,
    all_: bool | Unset = False,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["query"] = query

    json_level: list[str] | Unset = UNSET
    if not isinstance(level, Unset):
        json_level = []
        for level_item_data in level:
            level_item = level_item_data.value
            json_level.append(level_item)

    params["level"] = json_level

    json_source: list[str] | Unset = UNSET
    if not isinstance(source, Unset):
        json_source = source

    params["source"] = json_source

    json_tags: list[str] | Unset = UNSET
    if not isinstance(tags, Unset):
        json_tags = tags

    params["tags"] = json_tags

    json_from_: str | Unset = UNSET
    if not isinstance(from_, Unset):
        json_from_ = from_.isoformat()
    params["from"] = json_from_

    json_to: str | Unset = UNSET
    if not isinstance(to, Unset):
        json_to = to.isoformat()
    params["to"] = json_to

    params["filter"] = filter_

    params["all"] = all_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "delete",
        "url": "/logs",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DeleteLogsResponse | ErrorResponse | None:
    if response.status_code == 200:
        response_200 = DeleteLogsResponse.from_dict(response.json())

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
) -> Response[DeleteLogsResponse | ErrorResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    query: str | Unset = UNSET,
    level: list[LogLevel] | Unset = UNSET,
    source: list[str] | Unset = UNSET,
    tags: list[str] | Unset = UNSET,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    filter_: str | Unset = UNSET,
    all_: bool | Unset = False,
) -> Response[DeleteLogsResponse | ErrorResponse]:
    """Delete log entries by filter

     Deletes every entry matching all given filters. A request with no filter at all is
    refused with a 400 unless `all=true` is given, so that a missing filter never
    empties a tenant by accident.

    Args:
        query (str | Unset):
        level (list[LogLevel] | Unset):
        source (list[str] | Unset):
        tags (list[str] | Unset):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        filter_ (str | Unset):
        all_ (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeleteLogsResponse | ErrorResponse]
    """

    kwargs = _get_kwargs(
        query=query,
        level=level,
        source=source,
        tags=tags,
        from_=from_,
        to=to,
        filter_=filter_,
        all_=all_,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    query: str | Unset = UNSET,
    level: list[LogLevel] | Unset = UNSET,
    source: list[str] | Unset = UNSET,
    tags: list[str] | Unset = UNSET,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    filter_: str | Unset = UNSET,
    all_: bool | Unset = False,
) -> DeleteLogsResponse | ErrorResponse | None:
    """Delete log entries by filter

     Deletes every entry matching all given filters. A request with no filter at all is
    refused with a 400 unless `all=true` is given, so that a missing filter never
    empties a tenant by accident.

    Args:
        query (str | Unset):
        level (list[LogLevel] | Unset):
        source (list[str] | Unset):
        tags (list[str] | Unset):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        filter_ (str | Unset):
        all_ (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeleteLogsResponse | ErrorResponse
    """

    return sync_detailed(
        client=client,
        query=query,
        level=level,
        source=source,
        tags=tags,
        from_=from_,
        to=to,
        filter_=filter_,
        all_=all_,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    query: str | Unset = UNSET,
    level: list[LogLevel] | Unset = UNSET,
    source: list[str] | Unset = UNSET,
    tags: list[str] | Unset = UNSET,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    filter_: str | Unset = UNSET,
    all_: bool | Unset = False,
) -> Response[DeleteLogsResponse | ErrorResponse]:
    """Delete log entries by filter

     Deletes every entry matching all given filters. A request with no filter at all is
    refused with a 400 unless `all=true` is given, so that a missing filter never
    empties a tenant by accident.

    Args:
        query (str | Unset):
        level (list[LogLevel] | Unset):
        source (list[str] | Unset):
        tags (list[str] | Unset):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        filter_ (str | Unset):
        all_ (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeleteLogsResponse | ErrorResponse]
    """

    kwargs = _get_kwargs(
        query=query,
        level=level,
        source=source,
        tags=tags,
        from_=from_,
        to=to,
        filter_=filter_,
        all_=all_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    query: str | Unset = UNSET,
    level: list[LogLevel] | Unset = UNSET,
    source: list[str] | Unset = UNSET,
    tags: list[str] | Unset = UNSET,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    filter_: str | Unset = UNSET,
    all_: bool | Unset = False,
) -> DeleteLogsResponse | ErrorResponse | None:
    """Delete log entries by filter

     Deletes every entry matching all given filters. A request with no filter at all is
    refused with a 400 unless `all=true` is given, so that a missing filter never
    empties a tenant by accident.

    Args:
        query (str | Unset):
        level (list[LogLevel] | Unset):
        source (list[str] | Unset):
        tags (list[str] | Unset):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        filter_ (str | Unset):
        all_ (bool | Unset):  Default: False.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeleteLogsResponse | ErrorResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            query=query,
            level=level,
            source=source,
            tags=tags,
            from_=from_,
            to=to,
            filter_=filter_,
            all_=all_,
        )
    ).parsed
