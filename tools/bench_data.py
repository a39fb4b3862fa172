"""Data-core benchmark: store churn, ring push/drain, spatial hash rebuild + queries.

The hash figures come from tools/bench_spatial.py (separation capped at 8 neighbours, radius =
cell = 32 units, ~20 neighbours per entity); target: rebuild + one neighbour pass for 100k
entities under 10 ms.

Prints ns per entity (or per event) for N = 1k, 10k, 100k, measured in this run.

    .venv/bin/python -m tools.bench_data [--sizes 1000 10000 100000] [--repeat 30]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from engine.data import EntityStore, RingBuffer
from tools.common import add_sizes, check_memory, machine_info, machine_line, tool_parser

COLS = {
    "pos": ((2,), np.float32), "prev_pos": ((2,), np.float32), "vel": ((2,), np.float32),
    "hp": ((), np.float32, 10.0), "tier": ((), np.uint8), "anim_frame": ((), np.float32),
}
DAMAGE = {"target": np.int64, "amount": np.float32, "source": np.int16, "kind": np.uint8}


def timeit(fn: Callable[[], object], repeat: int) -> float:
    """Median ns of one call over ``repeat`` calls (after 3 warm-up calls)."""
    for _ in range(3):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - t0)
    return float(np.median(samples))


def bench_store(n: int, repeat: int) -> dict[str, float]:
    """Churn 10% of n per call: kill, flush, refill with a batch spawn."""
    store = EntityStore("bench", n, COLS)
    store.spawn_batch(n)
    rows = np.arange(n)
    masks = [(rows % 10) == p for p in range(10)]
    phase = [0]

    def churn() -> None:
        store.kill_rows(masks[phase[0]][:store.count])
        phase[0] = (phase[0] + 1) % 10
        store.flush()
        start, got = store.spawn_batch(n - store.count)
        store.columns["hp"][start:start + got] = 10.0

    ns = timeit(churn, repeat)
    return {"churn_ms": ns / 1e6, "churn_ns_per_entity_changed": ns / (n / 10)}


def bench_ring(n: int, repeat: int) -> dict[str, float]:
    ring = RingBuffer("bench", n, DAMAGE)
    src = [np.arange(n).astype(dt) for dt in DAMAGE.values()]
    out = {k: np.zeros(n, dt) for k, dt in DAMAGE.items()}

    def push_drain() -> None:
        ring.push_batch(n, *src)
        ring.drain(out)

    ns = timeit(push_drain, repeat)
    return {"push_drain_ms": ns / 1e6, "push_drain_ns_per_event": ns / n}


def bench_hash(n: int, repeat: int) -> dict[str, float]:
    from tools.bench_spatial import bench

    res = bench(n)
    keep = {"rebuild_ms": "hash_rebuild_ms", "separation_ms": "hash_separation_ms",
            "tick_ms": "hash_rebuild+separation_ms", "pairs_ms": "hash_pairs_ms",
            "query_us": "hash_query_us", "nearest_us": "hash_nearest_us"}
    return {label: float(res[k]) for k, label in keep.items() if k in res}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse and validate; bad input exits with one line on stderr and code 2."""
    parser = tool_parser("bench_data", __doc__)
    add_sizes(parser, (1_000, 10_000, 100_000), "entity counts")
    parser.add_argument("--repeat", type=int, default=30, metavar="N",
                        help="repeats of each measurement (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.repeat <= 0:
        parser.error(f"--repeat must be a positive integer, got {args.repeat}")
    why = check_memory(max(args.sizes) * 256, f"--sizes {max(args.sizes)}")
    if why is not None:
        parser.error(why)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    print(machine_line(machine_info()))
    for n in args.sizes:
        row: dict[str, float] = {}
        row.update(bench_store(n, args.repeat))
        row.update(bench_ring(n, args.repeat))
        row.update(bench_hash(n, args.repeat))
        print(f"N={n:>7}:")
        for k, v in row.items():
            print(f"    {k:<34} {v:10.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
