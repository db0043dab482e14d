"""make bench (its second part): the relay under load on loopback, bounded, stopping by itself.

A relay (``python -m relay``, Hypercorn, SQLite) runs live against the fake Responses server
(``python -m fake_api``, a process of its own, so the two share no interpreter), and this script
drives it with ``httpx2``'s async client:

- ``--invocations`` research invocations (default 500), created ``--concurrency`` at a time: a
  third run as streams, the rest in the background;
- one subscriber per stream, all following their streams live at once (default 200 streams, so
  200 concurrent subscribers); every fourth one drops its connection after five events and comes
  back with ``Last-Event-ID``, as a client on a bad network would;
- every background invocation waited for with ``/wait``, then every invocation read once more.

It prints the latency of each kind of request (p50 and p99), the events each subscriber missed or
got twice, compared with the relay's own log of each stream (the figure must be 0: the script
fails otherwise), the text the events add up to against each invocation's output_text, and the
relay's memory (resident set, at start and at its peak). Everything stops within ``--limit``
seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx2

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from relay.launch import start  # noqa: E402

OUT = REPO / "build" / "bench" / "relay"
SOLO = 21  # invocations created one at a time before the load (the first warms up)
API = "/api/v1/tool-invocations"
TEXT = (
    "The Sholes and Glidden Type-Writer went on sale in 1874 with the QWERTY layout, which "
    "changed from one prototype to the next before Remington bought the rights; telegraph "
    "operators were among its first users, and the slow-down story has no good evidence."
)


def scenario(count: int) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "scenario.py"
    path.write_text(
        "from fake_api import reply, text\n"
        f"STEPS = [reply(text({TEXT!r}), background=['queued', 'in_progress', 'completed'])"
        f" for _ in range({count})]\n"
    )
    return path


def rss(pid: int) -> dict[str, float]:
    """The process's resident set now and at its peak, in MiB (Linux)."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            out[name] = int(value.split()[0]) / 1024
    return out


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = max(0, min(len(values) - 1, round(q / 100 * (len(values) - 1))))
    return values[k]


def parse(block: str) -> dict | None:
    event: dict = {}
    for line in block.split("\n"):
        if line.startswith(":") or not line:
            continue
        field, _, value = line.partition(": ")
        if field == "id":
            event["id"] = int(value)
        elif field == "event":
            event["event"] = value
        elif field == "data":
            event["data"] = json.loads(value)
    return event if "event" in event else None


async def follow(http: httpx2.AsyncClient, inv: dict, cut: bool, stats: dict) -> list[dict]:
    """Follow one stream to its end; with ``cut``, drop it after five events and resume."""
    headers = {"X-Invocation-Token": inv["invocation_token"]}
    url = f"{API}/{inv['invocation_id']}/events"
    got: list[dict] = []
    started = time.perf_counter()
    for _attempt in range(10):
        resume = {"Last-Event-ID": str(got[-1]["id"])} if got else {}
        async with http.stream("GET", url, headers={**headers, **resume}) as response:
            buffer = ""
            async for chunk in response.aiter_text():
                buffer += chunk
                while "\n\n" in buffer:
                    block, buffer = buffer.split("\n\n", 1)
                    event = parse(block)
                    if event is None:
                        continue
                    if not got:
                        stats["first_event"].append(time.perf_counter() - started)
                    got.append(event)
                    if event["event"] in ("completed", "error"):
                        return got
                    if cut and len(got) == 5:
                        break
                if cut and len(got) == 5:
                    cut = False
                    stats["resumed"] += 1
                    break  # leaving the block drops the connection
    return got


async def timed(stats: dict, kind: str, coro):
    started = time.perf_counter()
    result = await coro
    stats[kind].append(time.perf_counter() - started)
    return result


