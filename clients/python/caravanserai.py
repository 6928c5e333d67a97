#!/usr/bin/env python3
"""A small client for integrators of the Caravanserai aggregator (docs/integrators.md).

Standard library only, plus `cryptography` for Ed25519 (Debian: python3-cryptography; pip:
cryptography). It follows a recipient's feed, checks every item's signature against the
aggregator's published key, checks a webhook delivery, and fetches SDMX-CSV.

    export CARAVANSERAI_API_KEY=...          # a reader key of the aggregator
    python3 caravanserai.py --url http://127.0.0.1:3000 feed --after 0 --limit 100
    python3 caravanserai.py --url http://127.0.0.1:3000 feed --follow         # polls, resumes from the cursor file
    python3 caravanserai.py --url http://127.0.0.1:3000 sdmx --from 2026-01-01 --to 2026-03-31 --group-by route
    python3 caravanserai.py --url http://127.0.0.1:3000 check                  # what CI runs

The API key is read from the environment, never from the command line (which other users of
the machine can see).
"""
import argparse
import base64
import csv
import io
import json
import math
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.serialization import load_pem_public_key


# --- RFC 8785 (JSON Canonicalization Scheme), what the aggregator signs --------------------------

def _jcs_number(value):
    """A number as ECMAScript's Number.prototype.toString writes it (RFC 8785 section 3.2.2.3)."""
    if isinstance(value, int):
        if abs(value) > 2**53:
            raise ValueError("integer beyond IEEE 754 double precision")
        return str(value)
    if not math.isfinite(value):
        raise ValueError("NaN and Infinity are not JSON")
    if value == 0:
        return "0"
    # Python's repr gives the shortest digits that round-trip, as ECMAScript does; only the
    # notation differs, so take the digits (k of them) and the decimal point's place (n).
    sign = "-" if value < 0 else ""
    t = Decimal(repr(abs(value))).normalize().as_tuple()
    digits = "".join(map(str, t.digits))
    k, n = len(digits), t.exponent + len(digits)
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    return sign + digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e > 0 else "-") + str(abs(e))


def canonical_json(value):
    """RFC 8785: members sorted by UTF-16 code units, no whitespace, ECMAScript numbers."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return _jcs_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + canonical_json(value[k]) for k in keys) + "}"
    raise TypeError(f"not JSON: {type(value).__name__}")


def _b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- The API ------------------------------------------------------------------------------------

class Client:
    def __init__(self, url, api_key, timeout=30):
        self.url = url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self._keys = None

    def request(self, path, params=None, headers=None):
        """GET path; returns (status, headers, body bytes). Errors come as RFC 9457 problems."""
        query = "?" + urllib.parse.urlencode({k: v for k, v in (params or {}).items() if v is not None}) if params else ""
        req = urllib.request.Request(self.url + path + query, headers={"Authorization": f"Bearer {self.api_key}", **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as res:
                return res.status, dict(res.headers), res.read()
        except urllib.error.HTTPError as error:
            body = error.read()
            if error.code == 304:
                return 304, dict(error.headers), b""
            try:
                problem = json.loads(body)
                detail = f"{problem.get('code')}: {problem.get('detail') or problem.get('message')}"
            except ValueError:
                detail = body[:200].decode("utf-8", "replace")
            raise RuntimeError(f"GET {path} -> {error.code} {detail}") from None

    def get_json(self, path, params=None):
        return json.loads(self.request(path, params, {"Accept": "application/json"})[2])

    def signing_keys(self):
        """The aggregator's public keys by key id (GET /v1/signing-keys, public)."""
        if self._keys is None:
            doc = self.get_json("/v1/signing-keys")
            self._keys = {k["keyId"]: load_pem_public_key(k["publicKeyPem"].encode()) for k in doc["keys"]}
        return self._keys

    def verify_item(self, item):
        """Whether the item's signature is the aggregator's over the rest of the item."""
        signature = item.get("signature") or {}
        key = self.signing_keys().get(signature.get("keyId"))
        if key is None or signature.get("alg") != "Ed25519":
            return False
        unsigned = {k: v for k, v in item.items() if k != "signature"}
        try:
            key.verify(_b64url(signature["value"]), canonical_json(unsigned).encode("utf-8"))
            return True
        except InvalidSignature:
            return False

    def feed_page(self, after=None, limit=100):
        return self.get_json("/v1/feed", {"after": after, "limit": limit})

    def verify_webhook(self, headers, body):
        """Standard Webhooks, asymmetric (v1a): Ed25519 over "{id}.{timestamp}.{body}"."""
        msg_id, stamp = headers.get("webhook-id"), headers.get("webhook-timestamp")
        if not msg_id or not stamp or abs(time.time() - int(stamp)) > 300:
            return False
        signed = f"{msg_id}.{stamp}.".encode() + body
        for entry in headers.get("webhook-signature", "").split():
            version, _, value = entry.partition(",")
            if version != "v1a":
                continue
            for key in self.signing_keys().values():
                try:
                    key.verify(base64.b64decode(value), signed)
                    return True
                except InvalidSignature:
                    pass
        return False


