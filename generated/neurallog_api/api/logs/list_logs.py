import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.log_level import LogLevel
from ...models.log_list_response import LogListResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    level: list[LogLevel] | Unset = UNSET,
    source: list[str] | Unset = UNSET,
    tags: list[str] | Unset = UNSET,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    filter_: str | Unset = UNSET,
    sort: str | Unset = UNSET,
    fields: str | Unset = UNSET,
    limit: int | Unset = 10,
    offset: int | Unset = 0,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

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

    params["sort"] = sort

    params["fields"] = fields

    params["limit"] = limit

    params["offset"] = offset

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/logs",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | LogListResponse | None:
    if response.status_code == 200:
        response_200 = LogListResponse.from_dict(response.json())

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
) -> Response[ErrorResponse | LogListResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    level: list[LogLevel] | Unset = UNSET,
    source: list[str] | Unset = UNSET,
    tags: list[str] | Unset = UNSET,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    filter_: str | Unset = UNSET,
    sort: str | Unset = UNSET,
    fields: str | Unset = UNSET,
    limit: int | Unset = 10,
    offset: int | Unset = 0,
) -> Response[ErrorResponse | LogListResponse]:
    """List log entries

     Entries matching every given filter, newest first unless `sort` says otherwise.

    Args:
        level (list[LogLevel] | Unset):
        source (list[str] | Unset):
        tags (list[str] | Unset):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        filter_ (str | Unset):
        sort (str | Unset):
        fields (str | Unset):
        limit (int | Unset):  Default: 10.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | LogListResponse]
    """

    kwargs = _get_kwargs(
        level=level,
        source=source,
        tags=tags,
        from_=from_,
        to=to,
        filter_=filter_,
        sort=sort,
        fields=fields,
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
    level: list[LogLevel] | Unset = UNSET,
    source: list[str] | Unset = UNSET,
    tags: list[str] | Unset = UNSET,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    filter_: str | Unset = UNSET,
    sort: str | Unset = UNSET,
    fields: str | Unset = UNSET,
    limit: int | Unset = 10,
    offset: int | Unset = 0,
) -> ErrorResponse | LogListResponse | None:
    """List log entries

     Entries matching every given filter, newest first unless `sort` says otherwise.

    Args:
        level (list[LogLevel] | Unset):
        source (list[str] | Unset):
        tags (list[str] | Unset):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        filter_ (str | Unset):
        sort (str | Unset):
        fields (str | Unset):
        limit (int | Unset):  Default: 10.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | LogListResponse
    """

    return sync_detailed(
        client=client,
        level=level,
        source=source,
        tags=tags,
        from_=from_,
        to=to,
        filter_=filter_,
        sort=sort,
        fields=fields,
        limit=limit,
        offset=offset,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    level: list[LogLevel] | Unset = UNSET,
    source: list[str] | Unset = UNSET,
    tags: list[str] | Unset = UNSET,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    filter_: str | Unset = UNSET,
    sort: str | Unset = UNSET,
    fields: str | Unset = UNSET,
    limit: int | Unset = 10,
    offset: int | Unset = 0,
) -> Response[ErrorResponse | LogListResponse]:
    """List log entries

     Entries matching every given filter, newest first unless `sort` says otherwise.

    Args:
        level (list[LogLevel] | Unset):
        source (list[str] | Unset):
        tags (list[str] | Unset):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        filter_ (str | Unset):
        sort (str | Unset):
        fields (str | Unset):
        limit (int | Unset):  Default: 10.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | LogListResponse]
    """

    kwargs = _get_kwargs(
        level=level,
        source=source,
        tags=tags,
        from_=from_,
        to=to,
        filter_=filter_,
        sort=sort,
        fields=fields,
        limit=limit,
        offset=offset,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    level: list[LogLevel] | Unset = UNSET,
    source: list[str] | Unset = UNSET,
    tags: list[str] | Unset = UNSET,
    from_: datetime.datetime | Unset = UNSET,
    to: datetime.datetime | Unset = UNSET,
    filter_: str | Unset = UNSET,
    sort: str | Unset = UNSET,
    fields: str | Unset = UNSET,
    limit: int | Unset = 10,
    offset: int | Unset = 0,
) -> ErrorResponse | LogListResponse | None:
    """List log entries

     Entries matching every given filter, newest first unless `sort` says otherwise.

    Args:
        level (list[LogLevel] | Unset):
        source (list[str] | Unset):
        tags (list[str] | Unset):
        from_ (datetime.datetime | Unset):
        to (datetime.datetime | Unset):
        filter_ (str | Unset):
        sort (str | Unset):
        fields (str | Unset):
        limit (int | Unset):  Default: 10.
        offset (int | Unset):  Default: 0.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | LogListResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            level=level,
            source=source,
            tags=tags,
            from_=from_,
            to=to,
            filter_=filter_,
            sort=sort,
            fields=fields,
            limit=limit,
            offset=offset,
        )
    ).parsed
