"""Fail unless every file named is a 64-bit (x86-64) Windows program: the lane's installer and bundle.

python tools/winlane/pe_machine.py FILE.exe...
"""

import struct
import sys

AMD64 = 0x8664


def machine(path: str) -> int:
    with open(path, "rb") as f:
        head = f.read(4096)
    if head[:2] != b"MZ":
        raise SystemExit(f"{path}: not a Windows program")
    offset = struct.unpack_from("<I", head, 0x3C)[0]
    if head[offset : offset + 4] != b"PE\0\0":
        raise SystemExit(f"{path}: no PE header")
    return struct.unpack_from("<H", head, offset + 4)[0]


for name in sys.argv[1:]:
    found = machine(name)
    if found != AMD64:
        raise SystemExit(f"{name}: machine 0x{found:04x}, not x86-64 (0x8664)")
    print(f"{name.rsplit('/', 1)[-1]}: 64-bit (x86-64)")