async def drive(url: str, count: int, concurrency: int, streams: int) -> dict:
    stats: dict = {
        "create": [],
        "wait": [],
        "read": [],
        "first_event": [],
        "resumed": 0,
        "lost": 0,
        "repeated": 0,
        "text_mismatch": 0,
        "statuses": {},
        "refused": 0,
        "solo": [],
    }
    limits = httpx2.Limits(
        max_connections=concurrency + streams + 50, max_keepalive_connections=100
    )
    async with httpx2.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        gate = asyncio.Semaphore(concurrency)
        subscribers: list[asyncio.Task] = []
        created: list[tuple[dict, bool]] = []

        async def create(n: int) -> None:
            step = max(1, count // streams) if streams else 0
            stream = bool(streams) and n % step == 0 and n // step < streams
            arguments = {"research_question": f"Question {n}: how did QWERTY come about?"}
            arguments["stream" if stream else "background"] = True
            async with gate:
                while True:
                    response = await timed(
                        stats,
                        "create",
                        http.post(API, json={"tool_name": "deep_research", "arguments": arguments}),
                    )
                    if response.status_code != 503:
                        break
                    stats["refused"] += 1
                    await asyncio.sleep(float(response.headers.get("retry-after", "1")))
            assert response.status_code == 202, response.text
            inv = response.json()
            created.append((inv, stream))
            if stream:
                cut = len(subscribers) % 4 == 0
                subscribers.append(asyncio.create_task(follow(http, inv, cut, stats)))

        # First, for the service time without queueing: invocations created one at a time.
        # The first warms the relay up (the SDK builds its models on first use): not counted.
        for n in range(SOLO):
            arguments = {"research_question": f"Solo question {n}", "background": True}
            body = {"tool_name": "deep_research", "arguments": arguments}
            response = await timed(stats, "solo", http.post(API, json=body))
            created.append((response.json(), False))
        del stats["solo"][0]
        await asyncio.gather(*(create(n) for n in range(count)))
        received = await asyncio.gather(*subscribers)

        async def finish(inv: dict) -> dict:
            headers = {"X-Invocation-Token": inv["invocation_token"]}
            async with gate:
                view = (
                    await timed(
                        stats,
                        "wait",
                        http.get(
                            f"{API}/{inv['invocation_id']}/wait",
                            params={"timeout": 60},
                            headers=headers,
                        ),
                    )
                ).json()
                await timed(
                    stats, "read", http.get(f"{API}/{inv['invocation_id']}", headers=headers)
                )
            return view

        views = await asyncio.gather(*(finish(inv) for inv, _ in created))
        for view in views:
            stats["statuses"][view["status"]] = stats["statuses"].get(view["status"], 0) + 1

        streamed = [
            (inv, view) for (inv, stream), view in zip(created, views, strict=True) if stream
        ]
        for (inv, view), got in zip(streamed, received, strict=True):
            headers = {"X-Invocation-Token": inv["invocation_token"]}
            async with gate:
                body = (
                    await http.get(f"{API}/{inv['invocation_id']}/events", headers=headers)
                ).text
            log = [e for e in map(parse, body.split("\n\n")) if e]
            expected = {e["id"] for e in log}
            ids = [e["id"] for e in got]
            stats["lost"] += len(expected - set(ids))
            stats["repeated"] += len(ids) - len(set(ids))
            text = "".join(e["data"]["text"] for e in got if e["event"] == "output_text")
            if text != view["output_text"]:
                stats["text_mismatch"] += 1
        health = (await http.get("/api/v1/health")).json()
        stats["subscribers_left"] = health["subscribers"]
        stats["jobs_left"] = health["jobs"]
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invocations", type=int, default=500)
    parser.add_argument("--streams", type=int, default=200, help="of them, run as streams")
    parser.add_argument("--concurrency", type=int, default=50, help="creates and waits at once")
    parser.add_argument("--event-delay", type=float, default=0.01, help="between upstream events")
    parser.add_argument("--limit", type=float, default=300, help="seconds before giving up")
    args = parser.parse_args()

    fake = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fake_api",
            str(scenario(args.invocations + SOLO)),
            "--event-delay",
            str(args.event_delay),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    base_url = fake.stdout.readline().strip()
    folder = OUT / "run"
    for old in folder.glob("relay.db*"):
        old.unlink()
    relay = None
    try:
        relay = start(
            {
                "TUTORIAL_MODE": "live",
                "TUTORIAL_DOTENV": "0",
                "OPENAI_API_KEY": "sk-bench",
                "OPENAI_BASE_URL": base_url,
                "RELAY_MAX_JOBS": str(args.invocations + SOLO + 50),
                "RELAY_POLL_INTERVAL": "0.5",
                "RELAY_UPSTREAM_RETRIES": "2",
            },
            folder=folder,
        )
        idle = rss(relay.pid)
        load = os.getloadavg()[0]
        started = time.perf_counter()
        stats = asyncio.run(
            asyncio.wait_for(
                drive(relay.url, args.invocations, args.concurrency, args.streams), args.limit
            )
        )
        seconds = time.perf_counter() - started
        memory = rss(relay.pid)
    finally:
        if relay is not None:
            relay.stop()
        fake.terminate()
        fake.wait(10)

    print(
        f"relay bench: {args.invocations} invocations ({args.streams} streams, each with a live "
        f"subscriber, every fourth cut and resumed), {args.concurrency} requests at a time, "
        f"{os.cpu_count()} cores, load {load:.2f} at start"
    )
    print(f"  done in {seconds:.1f} s: {stats['statuses']}, {stats['refused']} refused at capacity")
    for kind, label in (
        ("solo", "POST create, one by one"),
        ("create", f"POST create, {args.concurrency} at once"),
        ("first_event", "SSE first event"),
        ("wait", "GET /wait (to the end)"),
        ("read", "GET invocation"),
    ):
        values = stats[kind]
        print(
            f"  {label:<24} p50 {pct(values, 50) * 1000:7.1f} ms   p99 {pct(values, 99) * 1000:7.1f} ms"
            f"   (n={len(values)}, mean {statistics.fmean(values or [0]) * 1000:.1f} ms)"
        )
    print(
        f"  events lost {stats['lost']}, repeated {stats['repeated']}, streams whose text differs "
        f"{stats['text_mismatch']}, resumed with Last-Event-ID {stats['resumed']}"
    )
    print(
        f"  relay memory (RSS): {idle['VmRSS']:.0f} MiB idle, {memory['VmHWM']:.0f} MiB at peak, "
        f"{memory['VmRSS']:.0f} MiB after; subscribers left {stats['subscribers_left']}, "
        f"jobs left {stats['jobs_left']}"
    )
    bad = stats["lost"] or stats["repeated"] or stats["text_mismatch"]
    return 1 if bad else 0


if __name__ == "__main__":
    os.chdir(REPO)
    sys.exit(main())
