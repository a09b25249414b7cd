"""Load client for benchmarks/websockets_delivery.py: many `/notifications` sockets in one
process (asyncio + uvloop, the `websockets` library).

    python benchmarks/ws_client.py --url ws://127.0.0.1:8000 --first 1 --count 5000

It mints an access token for users `first … first+count-1` (the ids `common.user_id` gives,
signed with JWT_SECRET as the server's own tokens are), opens one socket each (at most
`--parallel` handshakes at a time), and prints `connected <opened> <failed> <seconds>`.
Then every socket waits for its first `notification` frame; the client prints one JSON line
`{"received": [monotonic seconds, …], "missing": n}` when all have one or `--wait` seconds
have passed, and exits without closing handshakes (the server sees the sockets drop).
`time.monotonic()` is the system-wide CLOCK_MONOTONIC on Linux, so the parent process can
subtract its own publish time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import uvloop
from common import raise_open_files, user_id
from websockets.asyncio.client import ClientConnection, connect


def token(secret: str, user: uuid.UUID) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": str(user),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(hours=2)).timestamp()),
        "jti": uuid.uuid4().hex,
        "iss": os.environ.get("JWT_ISSUER", "showgeo"),
        "aud": os.environ.get("JWT_AUDIENCE", "showgeo-api"),
        "roles": ["USER"],
    }
    return jwt.encode(claims, secret, algorithm="HS256")


async def open_socket(url: str, gate: asyncio.Semaphore) -> ClientConnection | None:
    async with gate:
        for _attempt in range(5):
            try:
                ws = await connect(
                    url, ping_interval=None, compression=None, max_queue=64, open_timeout=120
                )
                first = json.loads(await asyncio.wait_for(ws.recv(), 120))
                if first["event"] != "connected":
                    raise RuntimeError(f"first frame {first['event']}")
                return ws
            except (OSError, TimeoutError, RuntimeError) as exc:
                last = exc
                await asyncio.sleep(0.5)
        print(f"gave up on a socket: {last!r}", file=sys.stderr, flush=True)
        return None


async def first_notification(ws: ClientConnection) -> float:
    while True:
        frame = await ws.recv()
        if '"event":"notification"' in frame:
            return time.monotonic()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True, help="ws://127.0.0.1:PORT")
    parser.add_argument("--first", type=int, required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--parallel", type=int, default=100)
    parser.add_argument("--wait", type=float, default=120.0)
    args = parser.parse_args()
    raise_open_files()
    secret = os.environ["JWT_SECRET"]
    gate = asyncio.Semaphore(args.parallel)
    started = time.monotonic()
    urls = [
        f"{args.url}/notifications?token={token(secret, user_id(i))}"
        for i in range(args.first, args.first + args.count)
    ]
    opened = [s for s in await asyncio.gather(*(open_socket(u, gate) for u in urls)) if s]
    took = time.monotonic() - started
    print(f"connected {len(opened)} {args.count - len(opened)} {took:.2f}", flush=True)
    waits = [asyncio.ensure_future(first_notification(ws)) for ws in opened]
    done, _pending = await asyncio.wait(waits, timeout=args.wait)
    received = [t.result() for t in done if t.exception() is None]
    print(json.dumps({"received": received, "missing": args.count - len(received)}), flush=True)
    os._exit(0)  # thousands of closing handshakes would only add noise to the server


if __name__ == "__main__":
    uvloop.run(main())
