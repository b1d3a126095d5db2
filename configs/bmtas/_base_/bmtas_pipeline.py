# The BMTAS pipeline, one `tools/train.py` call (mmmtnas.StagedPipeline): `search` trains the
# supergraph and exports its branching as `<work_dir>/search/branches.yaml` (+ .png); `retrain`
# trains the branched network that file describes; `test` tests the retrained checkpoint and
# measures the network. Method configs name the three stage configs (and `input_size`).
runner_type = 'mmmtnas.StagedPipeline'
stages = dict(
    search=dict(kind='search', outputs=dict(branches='branches.yaml')),
    retrain=dict(kind='train', model=dict(encoder=dict(branches='{stages.search.branches}'))),
    test=dict(kind='test', checkpoint='{stages.retrain.checkpoint}',
              model=dict(encoder=dict(branches='{stages.search.branches}'))))
