"""Read TFRecord files without TensorFlow: the framing and its masked CRC-32C checks.

A TFRecord file is a sequence of records, each::

    uint64 length (little endian) | uint32 masked_crc32c(length bytes) |
    length bytes of data          | uint32 masked_crc32c(data)

with ``masked(c) = ((c >> 15) | (c << 17)) + 0xa282ead8`` (mod 2**32), as TensorFlow's
``tensorflow/core/lib/io/record_writer.cc`` writes them. Only uncompressed files are read (the
Waymo Open Dataset ships them so).
"""
import functools
import math
import struct
from typing import BinaryIO, Iterator, List

import numpy as np

_POLY = 0x82F63B78  # CRC-32C (Castagnoli), reflected
_MASK_DELTA = 0xA282EAD8


def _make_table() -> List[int]:
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ _POLY if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _make_table()
_TABLE_NP = np.array(_TABLE, dtype=np.uint32)


def _crc32c_bytewise(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc = _TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


@functools.lru_cache(maxsize=64)
def _shift_tables(num_bytes: int) -> tuple:
    """The (linear) map "feed ``num_bytes`` zero bytes" on the register, as 4 byte tables."""
    cols = []
    for bit in range(32):
        c = 1 << bit
        for _ in range(num_bytes):
            c = _TABLE[c & 0xFF] ^ (c >> 8)
        cols.append(c)
    tables = []
    for byte in range(4):
        tab = [0] * 256
        for v in range(1, 256):
            low = v & -v
            tab[v] = tab[v ^ low] ^ cols[8 * byte + low.bit_length() - 1]
        tables.append(tab)
    return tuple(tables)


def crc32c(data: bytes) -> int:
    """CRC-32C of ``data`` (``crc32c(b'123456789') == 0xE3069283``).

    Pure Python runs at ~5 MB/s, too slow for Waymo's ~1 TB, so long inputs are cut into
    equal blocks whose CRCs numpy computes side by side (~150 MB/s); the block CRCs are then
    joined with the zero-feed map, which is linear because the CRC register is.
    """
    n = len(data)
    if n < 4096:
        return _crc32c_bytewise(data)
    block = max(64, int(math.sqrt(n / 16)))
    count = -(-n // block)
    buf = np.zeros(count * block, np.uint8)
    start = count * block - n
    buf[start:] = np.frombuffer(data, np.uint8)
    # Leading zeros leave a zero register unchanged; the initial 0xFFFFFFFF equals flipping
    # the first 4 message bytes of a zero-initialised register.
    buf[start:start + 4] ^= 0xFF
    blocks = buf.reshape(count, block)
    regs = np.zeros(count, np.uint32)
    for j in range(block):
        regs = _TABLE_NP[(regs ^ blocks[:, j]) & 0xFF] ^ (regs >> 8)
    t0, t1, t2, t3 = _shift_tables(block)
    crc = 0
    for reg in regs.tolist():
        crc = t0[crc & 0xFF] ^ t1[(crc >> 8) & 0xFF] ^ t2[(crc >> 16) & 0xFF] ^ t3[crc >> 24] ^ reg
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masked CRC-32C."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + _MASK_DELTA) & 0xFFFFFFFF


def read_tfrecord(path: str, check_crc: bool = True) -> Iterator[bytes]:
    """Yield the records of an uncompressed TFRecord file.

    Args:
        path (str): The file.
        check_crc (bool): Check each record's data CRC (the length CRC is always checked).

    Yields:
        bytes: One record's data.

    Raises:
        ValueError: A truncated record or a CRC mismatch, naming the file, the record index and
            its byte offset.
    """
    with open(path, 'rb') as f:
        yield from _records(f, path, check_crc)


def _records(f: BinaryIO, path: str, check_crc: bool) -> Iterator[bytes]:
    index = 0
    while True:
        offset = f.tell()
        header = f.read(12)
        if not header:
            return
        where = f'{path}: record {index} at byte {offset}'
        if len(header) < 12:
            raise ValueError(f'{where}: truncated header ({len(header)} of 12 bytes); '
                             'not an uncompressed TFRecord file?')
        length_bytes, length_crc = header[:8], struct.unpack('<I', header[8:])[0]
        if masked_crc32c(length_bytes) != length_crc:
            raise ValueError(f'{where}: length CRC mismatch; not an uncompressed TFRecord '
                             'file (a gzip one must be unpacked first), or a corrupt one')
        length = struct.unpack('<Q', length_bytes)[0]
        data = f.read(length)
        footer = f.read(4)
        if len(data) < length or len(footer) < 4:
            raise ValueError(f'{where}: truncated record (expected {length} data bytes)')
        if check_crc and masked_crc32c(data) != struct.unpack('<I', footer)[0]:
            raise ValueError(f'{where}: data CRC mismatch (corrupt file)')
        yield data
        index += 1
