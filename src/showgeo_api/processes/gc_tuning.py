"""Garbage-collector settings for a serving process.

A served process holds a few hundred thousand long-lived objects (the app, its routes and
their signature models, SQLAlchemy's tables, the container) and allocates many short-lived
ones per request. With CPython's defaults every 700 net allocations start a young
collection, and the older generations, which hold all of start-up's objects, are walked
again and again: in benchmarks/http_api.py that made a radius search's p99 several times its
p50, and cost a good share of an authenticated read's CPU (docs/benchmarks.md).

So, once the app is built: `gc.freeze()` moves everything alive into the permanent
generation (never walked again; start-up's objects live as long as the process), and the
young generation's threshold goes from 700 to 20,000 allocations, a few requests' worth.
Cycles are still collected, only less often: memory at the end of the whole-platform load
run (benchmarks/load.py) stays within its bound. Only `showgeo serve`'s app factory does
this; tests and in-process users keep the interpreter's defaults.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 20_000
OLDER_THRESHOLDS = (20, 100)


def tune_for_serving() -> None:
    gc.collect()  # what start-up left as garbage is not frozen with the rest
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)
