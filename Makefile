# hubops: every command a developer or CI needs. Each target bootstraps what it uses: the pinned
# Node 24 (from the npm registry, when the machine's Node is older), npm dependencies, and the
# test servers (kube-apiserver and etcd built from the Go module proxy, JupyterHub from
# PyPI), all cached under $(HUBOPS_CACHE), outside the repository. `make help` lists the targets.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

export HUBOPS_CACHE ?= $(HOME)/.cache/hubops
NODE_BIN := $(shell hack/node.sh)
ifeq ($(NODE_BIN),)
$(error could not find or install Node 24; see the message above)
endif
export PATH := $(NODE_BIN):$(CURDIR)/node_modules/.bin:$(PATH)

# Hub releases the integration suite runs against, in order; the first is `make testenv`'s default.
HUB_VERSIONS ?= 6.1.1 5.5.1 4.1.6
export HUB_VERSION ?= $(firstword $(HUB_VERSIONS))

UNIT_TESTS = $(shell find test -name '*.test.ts' ! -name '*.int.test.ts' ! -name '*.e2e.test.ts' | sort)
E2E_TESTS = $(shell find test/e2e -name '*.e2e.test.ts' | sort)
INT_TESTS = $(shell find test -name '*.int.test.ts' ! -path 'test/faults/*' | sort)
FAULT_TESTS = $(shell find test/faults -name '*.int.test.ts' | sort)
# Kubernetes releases `make test-compat` runs the API-facing suites against, besides the default
# in hack/testenv/kubernetes-version: the chart's floor (kubeVersion), the first with
# ValidatingAdmissionPolicy v1, the oldest met under extended support and the newest patch.
K8S_COMPAT_VERSIONS ?= v1.29.15 v1.30.14 v1.31.14 v1.37.2
COMPAT_TESTS = test/testenv/kube-apiserver.int.test.ts test/api/crds.int.test.ts \
  $(wildcard test/kube/*.int.test.ts) test/charts/install.int.test.ts \
  test/charts/hub-tokens.int.test.ts test/charts/deploy.int.test.ts \
  test/controllers/users-groups.int.test.ts test/controllers/hubs.int.test.ts test/main.int.test.ts
NODE_TEST = node --test --test-reporter=spec --test-timeout=120000

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: deps
deps: node_modules/.installed ## install npm dependencies (npm ci) on the pinned Node

.PHONY: build
build: deps ## bundle src/ and its dependencies into dist/main.js
	npm run --silent build

.PHONY: typecheck
typecheck: deps ## type-check src/ and test/
	tsc

.PHONY: lint
lint: deps ## ESLint, including the layer boundaries
	eslint --max-warnings 0 .

.PHONY: format-check
format-check: deps ## Prettier, check only (`npm run format` rewrites)
	prettier --check --log-level warn .

.PHONY: test-unit
test-unit: deps ## fast tests; start no process
	@[ -n "$(UNIT_TESTS)" ] || { echo "no unit tests found" >&2; exit 1; }
	$(NODE_TEST) $(UNIT_TESTS)

.PHONY: helm
helm: ## build (once) the pinned helm the chart tests use, into $(HUBOPS_CACHE)
	@hack/helm.sh >/dev/null

.PHONY: deploy-manifest
deploy-manifest: deps helm ## regenerate deploy/hubops.yaml from charts/hubops
	hack/render-deploy.sh

.PHONY: test-integration
test-integration: deps helm ## integration tests against a real kube-apiserver and each hub in HUB_VERSIONS
	@[ -n "$(INT_TESTS)" ] || { echo "no integration tests found" >&2; exit 1; }
	hack/test-integration.sh $(HUB_VERSIONS) -- $(NODE_TEST) --test-concurrency=1 $(INT_TESTS)

.PHONY: test-faults
test-faults: deps ## the fault suite (test/faults) against the first hub release in HUB_VERSIONS
	@[ -n "$(FAULT_TESTS)" ] || { echo "no fault tests found" >&2; exit 1; }
	hack/test-integration.sh $(firstword $(HUB_VERSIONS)) -- node --test --test-reporter=spec \
	  --test-timeout=900000 --test-concurrency=1 $(FAULT_TESTS)

.PHONY: test-compat
test-compat: deps helm ## the CRD, chart and controller-machinery suites on each of K8S_COMPAT_VERSIONS (slow; not in make test)
	@for version in $(K8S_COMPAT_VERSIONS); do \
	  echo "== compatibility suites against Kubernetes $$version =="; \
	  K8S_VERSION=$$version hack/test-integration.sh $(HUB_VERSION) -- $(NODE_TEST) --test-concurrency=1 $(COMPAT_TESTS) \
	    || failed="$${failed:-} $$version"; \
	done; \
	[ -z "$${failed:-}" ] || { echo "== compatibility suites failed on:$$failed ==" >&2; exit 1; }

.PHONY: test
test: typecheck lint format-check test-unit test-integration test-faults e2e ## the full gate (what CI runs)

.PHONY: e2e
e2e: deps helm ## a one-node cluster with a real kubelet, the image, the chart by Helm, test/e2e (root; see README)
	hack/e2e/run.sh node --test --test-reporter=spec --test-timeout=600000 --test-concurrency=1 $(E2E_TESTS)

.PHONY: testenv
testenv: ## start (or reuse) kube-apiserver + etcd + JupyterHub $(HUB_VERSION); writes .testenv/env
	hack/testenv/up.sh

.PHONY: testenv-down
testenv-down: ## stop what `make testenv` started, by PID
	hack/testenv/down.sh

.PHONY: demo
demo: deps ## the operator end to end on a local control plane and hub; KEEP=1 leaves it running
	@hack/demo.sh

.PHONY: reference
reference: deps ## regenerate docs/reference.md from crds/*.yaml
	node hack/gen-reference.ts

.PHONY: bench
bench: deps ## the benchmark scenarios against floor and naive baselines; BENCH_N scales (default 1000)
	hack/bench.sh

.PHONY: dashboard-picture
dashboard-picture: deps ## docs/dashboard.svg: the Grafana dashboard's panels drawn from a real N-user sync (N=5000)
	hack/dashboard/picture.sh

.PHONY: clean
clean: ## remove build output and test-environment folders (stops nothing: use testenv-down)
	rm -rf dist .testenv/test .testenv/test.env
