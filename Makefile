# Cirrus — the two commands a newcomer needs:
#   make run    build and start the server on SQLite with demo data (http://127.0.0.1:8080)
#   make test   every test, against SQLite and against a throwaway PostgreSQL
SWIFT ?= swift
CONFIGURATION ?= debug
BIN = .build/$(CONFIGURATION)/cirrus

.PHONY: run test build format lint bench bench-sandbox bench-import bench-knowledge bench-load bench-sync bench-ocr fuzz setup-run setup-test setup-bench clean-data

run: setup-run build
	$(BIN) serve --demo

build:
	$(SWIFT) build -c $(CONFIGURATION) --product cirrus

setup-run:
	@scripts/setup.sh run

setup-test:
	@scripts/setup.sh test

# Swift Testing starts every test at once unless told how many may run together. Each of ours
# runs a whole server with its provider sandbox (some a browser or child servers as well): 250
# of them at once on two cores starve one another until requests wait past any reasonable
# deadline. Four per core keeps the machine busy without that.
TEST_PARALLELISM ?= $(shell echo $$(( $$(nproc) * 4 )))
SWIFT_TEST = env SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$(TEST_PARALLELISM) $(SWIFT) test --skip-build

test: setup-test lint
	.tools/bin/promtool check rules deploy/alerts.yml
	cd deploy && ../.tools/bin/promtool test rules alerts.test.yml
	$(SWIFT) build --build-tests --explicit-target-dependency-import-check error
	@echo "== Test suite on SQLite =="
	$(SWIFT_TEST)
	@echo "== Test suite on PostgreSQL =="
	scripts/with-postgres.sh $(SWIFT_TEST)

# Benchmarks print their figures with the command that made them (release build).
bench: bench-sandbox bench-import bench-knowledge bench-ocr

bench-sandbox: setup-run
	$(SWIFT) build -c release --product cirrus-bench
	.build/release/cirrus-bench sandbox

# The server reads files in `cirrus extract` child processes, so the benchmark needs that binary too.
bench-import: setup-test
	$(SWIFT) build -c release --product cirrus-bench
	$(SWIFT) build -c release --product cirrus
	.build/release/cirrus-bench import

# Change-to-chat latency per provider (interval 30 s; Dropbox by longpoll) and 1,000 operations of churn
# with 10 % of provider calls failing and the server killed half-way, compared with a fresh import of
# the same folders; on SQLite, then the churn again on a throwaway PostgreSQL.
bench-sync: setup-test
	$(SWIFT) build -c release --product cirrus-bench
	$(SWIFT) build -c release --product cirrus
	.build/release/cirrus-bench sync
	scripts/with-postgres.sh .build/release/cirrus-bench sync --no-latency

# OCR accuracy (character error rate against the drawn text) and time per page: pages of known
# text in three fonts and three sizes at 300 dpi, turned and speckled, as PNG and image-only PDF.
bench-ocr: setup-test
	$(SWIFT) build -c release --product cirrus-bench
	.build/release/cirrus-bench ocr

# Embedding throughput and search latency, next to sentence-transformers and faiss-cpu (from PyPI).
bench-knowledge: setup-bench
	$(SWIFT) build -c release --product cirrus-bench
	.build/release/cirrus-bench knowledge

# 100 sessions browsing and paging documents while 5 imports of 200 files run, for 60 s, on
# SQLite and then on a throwaway PostgreSQL: errors and p50/p99 latency of each kind of request.
bench-load: setup-test
	$(SWIFT) build -c release --product cirrus-bench
	$(SWIFT) build -c release --product cirrus
	.build/release/cirrus-bench load
	scripts/with-postgres.sh .build/release/cirrus-bench load

# libFuzzer on every extractor (FUZZ_SECONDS each, default 600), from our own seed corpus; not part of `make test`.
FUZZ_SECONDS ?= 600
fuzz: setup-test
	scripts/fuzz.sh $(FUZZ_SECONDS)

setup-bench:
	@scripts/setup.sh bench

# Deletes the local SQLite database, key file and demo data.
clean-data:
	rm -rf data

# The house style (.swift-format): `make format` applies it, `make lint` (part of `make test`) checks it.
format:
	$(SWIFT) format format -i -r -p Sources Tests Plugins Package.swift

lint:
	$(SWIFT) format lint --strict -r -p Sources Tests Plugins Package.swift
