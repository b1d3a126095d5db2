# Table 1 "Search on proxy tasks": the stages the proxy rows add to an MTNAS pipeline
# (./mixed.py, ./toy.py). A CIFAR-10 search writes cifar_search/genotype.yaml; its part
# `backbone` (normal + reduce cells) is transferred by reference: the derived multi-task
# network's backbone, detection branch and segmentation branch all read that file's
# `backbone` cells. The network is trained from scratch as DARTS evaluates its cells, or
# (rows "†") from the backbone weights of a conventional ImageNet pre-training of it.
_proxy_genotype = dict(genotype='{stages.cifar_search.genotype}', part='backbone')
_proxy_model = dict(model=dict(backbone=_proxy_genotype, det_neck=_proxy_genotype,
                               seg_head=_proxy_genotype))
_proxy_stages = dict(
    cifar_search=dict(kind='search', outputs=dict(genotype='genotype.yaml')),
    imagenet_pretrain=dict(config='../proxy/imagenet_pretrain.py', kind='train',
                           model=dict(backbone=_proxy_genotype)),
    finetune=dict(_proxy_model, init_from=[]),
    test=_proxy_model)
_proxy_imagenet = dict(
    stage_order=['cifar_search', 'imagenet_pretrain', 'finetune', 'test'],
    finetune_init=[dict(checkpoint='{stages.imagenet_pretrain.checkpoint}',
                        include=['backbone.'])])
