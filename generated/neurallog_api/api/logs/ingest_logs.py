from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.ingest_request import IngestRequest
from ...models.ingest_response import IngestResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: IngestRequest,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/logs",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | IngestResponse | None:
    if response.status_code == 202:
        response_202 = IngestResponse.from_dict(response.json())

        return response_202

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
) -> Response[ErrorResponse | IngestResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: IngestRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorResponse | IngestResponse]:
    """Ingest log entries

     Stores 1 to 1000 entries. Each entry is validated on its own against `LogInput`:
    a bad entry is listed in `rejected` and never sinks its batch. An entry whose `id`
    is already stored for the tenant is ignored and counted in `duplicates`, which makes
    retries safe. The body (after gzip decoding) may be at most 5 MiB; a larger one is
    a 413.

    Args:
        idempotency_key (str | Unset):
        body (IngestRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | IngestResponse]
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
    body: IngestRequest,
    idempotency_key: str | Unset = UNSET,
) -> ErrorResponse | IngestResponse | None:
    """Ingest log entries

     Stores 1 to 1000 entries. Each entry is validated on its own against `LogInput`:
    a bad entry is listed in `rejected` and never sinks its batch. An entry whose `id`
    is already stored for the tenant is ignored and counted in `duplicates`, which makes
    retries safe. The body (after gzip decoding) may be at most 5 MiB; a larger one is
    a 413.

    Args:
        idempotency_key (str | Unset):
        body (IngestRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | IngestResponse
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: IngestRequest,
    idempotency_key: str | Unset = UNSET,
) -> Response[ErrorResponse | IngestResponse]:
    """Ingest log entries

     Stores 1 to 1000 entries. Each entry is validated on its own against `LogInput`:
    a bad entry is listed in `rejected` and never sinks its batch. An entry whose `id`
    is already stored for the tenant is ignored and counted in `duplicates`, which makes
    retries safe. The body (after gzip decoding) may be at most 5 MiB; a larger one is
    a 413.

    Args:
        idempotency_key (str | Unset):
        body (IngestRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | IngestResponse]
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
    body: IngestRequest,
    idempotency_key: str | Unset = UNSET,
) -> ErrorResponse | IngestResponse | None:
    """Ingest log entries

     Stores 1 to 1000 entries. Each entry is validated on its own against `LogInput`:
    a bad entry is listed in `rejected` and never sinks its batch. An entry whose `id`
    is already stored for the tenant is ignored and counted in `duplicates`, which makes
    retries safe. The body (after gzip decoding) may be at most 5 MiB; a larger one is
    a 413.

    Args:
        idempotency_key (str | Unset):
        body (IngestRequest):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | IngestResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
