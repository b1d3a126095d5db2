"""DatasetSplit: two disjoint, covering, seed-deterministic parts of one dataset."""
import pytest
from tiny_model import TinyRegressionDataset  # noqa: F401  (registers the dataset)

from mmmtnas.registry import DATASETS

BASE = dict(type='TinyRegressionDataset', num_samples=10)


def _build(**kwargs):
    return DATASETS.build(dict(type='mmmtnas.DatasetSplit', dataset=BASE, **kwargs))


def test_fraction_split_is_disjoint_covering_and_seed_deterministic():
    search, val = _build(split='search', fraction=0.7), _build(split='val', fraction=0.7)
    assert (len(search), len(val)) == (7, 3)
    assert sorted(search.indices + val.indices) == list(range(10))
    assert _build(split='search', fraction=0.7).indices == search.indices
    assert _build(split='search', fraction=0.7, seed=1).indices != search.indices
    # Samples are the wrapped dataset's.
    base = DATASETS.build(BASE)
    assert float(search[0]['targets']) == float(base[search.indices[0]]['targets'])


def test_no_seed_cuts_in_dataset_order():
    assert _build(split='search', seed=None).indices == [0, 1, 2, 3, 4]
    assert _build(split='val', seed=None).indices == [5, 6, 7, 8, 9]


def test_explicit_indices_give_search_part_and_val_gets_the_rest():
    assert _build(split='val', indices=[9, 0, 3]).indices == [1, 2, 4, 5, 6, 7, 8]
    both = dict(search=[1, 2], val=[5])
    assert _build(split='val', indices=both).indices == [5]


@pytest.mark.parametrize('kwargs, error, match', [
    (dict(split='train'), ValueError, "one of .*'search'"),
    (dict(fraction=1.0), ValueError, r'fraction must lie in \(0, 1\)'),
    (dict(indices=[3, 10]), ValueError, r'search indices \[10\] out of range .* 10 samples'),
    (dict(indices=dict(search=[1], val=[1])), ValueError, r'indices \[1\] are in both'),
    (dict(indices=dict(search=[1])), KeyError, 'needs exactly the keys'),
    (dict(split='val', indices=list(range(10))), ValueError, "'val' split .* is empty"),
])
def test_bad_arguments_raise_one_line_errors(kwargs, error, match):
    with pytest.raises(error, match=match):
        _build(**kwargs)


def test_lazy_init_defers_indices_until_first_use():
    split = _build(split='search', lazy_init=True)
    assert split.indices == []
    assert len(split) == 5
