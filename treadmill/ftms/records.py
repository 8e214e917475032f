"""Two record shapes that several characteristics share.

* :class:`FixedRecord`: a fixed sequence of fields (Feature 0x2ACC, the range
  characteristics 0x2AD4 / 0x2AD5).
* :class:`OpCodeMessage`: a uint8 op code followed by a parameter whose layout depends
  on the op code (Control Point requests 0x2AD9, Fitness Machine Status 0x2ADA).

Both decode tolerantly: the fields that fit are kept, the rest are named in
:class:`~treadmill.ftms.fields.Diagnostics`, extra bytes are counted.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import ClassVar, Self

from treadmill.errors import FrameError
from treadmill.ftms.fields import (
    NO_DIAGNOSTICS,
    Diagnostics,
    Field,
    Value,
    enum_name,
    read_fields,
    write_fields,
)

__all__ = ["FixedRecord", "OpCodeMessage"]


def _diagnostics(truncated: tuple[str, ...], trailing: int) -> Diagnostics:
    return Diagnostics(truncated, trailing) if (truncated or trailing) else NO_DIAGNOSTICS


class FixedRecord:
    """Mixin for frozen dataclasses whose wire form is ``FIELDS`` in order.

    The dataclass declares one attribute per field (same names) and ``diagnostics``.
    """

    __slots__ = ()
    CHAR: ClassVar[str]
    FIELDS: ClassVar[tuple[Field, ...]]
    diagnostics: Diagnostics

    @classmethod
    def from_bytes(cls, data: bytes) -> Self:
        """Decode; raise :class:`FrameError` when not even the first field fits."""
        values, offset, cut = read_fields(cls.FIELDS, data, 0)
        if not values:
            raise FrameError(cls.CHAR, f"too short ({len(data)} bytes) for {cls.FIELDS[0].name}", len(data))
        trailing = 0 if cut else len(data) - offset
        return cls(**values, diagnostics=_diagnostics(cut, trailing))  # type: ignore[call-arg]

    def __bytes__(self) -> bytes:
        """Encode every field; fields the decoder found cut off are left out again."""
        fields = tuple(f for f in self.FIELDS if f.name not in self.diagnostics.truncated)
        return write_fields(fields, {f.name: getattr(self, f.name) for f in fields})

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (docs/formats.md)."""
        out: dict[str, object] = {f.name: getattr(self, f.name) for f in self.FIELDS}
        diagnostics: Diagnostics = self.diagnostics
        if diagnostics:
            out["diagnostics"] = diagnostics.to_dict()
        return out


class OpCodeMessage:
    """Mixin for op-code messages: ``op_code``, ``parameters``, ``raw_parameter``, ``diagnostics``.

    ``parameters`` holds ``(name, value)`` pairs in wire order, as ``PARAMETERS[op_code]``
    lays them out. An op code the table does not know keeps its parameter bytes in
    ``raw_parameter`` so that nothing is lost and it encodes back unchanged.
    """

    __slots__ = ()
    CHAR: ClassVar[str]
    OP_CODES: ClassVar[type[enum.IntEnum]]
    OP_KEY: ClassVar[str]
    PARAMETERS: ClassVar[Mapping[int, tuple[Field, ...]]]
    LABELS: ClassVar[Mapping[str, type[enum.IntEnum]]]

    op_code: int
    parameters: tuple[tuple[str, Value], ...]
    raw_parameter: bytes
    diagnostics: Diagnostics

    @classmethod
    def from_bytes(cls, data: bytes) -> Self:
        """Decode; raise :class:`FrameError` only for an empty payload."""
        if not data:
            raise FrameError(cls.CHAR, "empty payload, no op code", 0)
        op_code = data[0]
        fields = cls.PARAMETERS.get(op_code)
        if fields is None:
            return cls(op_code, (), bytes(data[1:]))  # type: ignore[call-arg]
        values, offset, cut = read_fields(fields, data, 1)
        trailing = 0 if cut else len(data) - offset
        return cls(op_code, tuple(values.items()), b"", _diagnostics(cut, trailing))  # type: ignore[call-arg]

    def __bytes__(self) -> bytes:
        """Encode the op code and its parameter."""
        fields = self.PARAMETERS.get(self.op_code)
        if fields is None:
            return bytes((self.op_code,)) + self.raw_parameter
        values = dict(self.parameters)
        present = tuple(f for f in fields if f.name in values)
        return bytes((self.op_code,)) + write_fields(present, values)

    def parameter(self, name: str) -> Value:
        """The value of one parameter, or None when the message has no such parameter."""
        return dict(self.parameters).get(name)

    @property
    def op_name(self) -> str:
        """snake_case name of the op code (``unknown_<n>`` for reserved values)."""
        return enum_name(self.OP_CODES, self.op_code)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (docs/formats.md); labelled parameters become names."""
        out: dict[str, object] = {"op_code": self.op_code, self.OP_KEY: self.op_name}
        for name, value in self.parameters:
            labels = self.LABELS.get(name)
            out[name] = enum_name(labels, value) if labels and isinstance(value, int) else value
        if self.raw_parameter:
            out["parameter_hex"] = self.raw_parameter.hex()
        if self.diagnostics:
            out["diagnostics"] = self.diagnostics.to_dict()
        return out
