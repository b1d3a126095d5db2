# The block Cross-Stitch and NDDR-CNN (BMTAS Tables 1-2) share, paper and toy configs alike: one
# copy of the Shared config's encoder (backbone + context, output stride 16) per task, in a
# mmmtnas.ColumnMultiTaskModel, the columns mixed after the stem and after every backbone stage
# by units initialised with 0.9 on a task's own features. A method config replaces the Shared
# encoder with `dict(_delete_=True, **_base_.column_encoder, type=..., <its unit's options>)`;
# `column_encoder` is only read there (it also shows as a top-level key of the config).
column_encoder = dict(output_stride=16, init_same=0.9)
