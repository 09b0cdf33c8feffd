# Cirrus — the two commands a newcomer needs:
#   make run    build and start the server on SQLite with demo data (http://127.0.0.1:8080)
#   make test   every test, against SQLite and against a throwaway PostgreSQL
SWIFT ?= swift
CONFIGURATION ?= debug
BIN = .build/$(CONFIGURATION)/cirrus

.PHONY: run test build setup-run setup-test test-sqlite test-postgres clean-data

run: setup-run build
	$(BIN) serve --demo

build:
	$(SWIFT) build -c $(CONFIGURATION) --product cirrus

setup-run:
	@scripts/setup.sh run

setup-test:
	@scripts/setup.sh test

test: setup-test
	$(SWIFT) build --build-tests
	@echo "== Test suite on SQLite =="
	$(SWIFT) test --skip-build
	@echo "== Test suite on PostgreSQL =="
	scripts/with-postgres.sh $(SWIFT) test --skip-build

# Deletes the local SQLite database, key file and demo data.
clean-data:
	rm -rf data
