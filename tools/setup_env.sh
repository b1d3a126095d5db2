#!/usr/bin/env bash
# One idempotent step that builds .venv with the pinned OpenMMLab stack and this package.
# The mmcv wheel (compiled ops, ~15 min on 2 cores) is cached keyed by mmcv AND torch version,
# because pip's own cache is keyed by the source archive and would reuse a wheel built for
# another torch.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3}
VENV="$ROOT/.venv"
MMCV_VERSION=2.1.0
TORCH_VERSION=$(sed -n 's/^torch==//p' requirements/torch.txt)
# FORCE_CUDA=1 (with nvcc on PATH) builds the CUDA ops; such a wheel is cached under its own key
# so a CPU-only wheel is never handed to a GPU set-up (or the reverse).
FORCE_CUDA=${FORCE_CUDA:-0}
OPS_KEY=""
if [ "$FORCE_CUDA" = "1" ]; then
  command -v nvcc >/dev/null || { echo "[setup_env] FORCE_CUDA=1 needs nvcc on PATH (CUDA toolkit)" >&2; exit 1; }
  # torch reads the target GPUs from a visible GPU; on a build machine without one it needs the list
  if [ -z "${TORCH_CUDA_ARCH_LIST:-}" ] && ! nvidia-smi -L >/dev/null 2>&1; then
    echo "[setup_env] FORCE_CUDA=1 without a visible GPU needs TORCH_CUDA_ARCH_LIST (e.g. '8.0;9.0')" >&2; exit 1
  fi
  OPS_KEY="-cuda$(nvcc --version | sed -n 's/.*release \([0-9.]*\).*/\1/p')"
fi
CACHE="${MMMTNAS_CACHE:-$HOME/.cache/mmmtnas}/wheels/mmcv-${MMCV_VERSION}-torch${TORCH_VERSION}-$(uname -m)${OPS_KEY}"
STAMP="$VENV/.mmmtnas-setup"
# The stamp holds a hash of every file that decides the environment: same hash, nothing to do.
WANT=$( (cat requirements/*.txt tools/setup_env.sh setup.py; echo "$OPS_KEY") | sha256sum | cut -c1-16)

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
  exit 0
fi
echo "[setup_env] building $VENV"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
PIP="$VENV/bin/python -m pip"
export PIP_DISABLE_PIP_VERSION_CHECK=1
$PIP install -q -r requirements/build.txt
$PIP install -q -r requirements/torch.txt

if ! ls "$CACHE"/mmcv-${MMCV_VERSION}-*.whl >/dev/null 2>&1; then
  echo "[setup_env] compiling mmcv ${MMCV_VERSION} ops against torch ${TORCH_VERSION}${OPS_KEY:+ with CUDA} (~15 min, once per machine)"
  SRC=$(mktemp -d)
  # The sdist's setup.py imports torch, so it is fetched without build isolation.
  $PIP download -q --no-deps --no-binary :all: --no-build-isolation "mmcv==${MMCV_VERSION}" -d "$SRC"
  tar -xzf "$SRC"/mmcv-${MMCV_VERSION}.tar.gz -C "$SRC"
  # torch 2.14 headers need C++20; mmcv 2.1.0 hard-codes C++17.
  sed -i 's/-std=c++17/-std=c++20/g' "$SRC/mmcv-${MMCV_VERSION}/setup.py"
  mkdir -p "$CACHE.tmp"
  (cd "$SRC/mmcv-${MMCV_VERSION}" && MMCV_WITH_OPS=1 FORCE_CUDA=$FORCE_CUDA MAX_JOBS=$(nproc) \
     $PIP wheel -q --no-deps --no-build-isolation . -w "$CACHE.tmp")
  rm -rf "$CACHE" && mv "$CACHE.tmp" "$CACHE"  # publish only a complete build
  rm -rf "$SRC"
fi
# Runtime deps (mmcv's included) first; mmcv's wheel goes in with --no-deps.
$PIP install -q -r requirements/runtime.txt
$PIP install -q --no-deps "$CACHE"/mmcv-${MMCV_VERSION}-*.whl
$PIP install -q --no-deps -r requirements/mim.txt
$PIP install -q -r requirements/tests.txt
$PIP uninstall -q -y transformers 2>/dev/null || true
$PIP install -q --no-deps --no-build-isolation -e .
"$VENV/bin/python" -c "from mmcv.ops import nms, batched_nms; import mmdet, mmseg, mmpretrain.models, mmmtnas"
echo "$WANT" > "$STAMP"
echo "[setup_env] ready"
