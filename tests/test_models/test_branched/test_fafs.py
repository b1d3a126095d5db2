"""FAFS task affinity and greedy top-down grouping against hand-computed answers."""
import numpy as np
import pytest

from mmmtnas.models.branched.fafs import (branch_affinity, easy_samples, fafs_branching,
                                          separation_loss, task_affinity)


def test_affinity_is_the_fraction_of_images_easy_for_both_or_difficult_for_both():
    losses = np.array([[1., 10., 5.],
                       [2., 20., 1.],
                       [3., 30., 6.],
                       [4., 40., 2.]])
    easy = easy_samples(losses)  # medians 2.5, 25, 3.5
    assert easy.tolist() == [[True, True, False], [True, True, True],
                             [False, False, False], [False, False, True]]
    # tasks 0 and 1 agree on all 4 images; task 2 agrees with them on images 1 and 2
    np.testing.assert_allclose(task_affinity(easy), [[1, 1, .5], [1, 1, .5], [.5, .5, 1]])
    # with the mean as threshold task 2 (mean 3.5) marks the same images
    assert (easy_samples(losses, 'mean') == easy).all()


def test_branch_affinity_averages_both_directed_max_distance_affinities():
    a = np.array([[1., .8, .2],
                  [.8, 1., .6],
                  [.2, .6, 1.]])
    # {0, 1} -> {2}: mean(min(.2), min(.6)) = .4; {2} -> {0, 1}: min(.2, .6) = .2
    assert branch_affinity(a, [0, 1], [2]) == pytest.approx((.4 + .2) / 2)
    assert branch_affinity(a, [2], [0, 1]) == pytest.approx(.3)
    # a group of three branches scores its least affine pair: 1 - .2
    assert separation_loss(a, [[(0, ), (1, ), (2, )]]) == pytest.approx(.8)
    assert separation_loss(a, [[(0, ), (1, )], [(2, )]]) == pytest.approx(.2)


def test_fafs_splits_the_last_layers_first_on_a_known_affinity():
    """Tasks {0, 1} close (.9), {2, 3} less (.8), across .3; layer costs 20, 4, 2, 1 (mean 6.75),
    penalty .5, so one extra group costs .5 * cost / 6.75 = 1.481, .296, .148, .074.

    Layer 3: all separate 3 x .074 = .222 beats {01}{2}{3} .1 + .148 and {01}{23} .3 + .074.
    Layer 2: {01}{2}{3} .1 + .296 = .396 beats separate .444, {01}{23} .448, {23}{0}{1} .496.
    Layer 1: {01}{23} .2 + .296 = .496 beats three groups .593 and one group .7.
    Layer 0: one group .7 beats two groups 1.481.
    """
    a = np.full((4, 4), .3)
    a[0, 1] = a[1, 0] = .9
    a[2, 3] = a[3, 2] = .8
    np.fill_diagonal(a, 1)
    routing, records = fafs_branching(a, [20, 4, 2, 1], penalty=.5)
    assert routing == [[0, 0, 0, 0], [0, 0, 1, 1], [0, 0, 1, 2], [0, 1, 2, 3]]
    assert [r['layer'] for r in records] == [3, 2, 1, 0]
    assert [r['groups'] for r in records] == [
        [[0], [1], [2], [3]], [[0, 1], [2], [3]], [[0, 1], [2, 3]], [[0, 1, 2, 3]]]
    assert records[1]['loss'] == pytest.approx(.1 + .5 * 2 * 2 / 6.75)
    # no penalty: nothing is worth merging; a huge one: everything shared
    assert fafs_branching(a, [20, 4, 2, 1], 0.)[0] == [[0, 1, 2, 3]] * 4
    assert fafs_branching(a, [20, 4, 2, 1], 100.)[0] == [[0, 0, 0, 0]] * 4


def test_bad_input_is_one_clear_error():
    with pytest.raises(ValueError, match='threshold'):
        easy_samples(np.ones((3, 2)), 'max')
    with pytest.raises(ValueError, match='non-finite'):
        easy_samples(np.array([[1., np.nan]]))
    with pytest.raises(ValueError, match='penalty'):
        fafs_branching(np.eye(2), [1, 1], -1)
