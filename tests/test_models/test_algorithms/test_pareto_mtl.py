"""Pareto MTL: preference vectors, constraint handling on hand-built gradients with known
answers, and the algorithm's step on a tiny detection + segmentation model."""
import math

import numpy as np
import pytest
import torch

from mmmtnas.models.algorithms.pareto_mtl import (INIT, PARETO, active_constraints,
                                                  pareto_mtl_weights, preference_vectors)

TWO_PREFS = np.array([[1., 0.], [0., 1.]])


def test_preference_vectors_are_unit_and_evenly_spread():
    prefs = preference_vectors(5)
    np.testing.assert_allclose(np.linalg.norm(prefs, axis=1), 1.)
    angles = np.degrees(np.arctan2(prefs[:, 1], prefs[:, 0]))
    np.testing.assert_allclose(angles, [0., 22.5, 45., 67.5, 90.], atol=1e-12)
    with pytest.raises(ValueError, match='>= 2'):
        preference_vectors(1)


def test_active_constraints_are_the_closer_preference_vectors():
    # loss vector at atan(3) = 71.6 deg; u_2 = 45 deg. Closer than 26.6 deg: 67.5 and 90.
    assert active_constraints([1., 3.], preference_vectors(5), 2) == [3, 4]
    assert active_constraints([3., 1.], preference_vectors(5), 2) == [0, 1]
    assert active_constraints([1., 1.], preference_vectors(5), 2) == []  # on u_k itself


def test_no_active_constraint_is_mgda():
    # g1 = (1, 0), g2 = (0, 2): min-norm alpha = (0.8, 0.2), rescaled to sum |w| = 2
    grads = np.array([[1., 0.], [0., 2.]])
    step = pareto_mtl_weights(grads @ grads.T, [1., 1.], preference_vectors(3), 1)
    assert step.active == [] and step.phase == PARETO
    np.testing.assert_allclose(step.weights, [1.6, 0.4])


def test_initial_phase_descends_on_the_violated_constraint():
    # k = 0 (u = (1, 0)), L = (1, 2): G_1 = (u_1 - u_0) . L/|L| = 1/sqrt(5) > 0 is active, and
    # alone: the direction is grad G_1 = -grad L_1 + grad L_2, i.e. weights (-1, 1)
    grads = np.array([[1., 0.], [0., 1.]])
    step = pareto_mtl_weights(grads @ grads.T, [1., 2.], TWO_PREFS, 0, phase=INIT)
    assert step.active == [1] and step.phase == INIT
    np.testing.assert_allclose(step.weights, [-1., 1.])
    feasible = pareto_mtl_weights(grads @ grads.T, [2., 1.], TWO_PREFS, 0, phase=INIT)
    assert feasible.weights is None and feasible.active == []


def test_initial_phase_with_two_active_constraints_takes_their_min_norm_combination():
    # K = 3 (0, 45, 90 deg), k = 0, L along 80 deg: both other vectors are closer.
    prefs = preference_vectors(3)
    grads = np.array([[2., 0.], [0., 1.]])
    losses = [math.cos(math.radians(80)), math.sin(math.radians(80))]
    step = pareto_mtl_weights(grads @ grads.T, losses, prefs, 0, phase=INIT)
    assert step.active == [1, 2]
    c = (prefs[[1, 2]] - prefs[0]) @ grads  # the constraint gradients
    gammas = np.linspace(0., 1., 200001)[:, None]
    best = gammas[np.argmin(((gammas * c[0] + (1 - gammas) * c[1]) ** 2).sum(1))][0]
    expected = best * (prefs[1] - prefs[0]) + (1 - best) * (prefs[2] - prefs[0])
    np.testing.assert_allclose(step.weights, expected, atol=1e-5)


