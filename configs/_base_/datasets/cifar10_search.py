# CIFAR-10 in its own binary format (data/cifar10/cifar-10-batches-py/, as the official archive
# extracts), read by mmpretrain's CIFAR10, for the proxy-task searches of Table 1. DARTS's
# split: the first half of the 50k training images trains the weights, the second half the
# alphas (train_portion 0.5); DARTS's augmentation and normalisation.
data_root = 'data/cifar10/'
cifar_train = dict(
    type='mmpretrain.CIFAR10', data_root=data_root, split='train', download=False,
    pipeline=[dict(type='mmpretrain.RandomCrop', crop_size=32, padding=4),
              dict(type='mmpretrain.RandomFlip', prob=0.5, direction='horizontal'),
              dict(type='mmpretrain.PackInputs')])
cifar_preprocessor = dict(  # DARTS's CIFAR_MEAN / CIFAR_STD, x255
    type='mmpretrain.ClsDataPreprocessor', num_classes=10, mean=[125.307, 122.950, 113.865],
    std=[62.993, 62.089, 66.705], to_rgb=False)
cifar_loader = dict(batch_size=64, num_workers=2, persistent_workers=True,
                    sampler=dict(type='DefaultSampler', shuffle=True))
train_dataloader = dict(
    train=dict(cifar_loader, dataset=dict(type='mmmtnas.DatasetSplit', dataset=cifar_train,
                                          split='search', seed=None)),
    val=dict(cifar_loader, dataset=dict(type='mmmtnas.DatasetSplit', dataset=cifar_train,
                                        split='val', seed=None)))
