from .branch_file import (BranchFileError, BranchStructure, dump_branch_file,  # noqa: F401
                          load_branch_file)
from .genotype import (CellGenotype, Genotype, GenotypeError, check_genotype,  # noqa: F401
                       dump_genotype_file, load_genotype, load_genotype_file)
from .genotype_set import GenotypeSet  # noqa: F401
from .choice_weights import ChoiceWeights  # noqa: F401
