#!/usr/bin/env python3
"""Tiny Docker registry token server (the ghcr.io-style Bearer flow), for tests only.

    token_server.py --port PORT --dir DIR [--user USER:PASS] [--service registry.local]
                    [--issuer test-token-issuer] [--host 127.0.0.1]

DIR gets key.pem / cert.pem (self-signed RSA, made with the openssl CLI if missing); point the
registry's `auth.token.rootcertbundle` at DIR/cert.pem. Serves:

  GET  /token?service=S&scope=repository:o/n:pull,push[&scope=...]   (Basic auth optional)
  POST /token   (OAuth2 form: grant_type=password, username, password, service, scope;
                 or grant_type=refresh_token, refresh_token from --refresh-token)
  GET  /healthz  -> 200 "ok"   (readiness)

Authenticated users get every requested action; anonymous users get `pull` only; wrong
credentials get 401. Scopes are `type:name:actions`, several per parameter allowed when
separated by whitespace. Tokens are RS256 JWTs with an `x5c` header holding the cert.
Standard library plus the openssl CLI only. Listens on loopback only.
"""
import argparse
import base64
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


# `--expires-in`: what every token answer says about its lifetime.
EXPIRES_IN = 300


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def ensure_cert(d):
    os.makedirs(d, exist_ok=True)
    key, cert = os.path.join(d, "key.pem"), os.path.join(d, "cert.pem")
    if not (os.path.exists(key) and os.path.exists(cert)):
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650",
             "-subj", "/CN=test-token-issuer", "-keyout", key + ".tmp", "-out", cert + ".tmp"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.replace(key + ".tmp", key)
        os.replace(cert + ".tmp", cert)
    der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"],
                         check=True, capture_output=True).stdout
    return key, base64.b64encode(der).decode()


def parse_scopes(values):
    """['repository:o/n:pull,push repository:x:pull'] -> [(type, name, [actions])]."""
    out = []
    for v in values:
        for item in v.split():
            # name may contain ':' (e.g. a port in a registry host); type is first, actions last
            typ, _, rest = item.partition(":")
            name, _, actions = rest.rpartition(":")
            if typ and name:
                out.append((typ, name, [a for a in actions.split(",") if a]))
    return out


# DigestInfo prefix for SHA-256 (RFC 8017 section 9.2, note 1).
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def rsa_numbers(key):
    """The private key's numbers, read once with the openssl CLI (`rsa -text`)."""
    text = subprocess.run(["openssl", "rsa", "-in", key, "-noout", "-text"],
                          check=True, capture_output=True, text=True).stdout
    fields, name = {}, None
    for line in text.splitlines():
        if not line.startswith(" ") and line.rstrip().endswith(":"):
            name = line.strip().rstrip(":")
            fields[name] = ""
        elif name and line.startswith(" "):
            fields[name] += line.strip().replace(":", "")
    num = {k: int(v, 16) for k, v in fields.items() if v}
    return (num["modulus"], num["prime1"], num["prime2"], num["exponent1"], num["exponent2"],
            num["coefficient"])


