#!/usr/bin/env bash
# Debian packages the test suite needs: Criterion for the demo crate (built offline
# against Debian's packaged crates), Chromium for the headless HTML check and Node.js for
# the PR-comment tests (they run the workflow's github-script step with node).
# Idempotent: does nothing when everything is already there.
set -euo pipefail
need=()
[ -d /usr/share/cargo/registry ] && ls /usr/share/cargo/registry | grep -q '^criterion-' || need+=(librust-criterion-dev)
command -v chromium >/dev/null || need+=(chromium)
command -v node >/dev/null || need+=(nodejs)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "installing Debian packages: ${need[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
