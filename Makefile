# Shian — developer and CI entry points. `make help` lists them.
#
# Services (PostgreSQL, Redis, Meilisearch) are provisioned and started on loopback by
# scripts/devstack.sh; nothing it downloads is kept inside the repository.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO           ?= go
BIN          ?= bin/shian
DATA_DIR     ?= ./data
REDIS_URL    ?= redis://127.0.0.1:6379/0
TEST_TIMEOUT ?= 40m
FUZZTIME     ?= 10s
DEVSTACK     := scripts/devstack.sh

# Under CI=true, testenv makes a test whose service is missing fail instead of skip
# (`make test CI=true` works too).
ifdef CI
export CI
endif

GO_FILES = $$(find . -name '*.go' -not -path './.git/*' -not -path './data/*' -not -path './bin/*' -not -path '*/testdata/*')

.PHONY: help build run services services-stop status test vet fmt fmt-check fuzz bench clean security

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

build: ## build bin/shian
	$(GO) build -o $(BIN) ./cmd/shian

services: ## install test tools, start PostgreSQL, Redis and the dev Meilisearch (idempotent)
	@$(DEVSTACK) all

services-stop: ## stop the dev Meilisearch (PostgreSQL and Redis are the machine's; left alone)
	@$(DEVSTACK) meili-stop

status: ## show which services answer
	@$(DEVSTACK) status

run: build ## start Redis and Meilisearch if needed, migrate, seed on first run, serve
	@search=; redis=; \
	if meili_url=$$($(DEVSTACK) meili); then search=$$meili_url; \
	else echo "make run: Meilisearch unavailable; search answers from the store (degraded)" >&2; fi; \
	if $(DEVSTACK) redis >/dev/null; then redis="$(REDIS_URL)"; \
	else echo "make run: Redis unavailable; rate limits are kept in-process" >&2; fi; \
	meili_key=$$(eval "$$($(DEVSTACK) env)"; echo "$$SHIAN_TEST_MEILI_KEY"); \
	export SHIAN_DATA_DIR="$(DATA_DIR)"; \
	export SHIAN_MEILI_URL="$$search" SHIAN_MEILI_KEY="$${search:+$$meili_key}"; \
	export SHIAN_REDIS_URL="$$redis"; \
	mkdir -p "$(DATA_DIR)"; \
	seed=; \
	if [ -z "$${SHIAN_DATABASE_URL:-}" ] && [ ! -e "$(DATA_DIR)/shian.db" ]; then seed=1; fi; \
	$(BIN) migrate; \
	if [ -n "$$seed" ] && ! $(BIN) seed; then \
		rm -f "$(DATA_DIR)"/shian.db "$(DATA_DIR)"/shian.db-wal "$(DATA_DIR)"/shian.db-shm; exit 1; fi; \
	echo "Shian"; \
	echo "  web      http://$${SHIAN_ADDR:-127.0.0.1:8080}"; \
	echo "  store    $${SHIAN_DATABASE_URL:-sqlite://$(DATA_DIR)/shian.db}$${seed:+ (demo city seeded)}"; \
	echo "  search   $${search:-store fallback (no Meilisearch)}$${search:+  (dev Meilisearch, log ~/.cache/shian/meili.log; stop it with make services-stop)}"; \
	echo "  limits   $${redis:-in-process}"; \
	exec $(BIN) serve

