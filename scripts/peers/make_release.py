#!/usr/bin/env python3
"""Write a tiny, deterministic binary-looking release (wheels for a matrix, and an sdist).

    make_release.py OUT_DIR NAME VERSION --python cp310,cp311 \
        --platform manylinux2014_x86_64.manylinux_2_17_x86_64,musllinux_1_2_x86_64 \
        [--sdist] [--requires-python '>=3.11'] [--skip FILENAME_SUBSTRING ...]

One wheel per (python, platform): `{name}-{version}-{py}-{py}-{platform}.whl`, each a valid
wheel (METADATA, WHEEL with its expanded tags, RECORD with sha256 of every member) that
`surestep verify-wheels` and PyPI's rules accept. `--sdist` adds `{name}-{version}.tar.gz`
with `PKG-INFO`. `--skip` leaves out the wheels whose file name contains the text (a lost
matrix job). Prints one path per line. Same arguments -> same bytes. Standard library only.
"""
import argparse
import base64
import gzip
import hashlib
import io
import os
import re
import sys
import tarfile
import zipfile

EPOCH = (2024, 1, 1, 0, 0, 0)


def record_hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def metadata(name, version, requires_python):
    text = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: surestep release fixture\n"
    if requires_python:
        text += f"Requires-Python: {requires_python}\n"
    return (text + "\n").encode()


def write_wheel(out_dir, name, version, py, platform, requires_python):
    dist = re.sub(r"[-_.]+", "_", name).lower()
    dist_info = f"{dist}-{version}.dist-info"
    tags = "".join(f"Tag: {py}-{py}-{p}\n" for p in platform.split("."))
    files = [
        (f"{dist}/__init__.py", f'__version__ = "{version}"\n'.encode()),
        (f"{dist}/_native.py", f"# stands in for the {py} {platform} extension\n".encode()),
        (f"{dist_info}/METADATA", metadata(name, version, requires_python)),
        (f"{dist_info}/WHEEL",
         f"Wheel-Version: 1.0\nGenerator: surestep-make_release\nRoot-Is-Purelib: false\n{tags}\n".encode()),
    ]
    record = "".join(f"{n},{record_hash(d)},{len(d)}\n" for n, d in files)
    record += f"{dist_info}/RECORD,,\n"
    files.append((f"{dist_info}/RECORD", record.encode()))
    path = os.path.join(out_dir, f"{dist}-{version}-{py}-{py}-{platform}.whl")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, d in files:
            zi = zipfile.ZipInfo(n, date_time=EPOCH)
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, d)
    return path


def write_sdist(out_dir, name, version, requires_python):
    dist = re.sub(r"[-_.]+", "_", name).lower()
    top = f"{dist}-{version}"
    members = [
        (f"{top}/PKG-INFO", metadata(name, version, requires_python)),
        (f"{top}/pyproject.toml", f'[project]\nname = "{name}"\nversion = "{version}"\n'.encode()),
        (f"{top}/{dist}/__init__.py", f'__version__ = "{version}"\n'.encode()),
    ]
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for n, d in members:
            info = tarfile.TarInfo(n)
            info.size, info.mtime, info.mode = len(d), 1704067200, 0o644
            tar.addfile(info, io.BytesIO(d))
    path = os.path.join(out_dir, f"{top}.tar.gz")
    with open(path, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", mtime=0, filename="") as gz:
            gz.write(raw.getvalue())
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("name")
    ap.add_argument("version")
    ap.add_argument("--python", required=True)
    ap.add_argument("--platform", required=True)
    ap.add_argument("--sdist", action="store_true")
    ap.add_argument("--requires-python", default="")
    ap.add_argument("--skip", action="append", default=[])
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    paths = []
    for py in a.python.split(","):
        for platform in a.platform.split(","):
            dist = re.sub(r"[-_.]+", "_", a.name).lower()
            filename = f"{dist}-{a.version}-{py}-{py}-{platform}.whl"
            if any(s in filename for s in a.skip):
                continue
            paths.append(write_wheel(a.out_dir, a.name, a.version, py, platform, a.requires_python))
    if a.sdist:
        paths.append(write_sdist(a.out_dir, a.name, a.version, a.requires_python))
    print("\n".join(paths))


if __name__ == "__main__":
    sys.exit(main())
