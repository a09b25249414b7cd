"""Run every benchmark in benchmarks/ and rewrite the results in docs/benchmarks.md.

    python benchmarks/run.py --quick             # small sizes, about two minutes on 2 cores
    python benchmarks/run.py                     # the issues' sizes (long)
    python benchmarks/run.py --only fanout,relay # some of them
    nox -s bench -- --quick                      # the same through nox

A benchmark is a script `benchmarks/<name>.py` (helpers `common.py`, `run.py`, the load
client `ws_client.py`, the API benchmarks' data `api_data.py` and their ceiling app
`ceiling_app.py` aside). Each runs in its own process, one after the other (they would
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
from pathlib import Path

from common import ROOT, machine, raise_open_files

HERE = Path(__file__).resolve().parent
NOT_BENCHMARKS = {"common", "run", "ws_client", "api_data", "ceiling_app"}
ORDER = ["fanout", "relay", "websockets_delivery"]  # then the others, by name
START = "<!-- bench:results:start (rewritten by benchmarks/run.py; edit outside) -->"
END = "<!-- bench:results:end -->"
DOC = ROOT / "docs" / "benchmarks.md"
STORE = ROOT / "docs" / "benchmarks.json"  # the latest outcome of each benchmark, by mode
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


def remember(outcomes: list[dict[str, object]], quick: bool) -> dict[str, dict[str, object]]:
    """Merge this run's outcomes into STORE (by mode and benchmark), so a run of some
    benchmarks (`--only`) or of one mode leaves the others' latest figures in place."""
    stored: dict[str, dict[str, object]] = {}
    if STORE.exists():
        stored = json.loads(STORE.read_text())
    mode = "quick" if quick else "full"
    for outcome in outcomes:
        stored[f"{mode}/{outcome['name']}"] = {**outcome, "mode": mode}
    STORE.write_text(json.dumps(stored, indent=2, sort_keys=True) + "\n")
    return stored


def _order(key: str) -> tuple[int, int, str]:
    mode, name = key.split("/", 1)
    rank = ORDER.index(name) if name in ORDER else len(ORDER)
    return (0 if mode == "full" else 1, rank, name)


def render(stored: dict[str, dict[str, object]]) -> str:
    lines = [
        START,
        "",
        "The machine was shared with other work while these ran: absolute figures are noisy;",
        "the ratios (figure and ceiling measured one after the other in the same run) are what",
        "count. Each row is the latest run of that benchmark in that mode.",
        "",
    ]
    notes: list[str] = []
    machines: set[str] = set()
    for mode, title in (("full", "Full sizes"), ("quick", "Quick mode (`--quick`)")):
        keys = sorted((k for k in stored if k.startswith(f"{mode}/")), key=_order)
        if not keys:
            continue
        lines += [
            f"### {title}",
            "",
            "| Benchmark | Figure | Ceiling (same run) | Ratio | Target | Met | Data size "
            "| Measured |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for key in keys:
            outcome = stored[key]
            result = outcome.get("result")
            if isinstance(result, dict):
                ratio = "" if result["ratio"] is None else f"{result['ratio']:.2f}"
                when = str(result.get("measured_at", ""))[:16].replace("T", " ")
                lines.append(
                    f"| {result['name']} | {result['figure']} | {result['ceiling']} | {ratio} | "
                    f"{result['target']} | {'yes' if result['met'] else '**no**'} | "
                    f"{result['size']} | {when} UTC |"
                )
                details = []
                for detail in result.get("details", []):
                    if detail.startswith("machine: "):
                        machines.add(detail.removeprefix("machine: "))
                    else:
                        details.append(detail)
                if details:
                    notes.append(f"**{result['name']}**, {mode} ({outcome['seconds']:.0f} s):\n")
                    notes.extend(f"- {d}" for d in details)
                    notes.append("")
            else:
                lines.append(
                    f"| `{outcome['name']}.py` | see its output below | | | | failed "
                    f"(exit {outcome['exit']}) | | |"
                )
                notes.append(f"**`{outcome['name']}.py`**, {mode}, last lines:\n")
                notes.append("```")
                notes.extend(str(line) for line in outcome.get("output", []))  # type: ignore[union-attr]
                notes.append("```")
                notes.append("")
        lines.append("")
    machines.add(machine())
    lines.append("Machine: " + "; ".join(sorted(machines)) + ".")
    lines.append("")
    return "\n".join([*lines, *notes, END])


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
    timeout = 900.0 if args.quick else 4 * 3600.0
    outcomes = [run_one(name, args.quick, timeout) for name in names]
    if not args.no_write:
        rewrite(render(remember(outcomes, args.quick)))
        print(f"\nwrote {DOC.relative_to(ROOT)}", flush=True)
    failed = [o["name"] for o in outcomes if o["exit"] != 0]
    if failed:
        print(f"failed: {', '.join(map(str, failed))}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