def test_pareto_phase_mixes_task_and_constraint_gradients():
    # vectors g1 = (1, 0), g2 = (0, 1), grad G_1 = (-1, 1): min-norm point (0.2, 0.4) with
    # alpha = (0.6, 0, 0.4) -> w = (0.6 - 0.4, 0 + 0.4) = (0.2, 0.4) -> rescaled (2/3, 4/3)
    grads = np.eye(2)
    step = pareto_mtl_weights(grads @ grads.T, [1., 2.], TWO_PREFS, 0, phase=PARETO)
    assert step.active == [1]
    np.testing.assert_allclose(step.weights, [2. / 3., 4. / 3.], atol=1e-9)
    # the common direction descends on both tasks and on the violated constraint
    d = step.weights @ grads
    for v in (grads[0], grads[1], grads[1] - grads[0]):
        assert d @ v >= -1e-12


def test_bad_phase_or_index_is_one_clear_error():
    with pytest.raises(ValueError, match='phase'):
        pareto_mtl_weights(np.eye(2), [1., 1.], TWO_PREFS, 0, phase='warmup')
    with pytest.raises(ValueError, match='index 2'):
        pareto_mtl_weights(np.eye(2), [1., 1.], TWO_PREFS, 2)


# ---------------------------------------------------------------------- the algorithm
@pytest.fixture(scope='module')
def tiny_pareto():
    from det_seg_testing import tiny_model_cfg
    from mmmtnas.registry import MODELS
    torch.manual_seed(0)
    return MODELS.build(dict(type='mmmtnas.ParetoMTL', architecture=tiny_model_cfg(),
                             num_preferences=5, preference_index=2, init_max_iters=1))


def _batches():
    from det_seg_testing import det_sample, images, seg_sample
    return dict(det=dict(inputs=images(2, seed=1), data_samples=[det_sample(0), det_sample(1)]),
                seg=dict(inputs=images(2, seed=2), data_samples=[seg_sample(0), seg_sample(1)]))


def test_shared_gram_equals_the_gradients_of_separate_backward_passes(tiny_pareto):
    model = tiny_pareto
    model.train()
    batches = {t: model.data_preprocessor(b, True) for t, b in _batches().items()}
    losses = model.task_losses(batches)
    totals = [model.parse_losses(losses[t])[0] for t in model.tasks]
    gram = model.shared_gram(totals)
    params = model.shared_parameters()
    flat = []
    for total in totals:  # independently: .backward() into .grad, task by task
        model.zero_grad()
        total.backward(retain_graph=True)
        flat.append(torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).flatten()
                               for p in params]).double())
    model.zero_grad()
    expected = torch.stack(flat) @ torch.stack(flat).T
    torch.testing.assert_close(gram, expected, rtol=1e-5, atol=1e-10)
    assert gram[0, 1] != 0  # the two tasks share the backbone


def test_train_step_weights_the_tasks_and_moves_both_heads(tiny_pareto):
    from mmengine.optim import OptimWrapper
    model = tiny_pareto
    model.train()
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
    heads = {t: [p.detach().clone() for p in model.architecture.task_head(t).parameters()]
             for t in model.tasks}
    logs = [model.train_step(_batches(), wrapper) for _ in range(2)]
    for log in logs:  # the stepped loss is the weighted sum of the task losses
        w = [float(log['pareto_w_det']), float(log['pareto_w_seg'])]
        totals = [sum(float(v) for k, v in log.items() if k.startswith(f'{t}.') and 'loss' in k)
                  for t in ('det', 'seg')]
        assert float(log['loss']) == pytest.approx(w[0] * totals[0] + w[1] * totals[1],
                                                   rel=1e-5)
    # init_max_iters=1: the second step is in the Pareto MTL phase
    assert model.phase == PARETO and int(model.init_steps) == 1
    w = np.array([float(logs[1]['pareto_w_det']), float(logs[1]['pareto_w_seg'])])
    assert np.abs(w).sum() == pytest.approx(2.)
    for task, before in heads.items():
        after = list(model.architecture.task_head(task).parameters())
        assert any(not torch.equal(a, b) for a, b in zip(after, before)), task
    with pytest.raises(KeyError, match='one batch per task'):
        model.train_step(dict(det=_batches()['det']), wrapper)
