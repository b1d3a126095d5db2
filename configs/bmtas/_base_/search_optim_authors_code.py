# ./search_schedule.py with the search-time weight optimiser of the BMTAS authors' code (their
# main_search.py): Adam, lr 1e-3, weight decay 1e-4, constant learning rate. The paper's text
# (App. A) gives SGD lr 0.005, momentum 0.9, wd 1e-4 with 'poly' decay, which
# ./search_schedule.py keeps. A search config chooses one by naming it in its `_base_`.
_base_ = ['./search_schedule.py']

optim_wrapper = dict(
    weights=dict(optimizer=dict(_delete_=True, type='Adam', lr=1e-3, weight_decay=1e-4)))
param_scheduler = dict(weights=[])
