"""Shared pieces of the benchmark scripts: arguments, timing, peak memory, the result line.

Every benchmark prints a human-readable summary and ends with exactly one JSON line (see README.md), so
that `make bench` and CI can collect results by reading the last line of each script's output.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time
from collections.abc import Callable, Mapping
from typing import TypeVar

T = TypeVar("T")


def positive_int(text: str) -> int:
    """argparse type: a whole number above zero."""
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def benchmark_parser(description: str) -> argparse.ArgumentParser:
    """A parser with the options every benchmark shares: --repeat and --seed."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--repeat",
        type=positive_int,
        default=3,
        help="runs of each side; the best (lowest) time is reported (default: 3)",
    )
    parser.add_argument("--seed", type=int, default=20250301, help="seed of the generated data")
    return parser


def best_time(function: Callable[[], T], *, repeat: int) -> tuple[T, float]:
    """Run ``function`` ``repeat`` times; return the last result and the best wall time in seconds.

    The best run is the least disturbed by the machine (timeit's argument); garbage is collected
    between runs so that one run does not pay for the previous one's frees.
    """
    if repeat < 1:
        raise ValueError("repeat must be at least 1")
    best = float("inf")
    results: list[T] = []
    for _ in range(repeat):
        results.clear()  # free the previous result before the next run allocates its own
        gc.collect()
        started = time.perf_counter()
        results.append(function())
        best = min(best, time.perf_counter() - started)
    return results[0], best


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports kilobytes, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024
    return peak / divisor


def result_line(
    *,
    bench: str,
    size: Mapping[str, int],
    ours_s: float,
    reference: str,
    reference_s: float,
    peak_rss_mb: float,
) -> str:
    """The final JSON line of a benchmark; ``ratio`` = ours / reference (below 1 means we are faster)."""
    return json.dumps(
        {
            "bench": bench,
            "size": dict(size),
            "ours_s": round(ours_s, 3),
            "reference": reference,
            "reference_s": round(reference_s, 3),
            "ratio": round(ours_s / reference_s, 3) if reference_s > 0 else None,
            "peak_rss_mb": round(peak_rss_mb, 1),
        }
    )


def fail(message: str) -> None:
    """Stop the benchmark loudly: a result that disagrees with the reference is not a result."""
    print(f"FAILED: {message}", file=sys.stderr)
    raise SystemExit(1)
