#!/usr/bin/env bash
# Set up astrolava on a fresh machine: data (apt), a virtual environment in .venv,
# the patched lava-nc wheel for Python 3.11 (third_party/lava/), and astrolava itself.
# Idempotent: a second run only checks what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
LAVA_SDIST_URL=https://files.pythonhosted.org/packages/source/l/lava-nc/lava_nc-0.10.0.tar.gz
LAVA_SDIST_SHA256=1738e824d38077f42ae773f197e687460d78ad7c77b54864fa240e868e87d331
WHEELHOUSE=build/wheelhouse

if [ ! -f /usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz ] || ! command -v dot >/dev/null; then
  echo "== installing Debian's dataset-fashion-mnist and graphviz (the docs' diagrams)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq dataset-fashion-mnist graphviz
fi

[ -x .venv/bin/python ] || "$PY" -m venv .venv
VPY=.venv/bin/python
$VPY -m pip install -q --upgrade pip

# The wheel is rebuilt (and reinstalled below) whenever the patch changes: its sha256 is
# kept in a stamp file beside the wheel.
PATCH=third_party/lava/lava-nc-0.10.0-py311.patch
PATCH_SHA=$(sha256sum "$PATCH" | cut -d' ' -f1)
STAMP="$WHEELHOUSE/lava-patch.sha256"
LAVA_REINSTALL=""
if [ "$(cat "$STAMP" 2>/dev/null)" != "$PATCH_SHA" ]; then
  rm -f "$WHEELHOUSE"/lava_nc-0.10.0+py311-*.whl
  LAVA_REINSTALL="--force-reinstall --no-deps"
fi

if ! ls "$WHEELHOUSE"/lava_nc-0.10.0+py311-*.whl >/dev/null 2>&1; then
  echo "== building lava-nc 0.10.0+py311 from the upstream sdist"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  $VPY -m pip download -q --no-deps --no-binary :all: --ignore-requires-python \
    lava-nc==0.10.0 -d "$work" \
    || curl -fsSL -o "$work/lava_nc-0.10.0.tar.gz" "$LAVA_SDIST_URL"
  echo "$LAVA_SDIST_SHA256  $work/lava_nc-0.10.0.tar.gz" | sha256sum -c -
  tar -xzf "$work/lava_nc-0.10.0.tar.gz" -C "$work"
  patch -d "$work/lava_nc-0.10.0" -p1 < "$PATCH"
  mkdir -p "$WHEELHOUSE"
  $VPY -m pip wheel -q --no-deps -w "$WHEELHOUSE" "$work/lava_nc-0.10.0"
  echo "$PATCH_SHA" > "$STAMP"
fi

echo "== installing astrolava (numpy<2, torch==2.13.0 CPU)"
# shellcheck disable=SC2086  # LAVA_REINSTALL is empty or two options
$VPY -m pip install -q -c constraints.txt $LAVA_REINSTALL "$WHEELHOUSE"/lava_nc-0.10.0+py311-*.whl
$VPY -m pip install -q -c constraints.txt -e ".[dev]"
echo "== ready: $($VPY -c 'import lava, numpy, torch; print("lava ok, numpy", numpy.__version__, "torch", torch.__version__)')"