test: services ## the whole suite: go vet, gofmt check, go test -race (CI=true: missing services fail)
	@eval "$$($(DEVSTACK) env)"; \
	failed=; \
	echo "+ go vet ./..."; $(GO) vet ./... || failed="$$failed vet"; \
	echo "+ gofmt -l"; $(MAKE) -s --no-print-directory fmt-check || failed="$$failed gofmt"; \
	echo "+ go test -race -count=1 -timeout $(TEST_TIMEOUT) ./..."; \
	$(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./... || failed="$$failed go-test"; \
	echo "+ go test -run TestParallelBombsStayInBudget ./complaints/ (peak RSS: measured without -race)"; \
	$(GO) test -count=1 -run '^TestParallelBombsStayInBudget$$' ./complaints/ || failed="$$failed photo-budget"; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed"; exit 1; fi

vet: ## go vet
	$(GO) vet ./...

fmt: ## gofmt the Go files in place
	@files=$(GO_FILES); [ -z "$$files" ] || gofmt -w $$files

fmt-check: ## fail if a Go file is not gofmt-clean
	@files=$(GO_FILES); out=; [ -z "$$files" ] || out=$$(gofmt -l $$files); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

fuzz: services ## run every Fuzz target for FUZZTIME (default 10s) each
	@eval "$$($(DEVSTACK) env)"; \
	failed=; \
	listing=$$($(GO) test -list '^Fuzz' ./... 2>&1) || { \
		echo "$$listing" | grep -v '^Fuzz' | grep -v '^ok' | grep -v '^?' || true; failed=" build"; }; \
	targets=$$(awk '/^Fuzz/ {names = names " " $$1; next} \
		$$1 == "ok" {n = split(names, a, " "); for (i = 1; i <= n; i++) print $$2, a[i]} \
		{names = ""}' <<< "$$listing"); \
	while read -r pkg name; do \
		[ -n "$$name" ] || continue; \
		echo "+ go test -run '^$$' -fuzz '^$$name$$' -fuzztime $(FUZZTIME) $$pkg"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) "$$pkg" </dev/null || failed="$$failed $$name"; \
	done <<< "$$targets"; \
	if [ -z "$$targets" ]; then echo "no Fuzz targets found"; fi; \
	if [ -n "$$failed" ]; then echo "make fuzz: FAILED:$$failed"; exit 1; fi

security: services ## issue 19: every Fuzz target for FUZZTIME, then the hardening tests against real Redis
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZTIME)
	@eval "$$($(DEVSTACK) env)"; \
	$(GO) test -count=1 -run 'TestChatFilesNoMoreThanTheAPI|TestComplaintLimits|TestReplayRefused|TestMemoryNoncesBounded|TestLoginGuard|TestParallelBombsStayInBudget|TestSixteenBitBomb|TestDecodedBytes|TestFreeText|TestValidateInvisibleAndBidi|TestCleanTextRefusesBidi|TestCell|TestWriterRoundTrip|TestAnyTimeReadsSQLiteAggregates' \
		. ./bot/... ./staff/ ./complaints/ ./csvsafe/ ./store/sqlstore/ ./api/

bench: services ## every benchmark suite with its anchors → BENCHMARKS.md (FULL=1: 100k shops, 1M complaints)
	@scripts/bench-all.sh

clean: ## remove build and coverage output (keeps ./data and the service cache)
	rm -rf bin coverage.out coverage.html cover.out *.test *.prof

# --- deployment proof (issue 9): a local multi-replica stack without Docker, cross-replica checks, fault drills.
# scripts/stack.sh keeps its state in $(STACK_DIR); every component is private to the stack (own ports).
STACK_DIR ?= /tmp/shian-stack
STACK      = SHIAN_STACK_DIR=$(STACK_DIR) scripts/stack.sh

.PHONY: stack stack-down stack-status stack-reload stack-test drills deploy-check

stack: ## start PostgreSQL, Redis, Meilisearch, two replicas and nginx on loopback, seeded (see scripts/stack.sh)
	@$(STACK) up
	@$(STACK) status

stack-down: ## stop exactly what `make stack` started
	@$(STACK) down

stack-reload: ## rebuild shian and restart the stack's replicas one at a time (new code, same data)
	@$(STACK) reload

stack-status: ## one line per stack component
	@$(STACK) status

stack-test: stack ## cross-replica checks: global rate limit, claim race, search across replicas, real client IP
	@eval "$$($(STACK) env)"; $(GO) run ./scripts/stackcheck test

drills: stack ## fault drills: kill -9 a replica under 2,000 complaints; Meilisearch, Redis and PostgreSQL outages
	@eval "$$($(STACK) env)"; $(GO) run ./scripts/stackcheck drills

deploy-check: ## validate deploy/: YAML, nginx -t on the template, systemd-analyze verify
	@deploy/check.sh
