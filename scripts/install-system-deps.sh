#!/usr/bin/env bash
# Debian packages the capability tests need: cargo and Criterion for the demo crate (built
# offline against Debian's packaged crates), Chromium for the headless HTML check and
# Node.js for the PR-comment tests (they run the workflow's github-script step with node).
#
# Idempotent: does nothing when everything is already there. Packages are installed only
# where that is possible without asking: as root, or with passwordless sudo. Otherwise it
# names the missing packages and the tests that will skip without them, and exits 0 so
# that `make test` runs the rest.
#
# VMBENCH_SYSTEM_DEPS=required (set by .ci/run) makes a missing package that cannot be
# installed an error instead. VMBENCH_CARGO_REGISTRY is where Debian keeps its packaged
# crates (default /usr/share/cargo/registry).
set -euo pipefail

registry="${VMBENCH_CARGO_REGISTRY:-/usr/share/cargo/registry}"

# One line per missing package: "<debian package>|<tests that skip without it>".
missing() {
  command -v cargo >/dev/null || echo "cargo|cargo end-to-end tests (pytest -m cargo)"
  if ! { [ -d "$registry" ] && ls "$registry" | grep -q '^criterion-'; }; then
    echo "librust-criterion-dev|cargo end-to-end tests (pytest -m cargo)"
  fi
  command -v chromium >/dev/null || echo "chromium|headless browser check of the HTML report (pytest -m browser)"
  command -v node >/dev/null || echo "nodejs|PR-comment tests that run the workflow script with node"
  return 0
}

# How packages can be installed here: "root", "sudo" (passwordless), or "none".
install_mode() {
  command -v apt-get >/dev/null || { echo none; return; }
  if [ "$(id -u)" -eq 0 ]; then
    echo root
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    echo sudo
  else
    echo none
  fi
}

main() {
  local lines packages mode
  lines="$(missing)"
  [ -n "$lines" ] || return 0
  packages="$(cut -d'|' -f1 <<<"$lines" | tr '\n' ' ')"
  packages="${packages% }"
  mode="$(install_mode)"
  if [ "$mode" = none ]; then
    if [ "${VMBENCH_SYSTEM_DEPS:-}" = required ]; then
      echo "install-system-deps: missing Debian packages $packages and no root or" \
        "passwordless sudo to install them" >&2
      return 1
    fi
    echo "install-system-deps: not installing Debian packages $packages (needs root or" \
      "passwordless sudo); these tests will be skipped:"
    cut -d'|' -f2 <<<"$lines" | sort -u | sed 's/^/  - /'
    return 0
  fi
  local sudo=()
  [ "$mode" = sudo ] && sudo=(sudo -n)
  echo "installing Debian packages: $packages"
  ${sudo[@]+"${sudo[@]}"} apt-get update -qq
  # shellcheck disable=SC2086  # word splitting of the package list is intended
  ${sudo[@]+"${sudo[@]}"} env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq $packages >/dev/null
}

main "$@"
