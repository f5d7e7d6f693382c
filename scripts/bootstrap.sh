#!/usr/bin/env bash
# bootstrap.sh — installs the Debian packages the build needs, only when missing.
# Idempotent: a second run installs nothing and takes well under a second.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  clang-14 libclang-rt-14-dev
  antlr4 libantlr4-runtime-dev
  llvm-14-dev libfmt-dev catch2 libcli11-dev libsimdjson-dev libbenchmark-dev libsqlite3-dev
  libssl-dev openssl libtomlplusplus-dev libboost1.81-dev
  nodejs
  postgresql-15 libpq-dev
  haproxy
  python3-prometheus-client
  chromium
  universal-ctags
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$package")
done

if (( ${#missing[@]} )); then
  echo "bootstrap: installing ${missing[*]}" >&2
  sudo_cmd=()
  (( EUID == 0 )) || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