class Issuer:
    def __init__(self, key, x5c, issuer, users):
        self.key, self.x5c, self.issuer, self.users = key, x5c, issuer, users
        self.lock = threading.Lock()
        self.n, self.p, self.q, self.dp, self.dq, self.qinv = rsa_numbers(key)
        try:  # the `cryptography` package signs in about 1 ms when it is installed
            from cryptography.hazmat.primitives import hashes, serialization
            from cryptography.hazmat.primitives.asymmetric import padding
            with open(key, "rb") as f:
                private = serialization.load_pem_private_key(f.read(), password=None)
            self.fast = lambda data: private.sign(data, padding.PKCS1v15(), hashes.SHA256())
        except Exception:  # noqa: BLE001 - any failure: the pure-Python path below
            self.fast = None

    def sign(self, data: bytes) -> bytes:
        """RS256 (RSASSA-PKCS1-v1_5 with SHA-256) in process: the same bytes as
        `openssl dgst -sha256 -sign` (the scheme is deterministic) without a process per token,
        closer to what a real token service's signing costs."""
        if self.fast:
            return self.fast(data)
        import hashlib
        k = (self.n.bit_length() + 7) // 8
        t = SHA256_DIGEST_INFO + hashlib.sha256(data).digest()
        em = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
        m = int.from_bytes(em, "big")
        s1, s2 = pow(m, self.dp, self.p), pow(m, self.dq, self.q)
        s = s2 + self.q * ((self.qinv * (s1 - s2)) % self.p)
        return s.to_bytes(k, "big")

    def token(self, sub, service, scopes, anonymous):
        now = int(time.time())
        access = []
        for typ, name, actions in scopes:
            if anonymous:
                actions = [a for a in actions if a == "pull"]
            access.append({"type": typ, "name": name, "actions": actions})
        header = {"alg": "RS256", "typ": "JWT", "x5c": [self.x5c]}
        claims = {"iss": self.issuer, "sub": sub, "aud": service, "exp": now + 300,
                  "nbf": now - 30, "iat": now, "jti": uuid.uuid4().hex, "access": access}
        signing_input = (b64url(json.dumps(header, separators=(",", ":")).encode()) + "." +
                         b64url(json.dumps(claims, separators=(",", ":")).encode()))
        jwt = signing_input + "." + b64url(self.sign(signing_input.encode()))
        issued = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"token": jwt, "access_token": jwt, "expires_in": EXPIRES_IN, "issued_at": issued}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "surestep-token-server/1"

    def log_message(self, fmt, *args):
        sys.stderr.write("[token] %s %s\n" % (self.address_string(), fmt % args))

    def send(self, status, body, ctype="application/json", extra=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def basic_user(self):
        """None = anonymous, False = wrong credentials, str = user."""
        h = self.headers.get("Authorization", "")
        if not h.lower().startswith("basic "):
            return None
        try:
            user, _, pw = base64.b64decode(h[6:].strip()).decode().partition(":")
        except Exception:
            return False
        return self.check(user, pw)

    def check(self, user, pw):
        return user if self.server.users.get(user) == pw else False

    def issue(self, user, service, scopes):
        if user is False:
            self.send(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials"}]},
                      extra=[("Www-Authenticate", 'Basic realm="token"')])
            return
        anonymous = user is None
        body = self.server.issuer.token("" if anonymous else user, service, scopes, anonymous)
        self.send(200, body)

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/healthz":
            self.send(200, b"ok\n", "text/plain")
            return
        if url.path != "/token":
            self.send(404, {"error": "not found"})
            return
        q = parse_qs(url.query)
        service = q.get("service", [self.server.service])[0]
        self.issue(self.basic_user(), service, parse_scopes(q.get("scope", [])))

    def do_POST(self):
        url = urlsplit(self.path)
        if url.path != "/token":
            self.send(404, {"error": "not found"})
            return
        n = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(n).decode())
        user = self.basic_user()
        if form.get("grant_type", [""])[0] == "refresh_token":
            # docker's identity token: an OAuth2 refresh token issued earlier.
            user = self.server.refresh.get(form.get("refresh_token", [""])[0], False)
        elif user is None and "username" in form:
            user = self.check(form["username"][0], form.get("password", [""])[0])
        service = form.get("service", [self.server.service])[0]
        self.issue(user, service, parse_scopes(form.get("scope", [])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--dir", required=True, help="directory for key.pem and cert.pem")
    ap.add_argument("--user", action="append", default=[], help="USER:PASS (repeatable)")
    ap.add_argument("--refresh-token", action="append", default=[],
                    help="TOKEN=USER: a refresh token the OAuth2 refresh_token grant accepts")
    ap.add_argument("--service", default="registry.local")
    ap.add_argument("--issuer", default="test-token-issuer")
    ap.add_argument("--expires-in", type=int, default=300,
                    help="the expires_in of every answer (the JWT itself still lives 300 s)")
    args = ap.parse_args()
    global EXPIRES_IN
    EXPIRES_IN = args.expires_in
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        ap.error("loopback addresses only")
    key, x5c = ensure_cert(args.dir)
    users = dict(u.split(":", 1) for u in args.user)
    srv = ThreadingHTTPServer((args.host, args.port), Handler)
    srv.daemon_threads = True
    srv.issuer = Issuer(key, x5c, args.issuer, users)
    srv.users = users
    srv.refresh = dict(t.split("=", 1) for t in args.refresh_token)
    srv.service = args.service
    print(f"[token] listening on http://{args.host}:{args.port}/token "
          f"(cert {args.dir}/cert.pem)", file=sys.stderr, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
