"""Fields and schemas: what a source record or a target contact can hold."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator

import attrs

__all__ = ["Field", "FieldType", "Schema"]


class FieldType(enum.Enum):
    """The type of a field's values, shared by every source and target."""

    TEXT = "text"  # free text on one line
    TEXTAREA = "textarea"  # free text, several lines
    EMAIL = "email"  # an email address
    PHONE = "phone"  # a phone number, kept as text
    URL = "url"  # a web address, kept as text
    INTEGER = "integer"  # a whole number
    DECIMAL = "decimal"  # a number with a fraction (money, percentages)
    DATE = "date"  # a calendar date
    DATETIME = "datetime"  # an instant, time-zone aware
    BOOLEAN = "boolean"  # true or false
    PICKLIST = "picklist"  # one value out of a fixed set, kept as text


@attrs.frozen
class Field:
    """One field of a schema.

    Args:
        name: the name records and contacts use for the field (for Zoho Campaigns, the
            display name that ``contactinfo`` takes).
        type: the type of its values.
        required: whether every record must carry a value for it.
        custom: whether the field is a user-defined (custom) field rather than a built-in.
        max_length: the most characters the field holds, when the target says (or its
            adapter knows); longer text is cut to it when mapped (see
            :mod:`fieldsync.domain.conversion`). ``None``: the domain's own cap applies.
    """

    name: str = attrs.field(validator=attrs.validators.min_len(1))
    type: FieldType = FieldType.TEXT
    required: bool = False
    custom: bool = False
    max_length: int | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.ge(1)),
        eq=False,  # a limit the target reports does not make it another field
    )


def _field_tuple(fields: Iterable[Field]) -> tuple[Field, ...]:
    return tuple(fields)


@attrs.frozen
class Schema:
    """The fields of a source or a target, with unique names, in a stable order.

    ``email_field`` names the field that identifies a contact; by default the first field
    of type :attr:`FieldType.EMAIL`.
    """

    fields: tuple[Field, ...] = attrs.field(converter=_field_tuple)
    email_field: str | None = attrs.field(default=None)
    _by_name: dict[str, Field] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        by_name: dict[str, Field] = {}
        for field in self.fields:
            if field.name in by_name:
                raise ValueError(f"field {field.name!r} appears twice in the schema")
            by_name[field.name] = field
        object.__setattr__(self, "_by_name", by_name)
        if self.email_field is None:
            email = next((f.name for f in self.fields if f.type is FieldType.EMAIL), None)
            object.__setattr__(self, "email_field", email)
        elif self.email_field not in by_name:
            raise ValueError(f"email field {self.email_field!r} is not in the schema")

    @classmethod
    def of(cls, *fields: Field, email_field: str | None = None) -> Schema:
        """Build a schema from fields: ``Schema.of(Field("email", FieldType.EMAIL), ...)``."""
        return cls(fields, email_field=email_field)

    def get(self, name: str) -> Field | None:
        """The field called ``name``, or ``None``."""
        return self._by_name.get(name)

    def with_fields(self, extra: Iterable[Field]) -> Schema:
        """A copy with ``extra`` fields added at the end (for fields about to be created)."""
        return Schema((*self.fields, *extra), email_field=self.email_field)

    @property
    def names(self) -> tuple[str, ...]:
        """The field names, in order."""
        return tuple(f.name for f in self.fields)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)
