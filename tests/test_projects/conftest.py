import torch

# On the shared 2-core machine, intra-op threading of the many tiny convolutions of a DARTS
# supernet is ~100x slower than one thread under load (OpenMP spin-waiting); one thread keeps
# these tests in seconds.
torch.set_num_threads(1)
