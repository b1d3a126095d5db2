"""Published DARTS-space cells: fixed reference genotypes for sizing a search space.

A search space is sized before any search runs, so its FLOPs are measured with cells someone
else searched in the same 8-op space (``tools/analysis_tools/search_space_flops.py``). The
*typical* genotype of MTNAS is :data:`DARTS_V2`: the MTNAS paper's Table 1 transfers DARTS's
CIFAR-10 cells into its multi-task network at 9.7 G FLOPs, next to its own searched 9.0 G, the
closest published cost to the searched network's (PC-DARTS's cells: 11.4 G).
"""
from mmmtnas.structures.genotype import Genotype

# DARTS (second order), CIFAR-10: the ``DARTS_V2`` of the reference genotypes.py
# (Liu et al., 2019). Normal cell: 5 convolutions of 8 edges; reduction cell parameter-free.
DARTS_V2 = Genotype.from_darts(
    normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1),
            ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0),
            ('dil_conv_3x3', 2)],
    normal_concat=[2, 3, 4, 5],
    reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1),
            ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2),
            ('max_pool_3x3', 1)],
    reduce_concat=[2, 3, 4, 5])

# PC-DARTS, CIFAR-10: ``PC_DARTS_cifar`` of the reference genotypes.py (Xu et al., 2020).
# Normal cell: 6 convolutions of 8 edges; reduction cell: 7.
PC_DARTS = Genotype.from_darts(
    normal=[('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 0), ('dil_conv_3x3', 1),
            ('sep_conv_5x5', 0), ('sep_conv_3x3', 1), ('avg_pool_3x3', 0),
            ('dil_conv_3x3', 1)],
    normal_concat=[2, 3, 4, 5],
    reduce=[('sep_conv_5x5', 1), ('max_pool_3x3', 0), ('sep_conv_5x5', 1), ('sep_conv_5x5', 2),
            ('sep_conv_3x3', 0), ('sep_conv_3x3', 3), ('sep_conv_3x3', 1),
            ('sep_conv_3x3', 2)],
    reduce_concat=[2, 3, 4, 5])

TYPICAL_GENOTYPE = DARTS_V2
