"""mIoU and depth metrics of dense multi-task samples (subclasses of mmseg's) by hand."""
import math

import numpy as np
import pytest
import torch

from mmmtnas.evaluation.metrics import DenseDepthMetric, DenseIoUMetric


def _sample(task, pred, gt):
    return {f'pred_{task}': {'data': torch.as_tensor(pred)},
            f'gt_{task}': {'data': torch.as_tensor(gt)}}


def test_human_parts_miou_uses_its_own_classes_and_ignores_255():
    gt = torch.tensor([[[0, 1, 1, 2], [255, 255, 2, 2]]])
    pred = torch.tensor([[[0, 1, 2, 2], [1, 1, 2, 0]]])
    metric = DenseIoUMetric(task='human_parts', classes=('bg', 'head', 'torso'))
    metric.dataset_meta = dict(classes=tuple(f'c{i}' for i in range(21)))  # evaluator's, ignored
    metric.process({}, [_sample('human_parts', pred, gt)])
    res = metric.compute_metrics(metric.results)
    # valid pixels: (gt, pred) = (0,0) (1,1) (1,2) (2,2) (2,2) (2,0)
    iou = [1 / 2, 1 / 2, 2 / 4]  # bg: 1/(1+1); head: 1/(2+0); torso: 2/(3+1)
    assert res['mIoU'] == pytest.approx(round(100 * np.mean(iou), 2))


def test_depth_rmse_by_hand_per_image_and_pooled():
    a_gt = torch.tensor([[[1.0, 2.0], [0.0, 4.0]]])  # one pixel without depth
    a_pr = torch.tensor([[[1.5, 2.0], [9.0, 3.0]]])
    b_gt = torch.tensor([[[2.0]]])
    b_pr = torch.tensor([[[4.0]]])
    metric = DenseDepthMetric(task='depth')
    metric.process({}, [_sample('depth', a_pr, a_gt), _sample('depth', b_pr, b_gt)])
    res = metric.compute_metrics(metric.results)
    rmse_a = math.sqrt((0.25 + 0 + 1) / 3)
    rmse_b = 2.0
    assert res['rmse'] == pytest.approx((rmse_a + rmse_b) / 2, rel=1e-5)
    assert res['rmse_pixel'] == pytest.approx(math.sqrt((0.25 + 0 + 1 + 4) / 4), rel=1e-6)


def test_depth_metric_subset_is_checked():
    with pytest.raises(KeyError, match='rmse_x'):
        DenseDepthMetric(depth_metrics=['rmse_x'])
