# The pipeline of the branching baselines (FAFS, BMN, random branching; BMTAS §4.1, Fig. 2), one
# `tools/train.py` call (mmmtnas.StagedPipeline): `branching` trains the network the method
# measures (FAFS: the Shared network; BMN: the single-task networks) and, when training ends, its
# hook writes `<work_dir>/branching/branches.yaml` (+ .png), the file a BMTAS search exports;
# `retrain` trains the branched network that file describes exactly as BMTAS's retraining does
# (ImageNet start, lr of a shared block divided by the tasks sharing it); `test` tests it and
# measures it. Method configs name the stage configs (and `input_size`).
runner_type = 'mmmtnas.StagedPipeline'
stages = dict(
    branching=dict(kind='search', outputs=dict(branches='branches.yaml')),
    retrain=dict(kind='train',
                 model=dict(encoder=dict(branches='{stages.branching.branches}'))),
    test=dict(kind='test', checkpoint='{stages.retrain.checkpoint}',
              model=dict(encoder=dict(branches='{stages.branching.branches}'))))
