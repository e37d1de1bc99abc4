"""Pure tests of the propagation walk (no database)."""

import random
from collections import Counter

import pytest

from tribunal.propagation import Reach, adjacency_from_edges, paths_to, propagate


def agencies(reaches):
    return [r.agency for r in reaches]


def test_origin_first_then_breadth_first():
    adj = {"court": ["rail", "air", "school", "bank"], "bank": ["bureau"]}
    out = propagate("court", adj)
    assert out[0] == Reach("court", None, 0)
    assert agencies(out) == ["court", "rail", "air", "school", "bank", "bureau"]
    assert out[-1] == Reach("bureau", "bank", 2)


def test_cycle_is_visited_once_and_terminates():
    adj = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": ["b"]}
    out = propagate("a", adj)
    assert agencies(out) == ["a", "b", "c", "d"]
    assert Counter(agencies(out)).most_common(1)[0][1] == 1


def test_two_node_cycle_bureau_and_bank():
    adj = {"court": ["bureau"], "bureau": ["bank"], "bank": ["bureau"]}
    assert agencies(propagate("court", adj)) == ["court", "bureau", "bank"]


def test_shared_recipient_gets_exactly_one_order_via_the_closest_source():
    # bank hears of the record from the court directly AND through the bureau and the platform
    adj = {"court": ["bureau", "platform", "bank"], "bureau": ["bank"], "platform": ["bank", "bureau"]}
    out = propagate("court", adj)
    assert Counter(agencies(out)) == Counter({"court": 1, "bureau": 1, "platform": 1, "bank": 1})
    bank = next(r for r in out if r.agency == "bank")
    assert bank == Reach("bank", "court", 1)


def test_diamond_at_depth_two_keeps_first_path():
    adj = {"o": ["x", "y"], "x": ["z"], "y": ["z"]}
    z = [r for r in propagate("o", adj) if r.agency == "z"]
    assert z == [Reach("z", "x", 2)]


def test_back_edge_to_origin_never_orders_the_origin_twice():
    adj = {"o": ["a"], "a": ["o", "b"], "b": ["o"]}
    out = propagate("o", adj)
    assert agencies(out) == ["o", "a", "b"]


def test_exclude_origin_for_self_corrections_even_with_cycles_back():
    adj = {"o": ["a", "b"], "a": ["o"], "b": ["a"]}
    assert agencies(propagate("o", adj, include_origin=False)) == ["a", "b"]


def test_self_link_and_isolated_origin():
    assert agencies(propagate("o", {"o": ["o"]})) == ["o"]
    assert propagate("o", {}, include_origin=False) == []


def test_large_complete_graph_each_node_once():
    nodes = list(range(60))
    adj = {n: [m for m in nodes if m != n] for n in nodes}
    out = propagate(0, adj)
    assert sorted(agencies(out)) == nodes
    assert {r.depth for r in out} == {0, 1}


def test_long_chain_depths():
    adj = {i: [i + 1] for i in range(200)}
    out = propagate(0, adj)
    assert len(out) == 201
    assert out[-1] == Reach(200, 199, 200)


def test_adjacency_from_edges_dedupes_and_keeps_order():
    adj = adjacency_from_edges([(1, 2), (1, 3), (1, 2), (2, 3)])
    assert adj == {1: [2, 3], 2: [3]}


def test_paths_to_follow_the_chain_back_to_the_origin():
    adj = {"court": ["bureau"], "bureau": ["bank"], "bank": ["court"]}
    reaches = propagate("court", adj)
    assert paths_to(reaches) == {
        "court": ["court"],
        "bureau": ["court", "bureau"],
        "bank": ["court", "bureau", "bank"],
    }


def test_paths_without_origin_still_start_at_it():
    reaches = propagate("o", {"o": ["a"], "a": ["b"]}, include_origin=False)
    assert paths_to(reaches)["b"] == ["o", "a", "b"]


@pytest.mark.parametrize("seed", range(20))
def test_random_graphs_each_reachable_agency_exactly_once(seed):
    rnd = random.Random(seed)
    n = 25
    edges = [(rnd.randrange(n), rnd.randrange(n)) for _ in range(80)]
    adj = adjacency_from_edges(edges)
    out = propagate(0, adj)
    # reference reachability by naive fixpoint
    reach = {0}
    changed = True
    while changed:
        changed = False
        for s, r in edges:
            if s in reach and r not in reach:
                reach.add(r)
                changed = True
    assert Counter(agencies(out)) == Counter(dict.fromkeys(reach, 1))
    # every recorded `via` is itself reached at depth one less
    depth = {r.agency: r.depth for r in out}
    for r in out[1:]:
        assert r.via in adj and r.agency in adj[r.via]
        assert depth[r.via] == r.depth - 1
