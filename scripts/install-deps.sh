#!/usr/bin/env bash
# Installs what mlbench needs to build and test, from Debian 12 packages. Safe to run again:
# it installs only what is missing and says what that is.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git  # toolchain
  libcli11-dev libyaml-cpp-dev libssh-dev nlohmann-json3-dev libspdlog-dev libfmt-dev
  libpcre2-dev                                            # libraries
  libgtest-dev libgmock-dev                               # tests
  openssh-server openssh-client                           # SSH transport integration tests
  iproute2                                                # network-namespace partition tests
  chromium                                                # the HTML report's browser test
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages are installed"
else
  echo "install-deps: installing ${missing[*]}"
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The CUDA Toolkit is not a Debian package here; the CUDA backend is built only where it exists.
if [[ -x /usr/local/cuda/bin/nvcc ]]; then
  echo "install-deps: CUDA Toolkit found ($(/usr/local/cuda/bin/nvcc --version | tail -n 2 | head -n 1))"
else
  echo "install-deps: no CUDA Toolkit at /usr/local/cuda; the CUDA backend will not be built"
fi
