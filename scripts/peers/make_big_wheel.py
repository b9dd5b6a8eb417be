#!/usr/bin/env python3
"""Write a large, valid, deterministic wheel for streaming tests and the RSS benchmark.

    make_big_wheel.py OUT_DIR NAME VERSION SIZE_MB

The wheel holds one stored (uncompressed) data file of SIZE_MB mebibytes of seeded
pseudo-random bytes, plus METADATA, WHEEL and a RECORD with real hashes. It is written in
1 MiB pieces, so memory stays small whatever the size. Prints the wheel's path.
Standard library only.
"""
import base64
import hashlib
import os
import random
import re
import sys
import zipfile


def record_hash(h) -> str:
    return "sha256=" + base64.urlsafe_b64encode(h.digest()).rstrip(b"=").decode()


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    out_dir, name, version, size_mb = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    dist = re.sub(r"[-_.]+", "_", name).lower()
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, f"{dist}-{version}-py3-none-any.whl")
    info = f"{dist}-{version}.dist-info"
    rng = random.Random(f"{name}-{version}-{size_mb}")
    records = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as z:
        init = f"# {name} {version}\n".encode()
        z.writestr(f"{dist}/__init__.py", init)
        records.append((f"{dist}/__init__.py", record_hash(hashlib.sha256(init)), len(init)))
        data_name = f"{dist}/blob.bin"
        h = hashlib.sha256()
        total = size_mb << 20
        with z.open(data_name, "w", force_zip64=True) as f:
            left = total
            while left > 0:
                piece = rng.randbytes(min(left, 1 << 20))
                h.update(piece)
                f.write(piece)
                left -= len(piece)
        records.append((data_name, record_hash(h), total))
        metadata = (
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
            f"Summary: a {size_mb} MiB test wheel\n"
        ).encode()
        wheel = b"Wheel-Version: 1.0\nGenerator: make_big_wheel.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        for fname, data in ((f"{info}/METADATA", metadata), (f"{info}/WHEEL", wheel)):
            z.writestr(fname, data)
            records.append((fname, record_hash(hashlib.sha256(data)), len(data)))
        record = "".join(f"{p},{hsh},{n}\n" for p, hsh, n in records) + f"{info}/RECORD,,\n"
        z.writestr(f"{info}/RECORD", record)
    print(path)


if __name__ == "__main__":
    main()
