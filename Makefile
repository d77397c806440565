# CallCoach: `make run` starts the server, `make test` runs every check CI runs.
SWIFT ?= swift
# Debian packages the build and the tests need.
PACKAGES := pkg-config libmicrohttpd-dev libssl-dev libsqlite3-dev libpq-dev postgresql-15 libargon2-dev \
	libqrencode-dev libcurl4 libsndfile1-dev libopenblas-dev sox lame espeak-ng openssl oathtool
# Extra packages for `make bench` only.
BENCH_PACKAGES := wrk nginx-light pocketsphinx-testdata
ARGS ?=

.PHONY: run test deps build lint bench clean

run: deps
	$(SWIFT) build -c release --product callcoach
	.build/release/callcoach serve $(ARGS)

test: deps lint
	@scripts/install-python-tools
	$(SWIFT) build --build-tests -Xswiftc -warnings-as-errors
	@echo "== the suite on SQLite"
	$(SWIFT) test --skip-build
	@echo "== the suite on PostgreSQL"
	scripts/with-postgres $(SWIFT) test --skip-build
	@echo "== the web application in a real browser, on SQLite and on PostgreSQL (screenshots in test-output/)"
	scripts/browser-tests
	scripts/with-postgres scripts/browser-tests

deps:
	@scripts/install-packages $(PACKAGES)
	@scripts/install-speech

build: deps
	$(SWIFT) build -c release --product callcoach

lint:
	scripts/lint-environment
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

bench: deps
	@scripts/install-packages $(BENCH_PACKAGES)
	@scripts/install-speech --base
	scripts/benchmark-http
	$(SWIFT) run -c release Benchmarks auth
	$(SWIFT) run -c release Benchmarks ratelimit
	$(SWIFT) run -c release Benchmarks analysis
	$(SWIFT) run -c release Benchmarks scoring
	$(SWIFT) run -c release Benchmarks upload
	$(SWIFT) run -c release Benchmarks asr
	$(SWIFT) run -c release Benchmarks embeddings

clean:
	rm -rf .build
