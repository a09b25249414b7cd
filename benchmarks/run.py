"""Run every benchmark in benchmarks/ and rewrite the results in docs/benchmarks.md.

    python benchmarks/run.py --quick             # small sizes, about two minutes on 2 cores
    python benchmarks/run.py                     # the issues' sizes (long)
    python benchmarks/run.py --only fanout,relay # some of them
    nox -s bench -- --quick                      # the same through nox

A benchmark is a script `benchmarks/<name>.py` (helpers `common.py`, `run.py` and the load
client `ws_client.py` aside). Each runs in its own process, one after the other (they would
only disturb each other's figures), with `--quick` in quick mode and `--json PATH` when it
supports it (it then writes a `common.Result`: figure, ceiling, ratio, target, size). A script
without `--json` is run all the same and its last lines of output are shown.

Only the part of docs/benchmarks.md between the `bench:results` markers is rewritten;
everything else in the file (notes, decisions, other sections) is left as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from common import ROOT, machine, raise_open_files

HERE = Path(__file__).resolve().parent
NOT_BENCHMARKS = {"common", "run", "ws_client"}
ORDER = ["fanout", "relay", "websockets_delivery"]  # then the others, by name
START = "<!-- bench:results:start (rewritten by benchmarks/run.py; edit outside) -->"
END = "<!-- bench:results:end -->"
DOC = ROOT / "docs" / "benchmarks.md"
TITLE = "# Benchmarks\n"


def benchmarks() -> list[str]:
    names = sorted(p.stem for p in HERE.glob("*.py") if p.stem not in NOT_BENCHMARKS)
    return [n for n in ORDER if n in names] + [n for n in names if n not in ORDER]


def run_one(name: str, quick: bool, timeout: float) -> dict[str, object]:
    script = HERE / f"{name}.py"
    has_json = '"--json"' in script.read_text()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "result.json"
        command = [sys.executable, str(script)]
        if quick:
            command.append("--quick")
        if has_json:
            command += ["--json", str(out)]
        print(f"\n=== {name}: {' '.join(command[1:])}", flush=True)
        started = time.monotonic()
        lines: list[str] = []
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE), str(ROOT)])},
            start_new_session=True,  # its servers and clients too, if the watchdog fires
        )
        # Everything stops by itself: past the timeout the whole process group goes.
        watchdog = threading.Timer(timeout, os.killpg, (process.pid, signal.SIGKILL))
        watchdog.start()
        try:
            assert process.stdout is not None
            for line in process.stdout:
                print(line, end="", flush=True)
                lines.append(line.rstrip("\n"))
            code = process.wait()
        finally:
            watchdog.cancel()
        seconds = time.monotonic() - started
        outcome: dict[str, object] = {"name": name, "exit": code, "seconds": seconds}
        if code == 0 and has_json and out.exists():
            outcome["result"] = json.loads(out.read_text())
        else:
            tail = [line for line in lines if line.strip()][-15:]
            outcome["output"] = tail
        return outcome


def render(outcomes: list[dict[str, object]], quick: bool, started: datetime) -> str:
    mode = "quick (`--quick`)" if quick else "full"
    rows = [
        "| Benchmark | Figure | Ceiling (same run) | Ratio | Target | Met | Data size |",
        "|---|---|---|---|---|---|---|",
    ]
    notes: list[str] = []
    for outcome in outcomes:
        result = outcome.get("result")
        if isinstance(result, dict):
            ratio = "" if result["ratio"] is None else f"{result['ratio']:.2f}"
            rows.append(
                f"| {result['name']} | {result['figure']} | {result['ceiling']} | {ratio} | "
                f"{result['target']} | {'yes' if result['met'] else '**no**'} | {result['size']} |"
            )
            details = [d for d in result.get("details", []) if not d.startswith("machine:")]
            if details:
                notes.append(f"**{result['name']}** ({outcome['seconds']:.0f} s):\n")
                notes.extend(f"- {d}" for d in details)
                notes.append("")
        else:
            status = "failed" if outcome["exit"] not in (0, None) else "no JSON result"
            rows.append(
                f"| `{outcome['name']}.py` | see its output below | | | | {status} "
                f"(exit {outcome['exit']}) | |"
            )
            notes.append(f"**`{outcome['name']}.py`** ({outcome['seconds']:.0f} s), last lines:\n")
            notes.append("```")
            notes.extend(str(line) for line in outcome.get("output", []))  # type: ignore[union-attr]
            notes.append("```")
            notes.append("")
    return "\n".join(
        [
            START,
            "",
            f"Measured {started.strftime('%Y-%m-%d %H:%M UTC')}, {mode} sizes, on {machine()}.",
            "The machine was shared with other work: absolute figures are noisy, the ratios "
            "(figure and ceiling measured one after the other in the same run) are what count.",
            "",
            *rows,
            "",
            *notes,
            END,
        ]
    )


def rewrite(block: str) -> None:
    text = DOC.read_text() if DOC.exists() else TITLE
    if START in text and END in text:
        head, rest = text.split(START, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n## Latest results\n\n" + block + "\n"
    DOC.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (about 2 minutes)")
    parser.add_argument("--only", default="", help="comma-separated names, e.g. fanout,relay")
    parser.add_argument("--no-write", action="store_true", help="leave docs/benchmarks.md alone")
    args = parser.parse_args()
    raise_open_files()
    names = benchmarks()
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = sorted(set(wanted) - set(names))
        if unknown:
            parser.error(f"no such benchmark: {', '.join(unknown)} (there are {', '.join(names)})")
        names = [n for n in names if n in wanted]
    started = datetime.now(UTC)
    timeout = 900.0 if args.quick else 4 * 3600.0
    outcomes = [run_one(name, args.quick, timeout) for name in names]
    if not args.no_write:
        rewrite(render(outcomes, args.quick, started))
        print(f"\nwrote {DOC.relative_to(ROOT)}", flush=True)
    failed = [o["name"] for o in outcomes if o["exit"] != 0]
    if failed:
        print(f"failed: {', '.join(map(str, failed))}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
