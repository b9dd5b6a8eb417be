#!/usr/bin/env python3
"""Write a tiny, deterministic pure-Python wheel for upload tests.

    make_wheel.py OUT_DIR NAME VERSION [--salt TEXT]

Prints the wheel's path. Same arguments -> same bytes; a different --salt gives a wheel with
the same file name but different bytes (for "same name, different content" cases).
Standard library only.
"""
import argparse
import base64
import hashlib
import os
import re
import sys
import zipfile


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("name")
    ap.add_argument("version")
    ap.add_argument("--salt", default="")
    a = ap.parse_args()
    dist = re.sub(r"[-_.]+", "_", a.name).lower()
    dist_info = f"{dist}-{a.version}.dist-info"
    files = [
        (f"{dist}/__init__.py", f'__version__ = "{a.version}"\n# {a.salt}\n'.encode()),
        (f"{dist_info}/METADATA",
         f"Metadata-Version: 2.1\nName: {a.name}\nVersion: {a.version}\n"
         f"Summary: surestep test package\n\n".encode()),
        (f"{dist_info}/WHEEL",
         b"Wheel-Version: 1.0\nGenerator: surestep-make_wheel\nRoot-Is-Purelib: true\n"
         b"Tag: py3-none-any\n\n"),
    ]
    record = "".join(f"{n},{record_hash(d)},{len(d)}\n" for n, d in files)
    record += f"{dist_info}/RECORD,,\n"
    files.append((f"{dist_info}/RECORD", record.encode()))
    os.makedirs(a.out_dir, exist_ok=True)
    path = os.path.join(a.out_dir, f"{dist}-{a.version}-py3-none-any.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in files:
            zi = zipfile.ZipInfo(n, date_time=(2024, 1, 1, 0, 0, 0))
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, d)
    print(path)


if __name__ == "__main__":
    main()
