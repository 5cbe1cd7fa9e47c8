#!/usr/bin/env bash
# The project's test command (npm test): checks the Debian tools the integration tests drive,
# then typecheck, lint, build, and every *.test.ts under src/ and test/ with node's test runner.
# `npm run test:unit` (scripts/test.sh unit) runs the unit tests only: every *.test.ts under src/
# and the source-reading checks under test/ (architecture, citations), with no typecheck, lint
# or build first and no tool or built binary needed, except the PostgreSQL server the
# PostgreSQL store's tests use (IMAGESTREAMS_TEST_POSTGRES, see the README).
set -euo pipefail
cd "$(dirname "$0")/.."

unit_tests() {
  find src -name '*.test.ts'
  echo test/architecture.test.ts
  echo test/citations.test.ts
}
if [ "${1:-}" = unit ]; then
  mapfile -t files < <(unit_tests | sort)
  echo "== unit tests (${#files[@]} files)"
  exec node --import tsx --test --test-reporter=spec --test-concurrency=4 --test-timeout=300000 "${files[@]}"
fi

need=()
for tool in chromium:chromium docker-registry:docker-registry skopeo:skopeo podman:podman openssl:openssl htpasswd:apache2-utils kubectl:kubernetes-client; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool##*:}")
done
# Python's official Kubernetes client (in Debian's python3, whatever python3 is first on PATH)
# is one of the clients the end-to-end suites drive.
/usr/bin/python3 -c 'import kubernetes' >/dev/null 2>&1 || need+=(python3-kubernetes)
# Debian's kubectl 1.20 is unpacked (not installed) by test/harness/legacy-kubectl.ts with
# `apt-get download`, which needs the package lists.
legacy_kubectl=.cache/kubectl-1.20/usr/bin/kubectl
if [ ${#need[@]} -gt 0 ] || [ ! -x "$legacy_kubectl" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    if [ ${#need[@]} -gt 0 ]; then
      echo "installing the Debian packages the integration tests need: ${need[*]}"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    fi
  else
    echo "the integration tests need these Debian packages and lists; install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi

# The PostgreSQL store's tests create and drop their own databases on the machine's service.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "the PostgreSQL store's tests need PostgreSQL at 127.0.0.1:5432 (trust auth, user postgres);" >&2
  echo "  on Debian: sudo apt-get install -y postgresql && sudo pg_ctlcluster 15 main start" >&2
  exit 1
fi

echo "== typecheck"; npm run typecheck --silent
# Separate commands: under set -e a failure on the left of && would not stop the script.
echo "== lint"; npx eslint .
npx prettier --check . >/dev/null
# The end-to-end suites run the compiled CLI, as users do.
echo "== build"; npm run build --silent

mapfile -t files < <(find src test -name '*.test.ts' | sort)
if [ ${#files[@]} -eq 0 ]; then echo "no test files found" >&2; exit 1; fi
echo "== tests (${#files[@]} files)"
exec node --import tsx --test --test-reporter=spec --test-concurrency=4 --test-timeout=300000 "${files[@]}"
