# DARTS+ (Liang et al. 2019) on CIFAR-10: the DARTS search (./darts_cifar10.py) stopped early,
# checked once per epoch, when the normal cell holds 2 or more skip-connects (criterion 1) or
# when the derived architecture has not changed for 10 epochs (criterion 2 asks for a stable
# ranking of the alphas; the derived genotype is what we compare). 50 epochs at most.
_base_ = ['./darts_cifar10.py']
custom_hooks = [
    dict(type='mmmtnas.SkipConnectStopHook', interval=_base_.epoch, max_skip_connects=1,
         parts=['backbone']),
    dict(type='mmmtnas.ArchitectureStableStopHook', interval=_base_.epoch, patience=10),
    dict(type='mmmtnas.ArchitectureExportHook', interval=_base_.epoch)]
