from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.log_level import LogLevel
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    query: str | Unset = UNSET,
    level: list[LogLevel] | Unset = UNSET,
    source: list[str] | Unset = UNSET,
    tags: list[str] | Unset = UNSET,
    filter_: str | Unset = UNSET,
    follow: bool | Unset = True,
    history: int | Unset = 10,
    last_event_id: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(last_event_id, Unset):
        headers["Last-Event-ID"] = last_event_id

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

    params["filter"] = filter_

    params["follow"] = follow

    params["history"] = history

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/logs/stream",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | str | None:
    if response.status_code == 200:
        response_200 = response.text
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
) -> Response[ErrorResponse | str]:
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
    filter_: str | Unset = UNSET,
    follow: bool | Unset = True,
    history: int | Unset = 10,
    last_event_id: str | Unset = UNSET,
) -> Response[ErrorResponse | str]:
    """Live tail over Server-Sent Events

     Answers `text/event-stream`. First the newest `history` matching entries are
    replayed oldest first, then, with `follow=true`, every matching entry ingested
    later is sent as it arrives (within a second).

    Events:

    * `log`: `data` is a `LogEntry` as JSON; the event's `id` is an opaque resume cursor.
    * `heartbeat`: with `follow=true`, once as soon as the stream opens (after the
      history, before following), then every 15 seconds; `data` is
      `{"timestamp": "<RFC 3339>"}`. Its `id` is the stream's current resume cursor: the
      position after which the next entry of this stream will come (that of the last
      entry sent or, before any, the position at which following began).
    * `end`: with `follow=false`, after the history; `data` is `{"count": <entries sent>}`.
      The server then closes the stream.

    A client that reconnects with `Last-Event-ID` set to the last event id it received
    (of a `log` or a `heartbeat` event) gets every matching entry stored after that
    position, with nothing missed or repeated; the history is not replayed again.

    Args:
        query (str | Unset):
        level (list[LogLevel] | Unset):
        source (list[str] | Unset):
        tags (list[str] | Unset):
        filter_ (str | Unset):
        follow (bool | Unset):  Default: True.
        history (int | Unset):  Default: 10.
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | str]
    """

    kwargs = _get_kwargs(
        query=query,
        level=level,
        source=source,
        tags=tags,
        filter_=filter_,
        follow=follow,
        history=history,
        last_event_id=last_event_id,
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
    filter_: str | Unset = UNSET,
    follow: bool | Unset = True,
    history: int | Unset = 10,
    last_event_id: str | Unset = UNSET,
) -> ErrorResponse | str | None:
    """Live tail over Server-Sent Events

     Answers `text/event-stream`. First the newest `history` matching entries are
    replayed oldest first, then, with `follow=true`, every matching entry ingested
    later is sent as it arrives (within a second).

    Events:

    * `log`: `data` is a `LogEntry` as JSON; the event's `id` is an opaque resume cursor.
    * `heartbeat`: with `follow=true`, once as soon as the stream opens (after the
      history, before following), then every 15 seconds; `data` is
      `{"timestamp": "<RFC 3339>"}`. Its `id` is the stream's current resume cursor: the
      position after which the next entry of this stream will come (that of the last
      entry sent or, before any, the position at which following began).
    * `end`: with `follow=false`, after the history; `data` is `{"count": <entries sent>}`.
      The server then closes the stream.

    A client that reconnects with `Last-Event-ID` set to the last event id it received
    (of a `log` or a `heartbeat` event) gets every matching entry stored after that
    position, with nothing missed or repeated; the history is not replayed again.

    Args:
        query (str | Unset):
        level (list[LogLevel] | Unset):
        source (list[str] | Unset):
        tags (list[str] | Unset):
        filter_ (str | Unset):
        follow (bool | Unset):  Default: True.
        history (int | Unset):  Default: 10.
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | str
    """

    return sync_detailed(
        client=client,
        query=query,
        level=level,
        source=source,
        tags=tags,
        filter_=filter_,
        follow=follow,
        history=history,
        last_event_id=last_event_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    query: str | Unset = UNSET,
    level: list[LogLevel] | Unset = UNSET,
    source: list[str] | Unset = UNSET,
    tags: list[str] | Unset = UNSET,
    filter_: str | Unset = UNSET,
    follow: bool | Unset = True,
    history: int | Unset = 10,
    last_event_id: str | Unset = UNSET,
) -> Response[ErrorResponse | str]:
    """Live tail over Server-Sent Events

     Answers `text/event-stream`. First the newest `history` matching entries are
    replayed oldest first, then, with `follow=true`, every matching entry ingested
    later is sent as it arrives (within a second).

    Events:

    * `log`: `data` is a `LogEntry` as JSON; the event's `id` is an opaque resume cursor.
    * `heartbeat`: with `follow=true`, once as soon as the stream opens (after the
      history, before following), then every 15 seconds; `data` is
      `{"timestamp": "<RFC 3339>"}`. Its `id` is the stream's current resume cursor: the
      position after which the next entry of this stream will come (that of the last
      entry sent or, before any, the position at which following began).
    * `end`: with `follow=false`, after the history; `data` is `{"count": <entries sent>}`.
      The server then closes the stream.

    A client that reconnects with `Last-Event-ID` set to the last event id it received
    (of a `log` or a `heartbeat` event) gets every matching entry stored after that
    position, with nothing missed or repeated; the history is not replayed again.

    Args:
        query (str | Unset):
        level (list[LogLevel] | Unset):
        source (list[str] | Unset):
        tags (list[str] | Unset):
        filter_ (str | Unset):
        follow (bool | Unset):  Default: True.
        history (int | Unset):  Default: 10.
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | str]
    """

    kwargs = _get_kwargs(
        query=query,
        level=level,
        source=source,
        tags=tags,
        filter_=filter_,
        follow=follow,
        history=history,
        last_event_id=last_event_id,
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
    filter_: str | Unset = UNSET,
    follow: bool | Unset = True,
    history: int | Unset = 10,
    last_event_id: str | Unset = UNSET,
) -> ErrorResponse | str | None:
    """Live tail over Server-Sent Events

     Answers `text/event-stream`. First the newest `history` matching entries are
    replayed oldest first, then, with `follow=true`, every matching entry ingested
    later is sent as it arrives (within a second).

    Events:

    * `log`: `data` is a `LogEntry` as JSON; the event's `id` is an opaque resume cursor.
    * `heartbeat`: with `follow=true`, once as soon as the stream opens (after the
      history, before following), then every 15 seconds; `data` is
      `{"timestamp": "<RFC 3339>"}`. Its `id` is the stream's current resume cursor: the
      position after which the next entry of this stream will come (that of the last
      entry sent or, before any, the position at which following began).
    * `end`: with `follow=false`, after the history; `data` is `{"count": <entries sent>}`.
      The server then closes the stream.

    A client that reconnects with `Last-Event-ID` set to the last event id it received
    (of a `log` or a `heartbeat` event) gets every matching entry stored after that
    position, with nothing missed or repeated; the history is not replayed again.

    Args:
        query (str | Unset):
        level (list[LogLevel] | Unset):
        source (list[str] | Unset):
        tags (list[str] | Unset):
        filter_ (str | Unset):
        follow (bool | Unset):  Default: True.
        history (int | Unset):  Default: 10.
        last_event_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | str
    """

    return (
        await asyncio_detailed(
            client=client,
            query=query,
            level=level,
            source=source,
            tags=tags,
            filter_=filter_,
            follow=follow,
            history=history,
            last_event_id=last_event_id,
        )
    ).parsed
