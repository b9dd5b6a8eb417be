#!/usr/bin/env python3
"""Push a small test image to a registry through the raw distribution API.

    push_image.py HOST:PORT REPO TAG REVISION [--platform linux/amd64 ...] [--attestation]
                  [--no-label] [--user USER:PASS] [--source URL]

One platform -> a single OCI image manifest under TAG; several -> an OCI image index under
TAG with one manifest per platform (pushed by digest first), plus with --attestation an
`unknown/unknown` attestation-like entry as BuildKit writes it. REVISION goes into each
config's Labels as org.opencontainers.image.revision (unless --no-label) and into the
annotations of every manifest and the index; it is also part of the layer, so content
differs whenever REVISION differs. Output is deterministic for the same arguments.

Auth: Basic and Bearer challenges (token realm, service, several scopes split on space).
Prints the digest of the tag's bytes (sha256:...) on stdout. Standard library only.
"""
import argparse
import base64
import gzip
import hashlib
import http.client
import io
import json
import random
import sys
import tarfile
from urllib.parse import urlencode, urljoin, urlsplit

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
ACCEPT = ", ".join([OCI_INDEX, OCI_MANIFEST,
                    "application/vnd.docker.distribution.manifest.v2+json",
                    "application/vnd.docker.distribution.manifest.list.v2+json"])
CREATED = "2024-01-01T00:00:00Z"


def sha(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def canon(obj) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def parse_challenge(value):
    """'Bearer realm="x",service="y",scope="a b"' -> ('bearer', {...})."""
    scheme, _, rest = value.strip().partition(" ")
    params, i = {}, 0
    while i < len(rest):
        while i < len(rest) and rest[i] in ", ":
            i += 1
        eq = rest.find("=", i)
        if eq < 0:
            break
        key = rest[i:eq].strip().lower()
        i = eq + 1
        if i < len(rest) and rest[i] == '"':
            end = rest.find('"', i + 1)
            end = len(rest) if end < 0 else end
            params[key] = rest[i + 1:end]
            i = end + 1
        else:
            end = rest.find(",", i)
            end = len(rest) if end < 0 else end
            params[key] = rest[i:end].strip()
            i = end
    return scheme.lower(), params


class Client:
    def __init__(self, hostport, user=None):
        self.base = f"http://{hostport}"
        self.user = user
        self.auth = None  # current Authorization header value

    def raw(self, method, url, body=None, headers=None):
        u = urlsplit(urljoin(self.base + "/", url))
        if u.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"refusing non-loopback URL {u.geturl()}")
        conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=30)
        path = u.path + ("?" + u.query if u.query else "")
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp, data

    def basic(self):
        return "Basic " + base64.b64encode(self.user.encode()).decode()

    def authenticate(self, challenge):
        scheme, p = parse_challenge(challenge)
        if scheme == "basic":
            if not self.user:
                raise SystemExit("registry wants Basic auth but no --user given")
            self.auth = self.basic()
            return
        if scheme != "bearer":
            raise SystemExit(f"unsupported auth challenge: {challenge}")
        q = []
        if "service" in p:
            q.append(("service", p["service"]))
        for s in p.get("scope", "").split():
            q.append(("scope", s))
        hdrs = {"Authorization": self.basic()} if self.user else {}
        realm = p["realm"]
        resp, data = self.raw("GET", realm + ("&" if "?" in realm else "?") + urlencode(q),
                              headers=hdrs)
        if resp.status != 200:
            raise SystemExit(f"token request failed: {resp.status} {data[:300]!r}")
        tok = json.loads(data)
        self.auth = "Bearer " + (tok.get("token") or tok["access_token"])

    def req(self, method, url, body=None, headers=None, ok=(200, 201, 202)):
        for attempt in range(3):
            h = dict(headers or {})
            if self.auth:
                h["Authorization"] = self.auth
            resp, data = self.raw(method, url, body, h)
            if resp.status == 401 and attempt < 2:
                ch = resp.getheader("Www-Authenticate")
                if not ch:
                    break
                self.authenticate(ch)
                continue
            break
        if resp.status not in ok:
            raise SystemExit(f"{method} {url}: {resp.status} {data[:500]!r}")
        return resp, data

    def put_blob(self, repo, data):
        digest = sha(data)
        resp, _ = self.req("HEAD", f"/v2/{repo}/blobs/{digest}", ok=(200, 404))
        if resp.status == 200:
            return digest
        resp, _ = self.req("POST", f"/v2/{repo}/blobs/uploads/", body=b"",
                           headers={"Content-Length": "0"})
        loc = resp.getheader("Location")
        if not loc:
            raise SystemExit("blob upload POST gave no Location")
        loc += ("&" if "?" in loc else "?") + urlencode({"digest": digest})
        self.req("PUT", loc, body=data, headers={"Content-Type": "application/octet-stream",
                                                 "Content-Length": str(len(data))},
                 ok=(201,))
        return digest

    def put_manifest(self, repo, ref, media_type, data):
        resp, _ = self.req("PUT", f"/v2/{repo}/manifests/{ref}", body=data,
                           headers={"Content-Type": media_type,
                                    "Content-Length": str(len(data))}, ok=(201,))
        got = resp.getheader("Docker-Content-Digest")
        if got and got != sha(data):
            raise SystemExit(f"registry digest {got} != local {sha(data)}")
        return sha(data)


