from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.filter_operators import FilterOperators


T = TypeVar("T", bound="LogFilter")


@_attrs_define
class LogFilter:
    """The JSON object of the `filter` parameter: each key an entry field or a dotted
    metadata path; each value a scalar (equality), an array (any of) or an object of
    operators.

    """

    additional_properties: dict[
        str,
        bool | FilterOperators | float | list[bool | float | None | str] | None | str,
    ] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.filter_operators import FilterOperators

        field_dict: dict[str, Any] = {}
        for prop_name, prop in self.additional_properties.items():
            if isinstance(prop, list):
                field_dict[prop_name] = []
                for additional_property_type_1_item_data in prop:
                    additional_property_type_1_item: bool | float | None | str
                    additional_property_type_1_item = (
                        additional_property_type_1_item_data
                    )
                    field_dict[prop_name].append(additional_property_type_1_item)

            elif isinstance(prop, FilterOperators):
                field_dict[prop_name] = prop.to_dict()
            else:
                field_dict[prop_name] = prop

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.filter_operators import FilterOperators

        d = dict(src_dict)
        log_filter = cls()

        additional_properties = {}
        for prop_name, prop_dict in d.items():

            def _parse_additional_property(
                data: object,
            ) -> (
                bool
                | FilterOperators
                | float
                | list[bool | float | None | str]
                | None
                | str
            ):
                if data is None:
                    return data
                try:
                    if not isinstance(data, list):
                        raise TypeError()
                    additional_property_type_1 = []
                    _additional_property_type_1 = data
                    for (
                        additional_property_type_1_item_data
                    ) in _additional_property_type_1:

                        def _parse_additional_property_type_1_item(
                            data: object,
                        ) -> bool | float | None | str:
                            if data is None:
                                return data
                            return cast(bool | float | None | str, data)

                        additional_property_type_1_item = (
                            _parse_additional_property_type_1_item(
                                additional_property_type_1_item_data
                            )
                        )

                        additional_property_type_1.append(
                            additional_property_type_1_item
                        )

                    return additional_property_type_1
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                try:
                    if not isinstance(data, dict):
                        raise TypeError()
                    additional_property_type_2 = FilterOperators.from_dict(data)

                    return additional_property_type_2
                except (TypeError, ValueError, AttributeError, KeyError):
                    pass
                return cast(
                    bool
                    | FilterOperators
                    | float
                    | list[bool | float | None | str]
                    | None
                    | str,
                    data,
                )

            additional_property = _parse_additional_property(prop_dict)

            additional_properties[prop_name] = additional_property

        log_filter.additional_properties = additional_properties
        return log_filter

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(
        self, key: str
    ) -> bool | FilterOperators | float | list[bool | float | None | str] | None | str:
        return self.additional_properties[key]

    def __setitem__(
        self,
        key: str,
        value: bool
        | FilterOperators
        | float
        | list[bool | float | None | str]
        | None
        | str,
    ) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
