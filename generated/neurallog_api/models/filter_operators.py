from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="FilterOperators")


@_attrs_define
class FilterOperators:
    """
    Attributes:
        eq (bool | float | None | str | Unset):
        ne (bool | float | None | str | Unset):
        gt (bool | float | None | str | Unset):
        gte (bool | float | None | str | Unset):
        lt (bool | float | None | str | Unset):
        lte (bool | float | None | str | Unset):
        contains (bool | float | None | str | Unset):
        in_ (list[bool | float | None | str] | Unset):
        exists (bool | Unset):
    """

    eq: bool | float | None | str | Unset = UNSET
    ne: bool | float | None | str | Unset = UNSET
    gt: bool | float | None | str | Unset = UNSET
    gte: bool | float | None | str | Unset = UNSET
    lt: bool | float | None | str | Unset = UNSET
    lte: bool | float | None | str | Unset = UNSET
    contains: bool | float | None | str | Unset = UNSET
    in_: list[bool | float | None | str] | Unset = UNSET
    exists: bool | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        eq: bool | float | None | str | Unset
        if isinstance(self.eq, Unset):
            eq = UNSET
        else:
            eq = self.eq

        ne: bool | float | None | str | Unset
        if isinstance(self.ne, Unset):
            ne = UNSET
        else:
            ne = self.ne

        gt: bool | float | None | str | Unset
        if isinstance(self.gt, Unset):
            gt = UNSET
        else:
            gt = self.gt

        gte: bool | float | None | str | Unset
        if isinstance(self.gte, Unset):
            gte = UNSET
        else:
            gte = self.gte

        lt: bool | float | None | str | Unset
        if isinstance(self.lt, Unset):
            lt = UNSET
        else:
            lt = self.lt

        lte: bool | float | None | str | Unset
        if isinstance(self.lte, Unset):
            lte = UNSET
        else:
            lte = self.lte

        contains: bool | float | None | str | Unset
        if isinstance(self.contains, Unset):
            contains = UNSET
        else:
            contains = self.contains

        in_: list[bool | float | None | str] | Unset = UNSET
        if not isinstance(self.in_, Unset):
            in_ = []
            for in_item_data in self.in_:
                in_item: bool | float | None | str
                in_item = in_item_data
                in_.append(in_item)

        exists = self.exists

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if eq is not UNSET:
            field_dict["eq"] = eq
        if ne is not UNSET:
            field_dict["ne"] = ne
        if gt is not UNSET:
            field_dict["gt"] = gt
        if gte is not UNSET:
            field_dict["gte"] = gte
        if lt is not UNSET:
            field_dict["lt"] = lt
        if lte is not UNSET:
            field_dict["lte"] = lte
        if contains is not UNSET:
            field_dict["contains"] = contains
        if in_ is not UNSET:
            field_dict["in"] = in_
        if exists is not UNSET:
            field_dict["exists"] = exists

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_eq(data: object) -> bool | float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | float | None | str | Unset, data)

        eq = _parse_eq(d.pop("eq", UNSET))

        def _parse_ne(data: object) -> bool | float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | float | None | str | Unset, data)

        ne = _parse_ne(d.pop("ne", UNSET))

        def _parse_gt(data: object) -> bool | float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | float | None | str | Unset, data)

        gt = _parse_gt(d.pop("gt", UNSET))

        def _parse_gte(data: object) -> bool | float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | float | None | str | Unset, data)

        gte = _parse_gte(d.pop("gte", UNSET))

        def _parse_lt(data: object) -> bool | float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | float | None | str | Unset, data)

        lt = _parse_lt(d.pop("lt", UNSET))

        def _parse_lte(data: object) -> bool | float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | float | None | str | Unset, data)

        lte = _parse_lte(d.pop("lte", UNSET))

        def _parse_contains(data: object) -> bool | float | None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | float | None | str | Unset, data)

        contains = _parse_contains(d.pop("contains", UNSET))

        _in_ = d.pop("in", UNSET)
        in_: list[bool | float | None | str] | Unset = UNSET
        if _in_ is not UNSET:
            in_ = []
            for in_item_data in _in_:

                def _parse_in_item(data: object) -> bool | float | None | str:
                    if data is None:
                        return data
                    return cast(bool | float | None | str, data)

                in_item = _parse_in_item(in_item_data)

                in_.append(in_item)

        exists = d.pop("exists", UNSET)

        filter_operators = cls(
            eq=eq,
            ne=ne,
            gt=gt,
            gte=gte,
            lt=lt,
            lte=lte,
            contains=contains,
            in_=in_,
            exists=exists,
        )

        return filter_operators