def make_layer(files):
    """Deterministic tar.gz -> (gz bytes, uncompressed tar digest)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        for name, content in files:
            ti = tarfile.TarInfo(name)
            ti.size, ti.mtime, ti.mode, ti.uid, ti.gid = len(content), 1704067200, 0o644, 0, 0
            tf.addfile(ti, io.BytesIO(content))
    tar = buf.getvalue()
    gz = gzip.compress(tar, compresslevel=1 if len(tar) > 1 << 20 else 6, mtime=0)
    return gz, sha(tar)


def platform_dict(p):
    parts = p.split("/")
    if len(parts) < 2:
        raise SystemExit(f"bad platform {p!r}: want os/arch[/variant]")
    d = {"architecture": parts[1], "os": parts[0]}
    if len(parts) > 2:
        d["variant"] = parts[2]
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("registry", help="HOST:PORT (loopback)")
    ap.add_argument("repo")
    ap.add_argument("tag")
    ap.add_argument("revision")
    ap.add_argument("--platform", action="append", default=[],
                    help="os/arch[/variant]; repeatable or comma-separated (default linux/amd64)")
    ap.add_argument("--attestation", action="store_true",
                    help="add an unknown/unknown attestation entry (index only)")
    ap.add_argument("--no-label", action="store_true",
                    help="leave org.opencontainers.image.revision out of the config Labels")
    ap.add_argument("--user", help="USER:PASS")
    ap.add_argument("--source", default="https://example.invalid/surestep/test")
    ap.add_argument("--layer-mb", type=float, default=0,
                    help="add this many MB of incompressible bytes to each platform's layer")
    args = ap.parse_args()
    platforms = [p for v in args.platform for p in v.split(",") if p] or ["linux/amd64"]

    c = Client(args.registry, args.user)
    repo, rev = args.repo, args.revision
    annotations = {"org.opencontainers.image.revision": rev,
                   "org.opencontainers.image.source": args.source,
                   "org.opencontainers.image.created": CREATED}
    labels = {"org.opencontainers.image.source": args.source}
    if not args.no_label:
        labels["org.opencontainers.image.revision"] = rev

    descs = []
    for p in platforms:
        plat = platform_dict(p)
        files = [("etc/surestep-test",
                  f"repo={repo}\ntag={args.tag}\nrevision={rev}\nplatform={p}\n".encode())]
        if args.layer_mb > 0:
            rng = random.Random(f"{repo}:{args.tag}:{rev}:{p}")
            files.append(("var/surestep-payload", rng.randbytes(int(args.layer_mb * 1e6))))
        layer, diff_id = make_layer(files)
        config = dict(plat, created=CREATED,
                      config={"Labels": labels, "Env": ["PATH=/usr/bin:/bin"]},
                      rootfs={"type": "layers", "diff_ids": [diff_id]},
                      history=[{"created": CREATED, "created_by": "push_image.py"}])
        cfg = canon(config)
        manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                    "config": {"mediaType": OCI_CONFIG, "digest": c.put_blob(repo, cfg),
                               "size": len(cfg)},
                    "layers": [{"mediaType": OCI_LAYER, "digest": c.put_blob(repo, layer),
                                "size": len(layer)}],
                    "annotations": annotations}
        descs.append((plat, canon(manifest)))

    if len(platforms) == 1 and not args.attestation:
        print(c.put_manifest(repo, args.tag, OCI_MANIFEST, descs[0][1]))
        return

    entries = []
    for plat, m in descs:
        d = c.put_manifest(repo, sha(m), OCI_MANIFEST, m)
        entries.append({"mediaType": OCI_MANIFEST, "digest": d, "size": len(m), "platform": plat})
    if args.attestation:
        stmt = canon({"_type": "https://in-toto.io/Statement/v0.1",
                      "predicateType": "https://spdx.dev/Document",
                      "subject": [{"name": f"pkg:docker/{repo}@{args.tag}",
                                   "digest": {"sha256": entries[0]["digest"][7:]}}],
                      "predicate": {"revision": rev}})
        acfg = canon({"architecture": "unknown", "os": "unknown", "config": {},
                      "rootfs": {"type": "layers", "diff_ids": [sha(stmt)]}})
        am = canon({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                    "config": {"mediaType": OCI_CONFIG, "digest": c.put_blob(repo, acfg),
                               "size": len(acfg)},
                    "layers": [{"mediaType": "application/vnd.in-toto+json",
                                "digest": c.put_blob(repo, stmt), "size": len(stmt),
                                "annotations": {"in-toto.io/predicate-type":
                                                "https://spdx.dev/Document"}}]})
        d = c.put_manifest(repo, sha(am), OCI_MANIFEST, am)
        entries.append({"mediaType": OCI_MANIFEST, "digest": d, "size": len(am),
                        "platform": {"architecture": "unknown", "os": "unknown"},
                        "annotations": {"vnd.docker.reference.digest": entries[0]["digest"],
                                        "vnd.docker.reference.type": "attestation-manifest"}})
    index = canon({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries,
                   "annotations": annotations})
    print(c.put_manifest(repo, args.tag, OCI_INDEX, index))


if __name__ == "__main__":
    main()
