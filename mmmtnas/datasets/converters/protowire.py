"""A minimal protocol-buffers wire-format reader (no ``protobuf`` package needed).

Enough to pull a few fields out of a serialised message: :func:`iter_fields` walks one
message level; nested messages are length-delimited fields, read again with it. Wire types
(protobuf encoding spec): 0 varint, 1 64-bit, 2 length-delimited, 5 32-bit; the deprecated
groups (3, 4) are refused.
"""
import struct
from typing import Iterator, Tuple, Union

VARINT, I64, LEN, I32 = 0, 1, 2, 5

Value = Union[int, memoryview]


class WireFormatError(ValueError):
    """The bytes are not a well-formed protobuf message."""


def read_varint(buf: memoryview, pos: int) -> Tuple[int, int]:
    """Decode the varint at ``buf[pos:]``; return ``(value, next position)``."""
    value = shift = 0
    while True:
        if pos >= len(buf):
            raise WireFormatError('truncated varint')
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift >= 70:
            raise WireFormatError('varint longer than 10 bytes')


def iter_fields(data: Union[bytes, memoryview]) -> Iterator[Tuple[int, int, Value]]:
    """Yield ``(field number, wire type, value)`` for each field of one message level.

    ``value`` is an ``int`` for varints, else a ``memoryview`` of the field's bytes (8 for
    64-bit, 4 for 32-bit, the payload for length-delimited fields).
    """
    buf = memoryview(data)
    pos, end = 0, len(buf)
    while pos < end:
        key, pos = read_varint(buf, pos)
        field, wire = key >> 3, key & 7
        if field == 0:
            raise WireFormatError('field number 0')
        if wire == VARINT:
            value, pos = read_varint(buf, pos)
        elif wire == LEN:
            size, pos = read_varint(buf, pos)
            value, pos = buf[pos:pos + size], pos + size
        elif wire in (I64, I32):
            size = 8 if wire == I64 else 4
            value, pos = buf[pos:pos + size], pos + size
        else:
            raise WireFormatError(f'field {field}: unsupported wire type {wire}')
        if pos > end:
            raise WireFormatError(f'field {field}: truncated (wire type {wire})')
        yield field, wire, value


def as_double(value: Value) -> float:
    """A ``double`` field's value (wire type 1)."""
    return struct.unpack('<d', value)[0]


def as_str(value: Value) -> str:
    """A ``string`` field's value (wire type 2)."""
    return bytes(value).decode('utf-8')
