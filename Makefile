# The two commands: `make run` (everything locally; DEMO=1 loads demo data) and `make test`.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO ?= 0
PYTEST_FLAGS ?= -p no:cacheprovider
PYTEST_ARGS ?=

.PHONY: run test test-dated lint bench browsers ops-tools pdf-tools clean venv

venv: $(STAMP)

# Reinstalls when pyproject.toml changes; pip uses the machine's own configuration.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -e '.[dev]'
	touch $@

run: $(STAMP) vendor
	NEARMISS_ENV=$${NEARMISS_ENV:-development} $(BIN)/nearmiss dev $(if $(filter 1 yes true,$(DEMO)),--demo)

test: $(STAMP) vendor oidc-provider browsers ops-tools pdf-tools
	$(BIN)/pytest $(PYTEST_FLAGS) $(PYTEST_ARGS)

# The tests marked `dated` again, as if started at DATED_START (default: the next 22 December,
# 16:30 UTC, before the Christmas bank holidays), so a fixed skip across a holiday fails every
# run, not only on the days CI happens to run then. CI runs it after `make test`.
DATED_START ?= --12-22T16:30:00+00:00
test-dated: $(STAMP) vendor
	NEARMISS_TEST_START=$(DATED_START) $(BIN)/pytest $(PYTEST_FLAGS) -m dated $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

bench: $(STAMP)
	$(BIN)/python -m bench

# Swagger UI and ReDoc for /docs and /redoc, served by the service (no CDN): npm packages pinned
# in vendor/package-lock.json, copied into api/static/vendor/ (not committed).
VENDORED := api/static/vendor/.copied
vendor: $(VENDORED)

$(VENDORED): vendor/package-lock.json vendor/copy.sh
	cd vendor && npm ci --no-audit --no-fund --omit=peer
	vendor/copy.sh api/static/vendor
	touch $@

# The OpenID provider the sign-in tests start (npm's OpenID-certified oidc-provider).
OIDC_STAMP := tests/oidc/node_modules/.package-lock.json
oidc-provider: $(OIDC_STAMP)

$(OIDC_STAMP): tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund
	touch $@

# Debian's Chromium for browser tests; installed only when missing and when running as root.
browsers:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium \
				|| echo "warning: could not install chromium; browser tests will fail" >&2; \
		else \
			echo "warning: /usr/bin/chromium missing; install Debian's chromium as root" >&2; \
		fi; \
	fi

# Debian's Prometheus (prometheus, promtool) for the metrics and alert-rule tests, and
# docker-compose to validate docker-compose.yml; installed only when missing and when root.
ops-tools:
	@missing=""; \
	command -v prometheus >/dev/null && command -v promtool >/dev/null || missing="prometheus"; \
	command -v docker-compose >/dev/null || missing="$$missing docker-compose"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
				--no-install-recommends $$missing \
				|| echo "warning: could not install $$missing; operations tests will fail" >&2; \
		else \
			echo "warning: $$missing missing; install Debian's packages as root" >&2; \
		fi; \
	fi

# DejaVu Sans (embedded in pack PDFs, covers text outside Latin-1) and poppler's pdftotext and
# pdftoppm (PDF tests); Debian packages, installed only when missing and when running as root.
pdf-tools:
	@missing=""; \
	test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || missing="fonts-dejavu-core"; \
	command -v pdftotext >/dev/null || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
				--no-install-recommends $$missing \
				|| echo "warning: could not install $$missing; PDF tests will fail" >&2; \
		else \
			echo "warning: $$missing missing; install Debian's packages as root" >&2; \
		fi; \
	fi

clean:
	rm -rf $(VENV) var api/static/vendor vendor/node_modules tests/oidc/node_modules build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
