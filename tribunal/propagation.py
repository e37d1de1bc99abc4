"""Who must act on a correction: the agency that holds the record and every agency that received
it through data-sharing links, transitively. Pure graph code (no ORM, no Django): the selectors
build the adjacency mapping from the active links for the record's category; this module walks it.

The paper: "if trust is broken in one place, restrictions are imposed everywhere". A correction
has to travel the same way, to each holder exactly once, even when links form cycles (a bureau
and a bank that share with each other) or several sources feed the same recipient.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

N = TypeVar("N", bound=Hashable)


@dataclass(frozen=True)
class Reach(Generic[N]):
    """An agency the record reached: `via` is the agency it got it from (None for the origin), and
    `depth` the number of hops from the origin (0 for the origin)."""

    agency: N
    via: N | None
    depth: int


def propagate(origin: N, adjacency: Mapping[N, Iterable[N]], *, include_origin: bool = True) -> list[Reach[N]]:
    """Every agency reachable from `origin`, each exactly once, in breadth-first order (closest
    first; ties in the order the adjacency lists them). Cycles and shared recipients are
    visited once; self-links are ignored. With `include_origin=False` the origin is left out (an
    agency that already corrected its own record only needs its recipients to act)."""
    seen: set[N] = {origin}
    order: list[Reach[N]] = [Reach(origin, None, 0)] if include_origin else []
    queue: deque[tuple[N, int]] = deque([(origin, 0)])
    while queue:
        node, depth = queue.popleft()
        for nxt in adjacency.get(node, ()):
            if nxt in seen:
                continue
            seen.add(nxt)
            order.append(Reach(nxt, node, depth + 1))
            queue.append((nxt, depth + 1))
    return order


def adjacency_from_edges(edges: Iterable[tuple[N, N]]) -> dict[N, list[N]]:
    """Turn (source, recipient) pairs into an adjacency mapping, keeping first-seen order and
    dropping duplicate edges."""
    out: dict[N, list[N]] = {}
    for source, recipient in edges:
        targets = out.setdefault(source, [])
        if recipient not in targets:
            targets.append(recipient)
    return out


def paths_to(reaches: Iterable[Reach[N]]) -> dict[N, list[N]]:
    """For each reached agency, the chain of agencies the record travelled through, origin first
    (what the citizen sees: "court -> credit centre -> bank")."""
    via = {r.agency: r.via for r in reaches}
    out: dict[N, list[N]] = {}
    for agency in via:
        chain: list[N] = [agency]
        step = via[agency]
        while step is not None:
            chain.append(step)
            step = via.get(step)
        out[agency] = chain[::-1]
    return out
