import itertools
import math

import numpy as np
import pytest
import torch

from mmmtnas.models.branched.set_partitions import (all_routings, bell_number, blocks_of,
                                                    canonical_labels, format_partition,
                                                    partition_tables, routing_partition_index,
                                                    set_partitions)


def as_sets(rgs):
    return {frozenset(b) for b in blocks_of(rgs)}


def refines_by_sets(fine, coarse):
    return all(any(b <= c for c in as_sets(coarse)) for b in as_sets(fine))


def test_number_of_partitions_is_bell_number():
    published = [1, 2, 5, 15, 52, 203, 877, 4140]  # OEIS A000110, n = 1..8
    assert [bell_number(n) for n in range(1, 9)] == published
    for num_tasks in range(1, 8):
        parts = set_partitions(num_tasks)
        assert len(parts) == published[num_tasks - 1]
        assert len({frozenset(as_sets(p)) for p in parts}) == len(parts)  # all distinct


def test_encoding_is_canonical_and_ordered():
    tables = partition_tables(4)
    parts = [tuple(r) for r in tables.rgs.tolist()]
    assert parts == sorted(parts)
    assert parts[tables.all_shared] == (0, 0, 0, 0)
    assert parts[tables.all_separate] == (0, 1, 2, 3)
    # relabelling a partition's blocks gives back its RGS
    rng = np.random.default_rng(0)
    for rgs in parts:
        relabelled = rng.permutation(10)[np.array(rgs)]
        assert tuple(canonical_labels(relabelled)) == rgs
    assert tables.num_groups.tolist() == [len(blocks_of(p)) for p in parts]
    assert format_partition((0, 1, 0), ['seg', 'sal', 'edge']) == '{seg,edge}{sal}'


def test_routing_to_partition_counts_injective_assignments():
    # a partition with m blocks arises from T!/(T-m)! routings (distinct copies per block)
    for num_tasks in (3, 4, 5):
        tables = partition_tables(num_tasks)
        counts = routing_partition_index(num_tasks).bincount(minlength=tables.num_partitions)
        expected = [math.perm(num_tasks, m) for m in tables.num_groups.tolist()]
        assert counts.tolist() == expected
    routings = all_routings(3)
    assert routings.shape == (27, 3)
    assert partition_tables(3).index_of(torch.tensor([[2, 2, 0], [1, 0, 1]])).tolist() == [
        [(0, 0, 0), (0, 0, 1), (0, 1, 0), (0, 1, 1), (0, 1, 2)].index(p)
        for p in [(0, 0, 1), (0, 1, 0)]]


def test_refines_relation_matches_set_definition():
    tables = partition_tables(4)
    parts = [tuple(r) for r in tables.rgs.tolist()]
    refines = tables.refines()
    for i, j in itertools.product(range(len(parts)), repeat=2):
        assert bool(refines[i, j]) == refines_by_sets(parts[i], parts[j])


def test_meet_table_is_the_greatest_common_refinement():
    tables = partition_tables(4)
    meet = tables.meet_table()
    refines = tables.refines()
    n = tables.num_partitions
    idx = torch.arange(n)
    assert torch.equal(meet, meet.T)  # commutative
    assert torch.equal(meet[idx, idx], idx)  # idempotent
    assert torch.equal(meet[tables.all_shared], idx)  # all-shared is the identity
    assert (meet[tables.all_separate] == tables.all_separate).all()  # absorbing
    for a, b, c in itertools.product(range(n), repeat=3):  # associative
        assert meet[meet[a, b], c] == meet[a, meet[b, c]]
    for a, b in itertools.product(range(n), repeat=2):
        m = int(meet[a, b])
        assert refines[m, a] and refines[m, b]
        lower = (refines[:, a] & refines[:, b]).nonzero().flatten()
        assert all(refines[int(x), m] for x in lower)  # every common refinement is below it


def test_mobius_function_inverts_the_zeta_function():
    # sum_{k <= g <= h} mu(k, g) = [k == h]
    for num_tasks in (3, 4, 5):
        tables = partition_tables(num_tasks)
        n = tables.num_partitions
        mu = torch.zeros(n, n, dtype=torch.float64)
        mu[tables.refine_pairs[0], tables.refine_pairs[1]] = tables.mobius
        zeta = tables.refines().double()
        assert torch.equal(mu @ zeta, torch.eye(n, dtype=torch.float64))


def test_bad_sizes_raise_clear_errors():
    with pytest.raises(ValueError, match='num_tasks'):
        partition_tables(0)
    with pytest.raises(ValueError, match='num_tasks'):
        partition_tables(9)
    with pytest.raises(ValueError, match='last dimension T=3'):
        partition_tables(3).index_of(torch.zeros(2, 4, dtype=torch.long))
