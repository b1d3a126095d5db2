# The proxy rows of Table 1 at the paper's scale (configs/mtnas/table1/proxy_*_mixed.py): the
# MTNAS pipeline on the mixed set (../../ssd_fcn_mixed.py) with its search stages replaced by a
# CIFAR-10 search (./pipeline.py); a row names the search config.
_base_ = ['../../ssd_fcn_mixed.py', './pipeline.py']
stage_order = ['cifar_search', 'finetune', 'test']
stages = _base_._proxy_stages
