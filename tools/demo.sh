#!/usr/bin/env bash
# `make demo`: write the embedded toy data, then run the project's main pipeline on it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
# The toy models are tiny: one thread per process beats two competing for two cores.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
DATA=data/toy_driving
WORK=work_dirs/demo

# (toy data from before the split files and the toy CIFAR-10 existed is written again)
[ -f "$DATA/splits/det_train.txt" ] && [ -d "$DATA/cifar10" ] || \
  $PY tools/dataset_converters/make_toy_driving.py --out "$DATA"

if [ -f configs/mtnas/ssd_fcn_toy.py ]; then
  # The whole MTNAS pipeline: branch search, backbone pre-search and search, finetune, test.
  $PY tools/train.py configs/mtnas/ssd_fcn_toy.py --work-dir "$WORK/mtnas"
else
  CFG=configs/mtl_baseline/r18_fpn_ssd_fcn_toy.py
  $PY tools/train.py "$CFG" --work-dir "$WORK/mtl_baseline"
  CKPT=$(ls -t "$WORK"/mtl_baseline/*.pth | head -n 1)
  $PY tools/test.py "$CFG" "$CKPT" --work-dir "$WORK/mtl_baseline" \
      --out "$WORK/mtl_baseline/test_metrics.json"
  echo "[demo] metrics: $WORK/mtl_baseline/test_metrics.json"
fi
