#!/usr/bin/env bash
# One idempotent step that builds .venv with the pinned OpenMMLab stack and this package.
# The mmcv wheel (compiled ops, ~15 min on 2 cores) is cached keyed by mmcv AND torch version,
# because pip's own cache is keyed by the source archive and would reuse a wheel built for
# another torch.
#
# Environment: FORCE_CUDA=1 builds mmcv's CUDA ops (nvcc on PATH, and TORCH_CUDA_ARCH_LIST such
# as "8.0;9.0" unless nvidia-smi reports the GPUs); the default, 0, builds CPU-only ops.
# MMMTNAS_CACHE moves the wheel cache. MMMTNAS_SETUP_DRY_RUN=1 prints the wheel cache directory
# and the mmcv build command, then exits before touching any virtual environment.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-python3}
VENV="$ROOT/.venv"
MMCV_VERSION=2.1.0
TORCH_VERSION=$(sed -n 's/^torch==//p' requirements/torch.txt)
die() { echo "[setup_env] $*" >&2; exit 1; }

# A CUDA wheel is cached under its own key (CUDA release and target architectures), so a
# CPU-only wheel (no suffix) is never handed to a GPU set-up, nor one GPU's build to another.
FORCE_CUDA=${FORCE_CUDA:-0}
case "$FORCE_CUDA" in
  0|1) ;;
  *) die "FORCE_CUDA must be 0 (CPU-only ops, the default) or 1 (CUDA ops), got '$FORCE_CUDA'" ;;
esac
OPS_KEY=""
ARCH_LIST=""
if [ "$FORCE_CUDA" = "1" ]; then
  command -v nvcc >/dev/null || die "FORCE_CUDA=1 needs nvcc on PATH (CUDA toolkit)"
  ARCH_LIST=${TORCH_CUDA_ARCH_LIST:-}
  if [ -z "$ARCH_LIST" ]; then
    # torch would build for the visible GPUs: name them, so that the key says what was built
    ARCH_LIST=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null) || ARCH_LIST=""
    [ -n "$ARCH_LIST" ] || die "FORCE_CUDA=1 without a visible GPU needs TORCH_CUDA_ARCH_LIST (e.g. '8.0;9.0')"
  fi
  ARCH_RE='([0-9]+\.[0-9]+[af]?|[A-Z][A-Za-z]+)(\+PTX)?'  # 8.0, 9.0a, Ampere, 9.0+PTX
  # one spelling per set of targets: "9.0 8.0", "8.0;9.0" and "8.0,9.0" are the same build
  ARCH_LIST=$(printf '%s\n' "$ARCH_LIST" | tr ';, ' '\n\n\n' | sed '/^$/d' | sort -V -u | paste -sd';' -)
  printf '%s\n' "$ARCH_LIST" | grep -Eqx "$ARCH_RE(;$ARCH_RE)*" ||
    die "TORCH_CUDA_ARCH_LIST='${TORCH_CUDA_ARCH_LIST:-}': expected compute capabilities such as '8.0;9.0' (optionally '9.0+PTX')"
  CUDA_RELEASE=$(nvcc --version | sed -n 's/.*release \([0-9.]*\).*/\1/p')
  [ -n "$CUDA_RELEASE" ] || die "cannot read the CUDA release from 'nvcc --version'"
  OPS_KEY="-cuda${CUDA_RELEASE}-arch$(printf '%s' "$ARCH_LIST" | tr ';' '_')"
fi
CACHE="${MMMTNAS_CACHE:-$HOME/.cache/mmmtnas}/wheels/mmcv-${MMCV_VERSION}-torch${TORCH_VERSION}-$(uname -m)${OPS_KEY}"
PIP="$VENV/bin/python -m pip"
BUILD_ENV=(MMCV_WITH_OPS=1 "FORCE_CUDA=$FORCE_CUDA" "MAX_JOBS=$(nproc)")
if [ "$FORCE_CUDA" = "1" ]; then
  BUILD_ENV+=("TORCH_CUDA_ARCH_LIST=$ARCH_LIST")
else
  # mmcv's setup.py builds the CUDA ops whenever torch sees a GPU: hide it for a CPU-only build
  BUILD_ENV+=("CUDA_VISIBLE_DEVICES=")
fi
# run inside the unpacked mmcv sdist
BUILD_CMD=(env "${BUILD_ENV[@]}" "$VENV/bin/python" -m pip wheel -q --no-deps --no-build-isolation . -w "$CACHE.tmp")
if [ "${MMMTNAS_SETUP_DRY_RUN:-0}" = "1" ]; then
  echo "[setup_env] dry run: wheel cache $CACHE"
  echo "[setup_env] dry run: mmcv build: $(printf '%q ' "${BUILD_CMD[@]}")"
  exit 0
fi

STAMP="$VENV/.mmmtnas-setup"
# The stamp holds a hash of every file that decides the environment: same hash, nothing to do.
WANT=$( (cat requirements/*.txt tools/setup_env.sh setup.py; echo "$OPS_KEY") | sha256sum | cut -c1-16)

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$WANT" ]; then
  exit 0
fi
echo "[setup_env] building $VENV"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
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
  (cd "$SRC/mmcv-${MMCV_VERSION}" && "${BUILD_CMD[@]}")
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
