#!/usr/bin/python3
"""Writes the damaged and extreme inputs of sweep-input-errors.test and
sweep-connectome-bombs.test into the given folder.

The .npy headers are written by hand: numpy refuses to write the shapes that
matter here (products past 2^64). Every array is meant for montbrio (2
states) on builtin:4.
"""
import bz2
import struct
import sys
import zipfile

import numpy as np

out = sys.argv[1]


def npy(name, shape, data=b"", header_pad=0):
    """A version 1 (or, for long headers, 2) float64 .npy file whose header
    claims `shape` whatever `data` holds."""
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (%s), }" % (
        ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else ""))
    header = header.encode() + b" " * header_pad + b"\n"
    if len(header) < 65536:
        prefix = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header))
    else:
        prefix = b"\x93NUMPY\x02\x00" + struct.pack("<I", len(header))
    with open(f"{out}/{name}", "wb") as f:
        f.write(prefix + header + data)


row = np.zeros((2, 4)).tobytes()  # one history row: 64 bytes
# T x 2 x 4 x 8 bytes wraps to 0 and to 64 bytes: the old reader took the
# first for an empty history and the second for one row, then indexed T rows.
npy("wrap-zero.npy", (2**61, 2, 4))
npy("wrap-row.npy", (2**61 + 1, 2, 4), row)
# A product past 2^64 that does not wrap to the file's size.
npy("overflow.npy", (2**40, 2**40, 2, 4), row)
# A dimension past 2^64.
npy("huge-dim.npy", (10**30, 2, 4), row)
# A header longer than numpy itself reads.
npy("long-header.npy", (2, 4), row, header_pad=20000)

initial = np.zeros((2, 4))
initial[1, 3] = np.nan
np.save(f"{out}/nan-initial.npy", initial)
history = np.zeros((3, 2, 4), dtype=np.float32)
history[1, 0, 2] = np.inf
np.save(f"{out}/inf-history.npy", history)
fc = np.eye(4)
fc[0, 2] = np.nan
np.save(f"{out}/nan-fc.npy", fc)
fcd = np.linspace(0, 1, 10)
fcd[5] = -np.inf
np.save(f"{out}/inf-fcd.npy", fcd)

# Connectome zips whose weights decompress past sweep.bin's 256 MiB limit:
# a bzip2 member (a few hundred bytes) and a deflated one (about 300 KB).
bomb = b"0" * (1 << 24)
squeeze = bz2.BZ2Compressor(9)
packed = b"".join(squeeze.compress(bomb) for _ in range(17)) + squeeze.flush()
with zipfile.ZipFile(f"{out}/bzip2-bomb.zip", "w") as z:
    z.writestr("weights.txt.bz2", packed, zipfile.ZIP_STORED)
    z.writestr("tract_lengths.txt", "0\n")
with zipfile.ZipFile(f"{out}/zip-bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("weights.txt", "w", force_zip64=True) as member:
        for _ in range(17):
            member.write(bomb)
    z.writestr("tract_lengths.txt", "0\n")
