from .branch_file import (BranchFileError, BranchStructure, dump_branch_file,  # noqa: F401
                          load_branch_file)
