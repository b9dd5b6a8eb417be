#!/usr/bin/env python3
"""The standalone binaries of a GitHub release, taken from the wheels it published.

    python3 scripts/release-binaries.py DIST OUT

For every surestep wheel in DIST, writes OUT/surestep-<target>.tar.gz (a .zip for Windows)
holding surestep-<target>/surestep[.exe] plus the licenses and README: the names
Cargo.toml's [package.metadata.binstall] points at. Exit 1 when a wheel's platform has no
known target or two wheels map to the same target; 2 on bad arguments.
"""

import io
import os
import re
import sys
import tarfile
import zipfile

# Wheel platform tag (one of a compressed set) -> Rust target triple.
TARGETS = [
    (r"^manylinux.*_x86_64$", "x86_64-unknown-linux-gnu"),
    (r"^manylinux.*_aarch64$", "aarch64-unknown-linux-gnu"),
    (r"^musllinux.*_x86_64$", "x86_64-unknown-linux-musl"),
    (r"^musllinux.*_aarch64$", "aarch64-unknown-linux-musl"),
    (r"^macosx_.*_x86_64$", "x86_64-apple-darwin"),
    (r"^macosx_.*_arm64$", "aarch64-apple-darwin"),
    (r"^win_amd64$", "x86_64-pc-windows-msvc"),
]
EXTRA = ["LICENSE-MIT", "LICENSE-APACHE", "README.md"]


def target_of(wheel_name):
    platforms = wheel_name[: -len(".whl")].split("-")[-1].split(".")
    found = {t for p in platforms for rx, t in TARGETS if re.match(rx, p)}
    if len(found) != 1:
        sys.exit(f"release-binaries: {wheel_name}: no single target for platforms {platforms}")
    return found.pop()


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    dist, out = argv[1], argv[2]
    os.makedirs(out, exist_ok=True)
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    wheels = sorted(n for n in os.listdir(dist) if n.startswith("surestep-") and n.endswith(".whl"))
    if not wheels:
        sys.exit(f"release-binaries: no surestep wheels in {dist}")
    seen = {}
    for name in wheels:
        target = target_of(name)
        if target in seen:
            sys.exit(f"release-binaries: {name} and {seen[target]} are both {target}")
        seen[target] = name
        exe = ".exe" if "windows" in target else ""
        with zipfile.ZipFile(os.path.join(dist, name)) as z:
            members = [m for m in z.infolist() if re.fullmatch(r"[^/]+\.data/scripts/surestep(\.exe)?", m.filename)]
            if len(members) != 1:
                sys.exit(f"release-binaries: {name}: expected one .data/scripts/surestep, found {len(members)}")
            binary = z.read(members[0])
        top = f"surestep-{target}"
        files = [(f"{top}/surestep{exe}", binary, 0o755)]
        for extra in EXTRA:
            with open(os.path.join(repo, extra), "rb") as f:
                files.append((f"{top}/{extra}", f.read(), 0o644))
        if exe:
            path = os.path.join(out, f"{top}.zip")
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
                for arcname, data, mode in files:
                    info = zipfile.ZipInfo(arcname, date_time=(1980, 1, 1, 0, 0, 0))
                    info.external_attr = mode << 16
                    info.compress_type = zipfile.ZIP_DEFLATED
                    z.writestr(info, data)
        else:
            path = os.path.join(out, f"{top}.tar.gz")
            with tarfile.open(path, "w:gz") as t:
                for arcname, data, mode in files:
                    info = tarfile.TarInfo(arcname)
                    info.size, info.mode = len(data), mode
                    t.addfile(info, io.BytesIO(data))
        print(f"{path} {os.path.getsize(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
