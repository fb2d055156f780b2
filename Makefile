# Every target runs on the Node 24 binary the `node` dev dependency puts in node_modules/.bin,
# whatever Node the system has.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)
STAMP := node_modules/.install-stamp

.PHONY: dev test lint eslint lint-rest typecheck unit install redis-server prometheus chromium lighthouse certs security-test load-test chaos clean

## dev: start the whole system (stand-ins for every service not given in the environment)
dev: install
	node scripts/dev.ts

## test: lint, type checks and every test (what CI runs)
test: install redis-server prometheus chromium
	@# The static checks are single-threaded and independent: eslint (the longest, type-aware) on
	@# one core, the other lint checks and then typecheck on the other.
	$(MAKE) --no-print-directory -j2 --output-sync=target eslint lint-rest typecheck
	$(MAKE) --no-print-directory unit

# A failed suite's failed tests are printed again last (CI keeps the end of the log).
FAILED = { if [ -s .tmp/test-failures.txt ]; then cat .tmp/test-failures.txt; else echo 'No test failed: the suite itself did (see above).'; fi; exit 1; }
unit: install redis-server prometheus chromium
	vitest run || $(FAILED)
	TEST_SUITE=faults vitest run || $(FAILED)
	TEST_SUITE=heavy vitest run || $(FAILED)
	node scripts/lighthouse.ts --runs 1 --no-record --smoke --attempts 7 --settle 60

lint: eslint lint-rest

eslint: install
	eslint .

lint-rest: install prometheus
	prettier --check .
	madge --circular --extensions ts --ts-config tsconfig.json apps packages scripts tests
	@# --syntax-only: the token file exists only where Prometheus runs; the rules are checked next.
	promtool check config --syntax-only deploy/prometheus/prometheus.yml
	promtool check rules deploy/prometheus/rules/*.yml
	@# The OpenAPI document generated from the zod schemas and its TypeScript types: committed
	@# copies current (a schema change breaks the build), then the document linted.
	node scripts/openapi.ts --check
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true redocly lint --max-problems 50

typecheck: install
	tsc -p tsconfig.json
	@# The pages' browser scripts (plain JS) against the DOM and the generated API types.
	tsc -p apps/api/src/pages/assets/tsconfig.json

security-test: install redis-server
	vitest run apps/api/test/security

## load-test: the 10,000-shopper browse scenario; SCENARIO=drop for the creator drop (docs/load-testing.md)
load-test: install redis-server
	node tests/load/run.ts $(if $(SCENARIO),--name $(SCENARIO)) $(LOAD_TEST_ARGS)

chaos: install redis-server
	node tests/chaos/run.ts

## lighthouse: Lighthouse (default mobile settings) in Debian's Chromium; fails above the thresholds
## and appends a row to docs/performance.md. Options: LIGHTHOUSE_URL=… LIGHTHOUSE_ARGS='--runs 5 …'
lighthouse: install chromium
	node scripts/lighthouse.ts $(LIGHTHOUSE_ARGS)

## certs: a self-signed certificate for local HTTPS (certs/dev-cert.pem, certs/dev-key.pem)
certs: install
	node scripts/gen-dev-cert.ts

install: $(STAMP)

# Reinstall whenever a manifest or the lock file changes.
$(STAMP): package.json package-lock.json $(wildcard apps/*/package.json packages/*/package.json)
	npm ci --no-audit --no-fund
	@node -e 'const v=process.versions.node; if(!v.startsWith("24.")){console.error("expected Node 24 from node_modules/.bin, got "+v);process.exit(1)}'
	@touch $@

# Tests spawn their own redis-server; install it from the OS package manager where missing.
redis-server:
	@command -v redis-server >/dev/null 2>&1 || scripts/install-redis.sh

# promtool checks the alerting rules (lint) and runs their unit tests, and the end-to-end test
# runs a real prometheus: both come from the OS package, installed where missing.
prometheus:
	@command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || scripts/install-prometheus.sh

# Browser tests and Lighthouse drive Debian's Chromium (/usr/bin/chromium); install it where missing.
chromium:
	@[ -x /usr/bin/chromium ] || scripts/install-chromium.sh

clean:
	rm -rf node_modules apps/*/node_modules packages/*/node_modules
