"""The registry of benchmark sections. A section is a function taking the parsed options and
printing its figures; register it with `@benchmark("name", "what it measures")` in a module listed
in `SECTION_MODULES` (benchmarks/__main__.py imports them)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

Section = Callable[[argparse.Namespace], None]


@dataclass(frozen=True)
class Benchmark:
    name: str
    description: str
    run: Section


BENCHMARKS: dict[str, Benchmark] = {}

# Modules that define sections (add yours here).
SECTION_MODULES = ["benchmarks.clocks_sweep", "benchmarks.read", "benchmarks.referral_list", "benchmarks.relay"]


def benchmark(name: str, description: str) -> Callable[[Section], Section]:
    def register(fn: Section) -> Section:
        if name in BENCHMARKS:
            raise ValueError(f"benchmark {name!r} registered twice")
        BENCHMARKS[name] = Benchmark(name, description, fn)
        return fn

    return register