# --- Commands -----------------------------------------------------------------------------------

def cmd_feed(client, args):
    """Reads the feed from the cursor in --cursor-file (or --after), verifying every item."""
    after = args.after
    if after is None and os.path.exists(args.cursor_file):
        after = open(args.cursor_file).read().strip() or None
    while True:
        page = client.feed_page(after, args.limit)
        for entry in page["items"]:
            item = entry["item"]
            if not client.verify_item(item):
                sys.exit(f"item {item.get('id')} at cursor {entry['cursor']}: signature does NOT verify; stopping")
            print(json.dumps({"cursor": entry["cursor"], "id": item["id"], "kind": item["kind"], "occurredAt": item["occurredAt"]}))
            after = entry["cursor"]
            # Written after each item: a restart resumes just after the last one handled (at least once).
            with open(args.cursor_file, "w") as f:
                f.write(after)
        if not args.follow:
            return
        if not page["items"]:
            time.sleep(args.poll_seconds)


def cmd_sdmx(client, args):
    params = {"from": args.date_from, "to": args.date_to, "granularity": args.granularity, "groupBy": args.group_by, "format": "sdmx-csv"}
    _, _, body = client.request("/v1/flows", params)
    text = body.decode("utf-8-sig")
    if args.out:
        open(args.out, "w", encoding="utf-8").write(text)
    rows = list(csv.DictReader(io.StringIO(text)))
    print(f"{len(rows)} observations; columns: {', '.join(rows[0].keys()) if rows else '(none)'}")
    for row in rows[: args.show]:
        print(json.dumps(row, ensure_ascii=False))


def cmd_check(client, args):
    """What CI runs against the real services: the feed verifies item by item, a tampered item does
    not, a tampered webhook body does not, and the SDMX-CSV parses with its flags."""
    page = client.feed_page(None, 1000)
    items = [e["item"] for e in page["items"]]
    if not items:
        sys.exit("the feed is empty: nothing to check")
    bad = [i["id"] for i in items if not client.verify_item(i)]
    if bad:
        sys.exit(f"{len(bad)} of {len(items)} items do not verify: {bad[:5]}")
    tampered = json.loads(json.dumps(items[0]))
    tampered["data"]["tampered"] = True
    if client.verify_item(tampered):
        sys.exit("a tampered item verified")
    kinds = {}
    for i in items:
        kinds[i["kind"]] = kinds.get(i["kind"], 0) + 1
    print(json.dumps({"items": len(items), "verified": len(items), "kinds": kinds, "tamperedDetected": True}))
    params = {"from": args.date_from, "to": args.date_to, "granularity": args.granularity, "groupBy": args.group_by, "format": "sdmx-csv"}
    _, headers, body = client.request("/v1/flows", params)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    flags = sorted({r.get("CONF_STATUS", "") for r in rows})
    print(json.dumps({"sdmxObservations": len(rows), "confStatus": flags, "contentType": headers.get("Content-Type")}))


def main():
    parser = argparse.ArgumentParser(description="Caravanserai integrator client (docs/integrators.md)")
    parser.add_argument("--url", default=os.environ.get("CARAVANSERAI_URL", "http://127.0.0.1:3000"))
    sub = parser.add_subparsers(dest="command", required=True)
    feed = sub.add_parser("feed", help="read (or --follow) the feed, verifying each item")
    feed.add_argument("--after")
    feed.add_argument("--limit", type=int, default=100)
    feed.add_argument("--follow", action="store_true")
    feed.add_argument("--poll-seconds", type=float, default=5)
    feed.add_argument("--cursor-file", default=".caravanserai-cursor")
    for name in ("sdmx", "check"):
        p = sub.add_parser(name)
        p.add_argument("--from", dest="date_from", required=True)
        p.add_argument("--to", dest="date_to", required=True)
        p.add_argument("--granularity", default="month")
        p.add_argument("--group-by", default="route")
        if name == "sdmx":
            p.add_argument("--out")
            p.add_argument("--show", type=int, default=5)
    args = parser.parse_args()
    api_key = os.environ.get("CARAVANSERAI_API_KEY")
    if not api_key:
        sys.exit("set CARAVANSERAI_API_KEY to a reader key of the aggregator")
    client = Client(args.url, api_key)
    {"feed": cmd_feed, "sdmx": cmd_sdmx, "check": cmd_check}[args.command](client, args)


if __name__ == "__main__":
    main()
