#!/usr/bin/env bash
# The WebGPU acceptance check on a machine with a GPU (issue 4), as one short job (≤ ~8 minutes):
# the WebGPU parity suites on Dawn's Vulkan backend, `npm run bench -w @scm-ts/webgpu` (matmul 4096³
# against the card's float32 peak, MLP and conv net fwd+JVP/fwd), the models bench on WebGPU (the
# U-Net's fwd+JVP/fwd), attention's backward routines against the composed path, and
# torch.func.jvp on the same MLP when python3 has torch; then it writes docs/benchmarks.md naming
# the card (scripts/device-check.mjs does the work and the page).
#
#   scripts/device-check.sh prepare          here, with network: builds the packages and writes
#                                            .device/ (Node, the node_modules the checks need, the
#                                            built dist/ folders, the Vulkan loader's .deb, the commit)
#   scripts/device-check.sh run [--software] [--out FILE]
#                                            on the GPU machine (bare, offline): unpacks .device/,
#                                            makes the Vulkan loader findable, runs the checks
#
# With the device tool: run({ command: "bash scripts/device-check.sh run", carry: [".device"],
# timeout_s: 540 }); the page and the logs come back under $OUT. --software runs the same steps on
# a CPU adapter (Mesa llvmpipe through OpenGL ES, smaller sizes) to test the script itself; its page
# says so and never goes to docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-run}"
[ $# -gt 0 ] && shift

prepare() {
  npx tsc -b packages/webgpu packages/models packages/nn packages/testing
  mkdir -p .device/gl
  node scripts/device-check.mjs bundle
  if ! ls .device/gl/libvulkan1_*.deb >/dev/null 2>&1; then
    # Debian's Vulkan loader for x86-64, fetched here: the GPU machine has no network.
    local o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/scm-device-apt-lists)
    mkdir -p /tmp/scm-device-apt-lists/partial
    apt-get "${o[@]}" update -qq
    (cd .device/gl && apt-get "${o[@]}" download libvulkan1)
  fi
  du -sh .device
}

run() {
  local software=0 a
  for a in "$@"; do [ "$a" = --software ] && software=1; done
  # The Vulkan loader: the machine's own, else (on the NVIDIA machine only, as root, never with
  # --software) the carried .deb, unpacked into / as the device notes say.
  local ldc
  ldc="$(command -v ldconfig || echo /sbin/ldconfig)"
  if [ "$software" = 0 ] && ! { "$ldc" -p 2>/dev/null | grep -q 'libvulkan\.so\.1' || [ -e /usr/lib/x86_64-linux-gnu/libvulkan.so.1 ]; }; then
    if { command -v nvidia-smi >/dev/null 2>&1 || [ -d /usr/local/nvidia ]; } && [ "$(id -u)" = 0 ] && ls .device/gl/*.deb >/dev/null 2>&1; then
      for f in .device/gl/*.deb; do dpkg -x "$f" /; done
      "$ldc"
    else
      echo "device-check: no Vulkan loader (libvulkan.so.1); it is unpacked from .device/gl only on an NVIDIA machine as root" >&2
    fi
  fi
  local icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  if [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ] && [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd"; fi
  # Node ≥ 20: the machine's, else (or with DEVICE_CHECK_BUNDLED_NODE=1) the carried one.
  local node=node
  if [ -n "${DEVICE_CHECK_BUNDLED_NODE:-}" ] || ! command -v node >/dev/null 2>&1 || [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt 20 ]; then
    [ -f .device/node.xz ] || { echo "device-check: no Node ≥ 20 here and no .device/node.xz (run prepare first)" >&2; exit 1; }
    mkdir -p /tmp/scm-device/bin
    [ -x /tmp/scm-device/bin/node ] || { xz -dc .device/node.xz >/tmp/scm-device/bin/node && chmod +x /tmp/scm-device/bin/node; }
    export PATH="/tmp/scm-device/bin:$PATH"
    node=/tmp/scm-device/bin/node
  fi
  # node_modules and the built packages, when this tree has none (a fresh copy of the working tree).
  if [ ! -e node_modules/webgpu/index.js ] || [ ! -e packages/webgpu/dist/index.js ]; then
    [ -f .device/modules.tar.xz ] || { echo "device-check: node_modules or dist/ missing and no .device/modules.tar.xz (run prepare first)" >&2; exit 1; }
    tar -xJf .device/modules.tar.xz
  fi
  exec "$node" scripts/device-check.mjs run "$@"
}

case "$mode" in
  prepare) prepare ;;
  run) run "$@" ;;
  *) echo "usage: scripts/device-check.sh prepare | run [--software] [--out FILE]" >&2; exit 2 ;;
esac
