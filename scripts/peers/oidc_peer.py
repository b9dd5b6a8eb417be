#!/usr/bin/env python3
"""Plays the OIDC side of trusted publishing for tests (loopback only, standard library only).

    oidc_peer.py --port P --minted-token TOKEN --request-token RT [--audience AUD]
                 [--fail-mint CODE] [--log FILE] [--max-seconds 600]

Serves, like GitHub Actions and Warehouse together:
  GET  /_/oidc/audience             -> {"audience": AUD}
  GET  /id-token?audience=AUD       -> {"value": JWT}   (needs `Authorization: bearer RT`)
  POST /_/oidc/mint-token {"token"} -> {"success": true, "token": TOKEN, "expires": …}
The minted TOKEN is whatever the test made the index accept as a password. With
--fail-mint CODE the mint step answers 422 with that Warehouse error code instead.
Each request is logged to --log as one JSON line {"method", "path", "status"}.
"""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

JWT = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJyZXBvOm8vbjpyZWY6cmVmcy90YWdzL3YxIn0.c2lnbmF0dXJl"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--minted-token", required=True)
    p.add_argument("--request-token", required=True)
    p.add_argument("--audience", default="pypi")
    p.add_argument("--fail-mint", default="")
    p.add_argument("--log", default=None)
    p.add_argument("--max-seconds", type=float, default=600.0)
    a = p.parse_args()
    log = open(a.log, "a", buffering=1) if a.log else None

    class Handler(BaseHTTPRequestHandler):
        def answer(self, status, doc):
            body = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            if log:
                log.write(json.dumps({"method": self.command, "path": urlsplit(self.path).path,
                                      "status": status}) + "\n")

        def log_message(self, *args):
            pass

        def do_GET(self):
            url = urlsplit(self.path)
            if url.path == "/_/oidc/audience":
                return self.answer(200, {"audience": a.audience})
            if url.path == "/id-token":
                auth = self.headers.get("Authorization", "")
                scheme, _, token = auth.partition(" ")
                if scheme.lower() != "bearer" or token != a.request_token:
                    return self.answer(401, {"message": "bad request token"})
                audience = parse_qs(url.query).get("audience", [""])[0]
                if audience != a.audience:
                    return self.answer(400, {"message": f"wrong audience {audience!r}"})
                return self.answer(200, {"value": JWT, "count": 1})
            return self.answer(404, {"message": "not found"})

        def do_POST(self):
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length", "0") or 0)
            raw = self.rfile.read(length) if length else b""
            if url.path != "/_/oidc/mint-token":
                return self.answer(404, {"message": "not found"})
            try:
                token = json.loads(raw or b"{}").get("token")
            except ValueError:
                token = None
            if a.fail_mint:
                return self.answer(422, {"message": "Token request failed", "errors": [
                    {"code": a.fail_mint, "description": "no trusted publisher matches this run"}]})
            if token != JWT:
                return self.answer(422, {"message": "Token request failed", "errors": [
                    {"code": "invalid-token", "description": "malformed or unknown token"}]})
            return self.answer(200, {"success": True, "token": a.minted_token,
                                     "expires": int(time.time()) + 900})

    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    timer = threading.Timer(a.max_seconds, server.shutdown)
    timer.daemon = True
    timer.start()
    print(f"oidc_peer listening on 127.0.0.1:{a.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
