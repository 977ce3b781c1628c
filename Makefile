# MxOS Certificación — the commands people expect.
GO          ?= go
ADDR        ?= 127.0.0.1:8080
# Fuzzing budgets are counts of executions (about 10 s each on a 2-core
# machine), not durations: with a duration, Go 1.26's fuzzing coordinator
# sometimes fails a target at the deadline with "context deadline
# exceeded" though it found nothing (golang/go#75804, fixed in Go 1.27).
# A count has no deadline to race. Minimising a new input is bounded too.
FUZZ_BANK   ?= 60000x
FUZZ_CODE   ?= 120000x
FUZZ_ANSWER ?= 40000x
FUZZ_SAVE   ?= 8000x
FUZZ_MIN    ?= 200x
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOSEC       ?= github.com/securego/gosec/v2/cmd/gosec@v2.30.0
CRASHKILLS  ?= 50
CANDIDATES  ?= 2000
# make bench runs on SQLite; BACKEND=postgres on a throwaway PostgreSQL
# cluster (the installed binaries) with two replicas of the server.
BACKEND     ?= sqlite
# The suites that touch the database run a second time against a throwaway
# PostgreSQL cluster (internal/pgtest); without PostgreSQL installed they
# skip with a notice, and MXCERT_REQUIRE_POSTGRES=1 (CI) makes that a failure.
PG_SUITES   ?= ./internal/store ./internal/services ./internal/web ./internal/directory ./internal/account \
               ./internal/attempt ./internal/study ./internal/admin ./internal/certificate ./internal/mail

.PHONY: run build test fuzz lint crashtest bench microbench clean

## run: serve the shipped content on $(ADDR) with ./data (created on first start)
run:
	$(GO) run ./cmd/mxcert serve --addr $(ADDR) --content ./content --data ./data

## build: build bin/mxcert
build:
	$(GO) build -o bin/mxcert ./cmd/mxcert

## test: every test, with the race detector, on SQLite; then the database suites on PostgreSQL
test:
	$(GO) test -race -count=1 ./...
	MXCERT_TEST_BACKEND=postgres $(GO) test -race -count=1 $(PG_SUITES)

## fuzz: run each fuzz target briefly (a fixed count of executions; -fuzz takes one target per run)
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseBank$$' -fuzztime $(FUZZ_BANK) -fuzzminimizetime $(FUZZ_MIN) ./internal/content
	$(GO) test -run '^$$' -fuzz '^FuzzNormalizeCode$$' -fuzztime $(FUZZ_CODE) -fuzzminimizetime $(FUZZ_MIN) ./internal/certificate
	$(GO) test -run '^$$' -fuzz '^FuzzParseAnswer$$' -fuzztime $(FUZZ_ANSWER) -fuzzminimizetime $(FUZZ_MIN) ./internal/web
	$(GO) test -run '^$$' -fuzz '^FuzzExamSave$$' -fuzztime $(FUZZ_SAVE) -fuzzminimizetime $(FUZZ_MIN) ./internal/web

## lint: go vet, gofmt, staticcheck and gosec (exclusions are #nosec comments with a reason)
lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) run $(STATICCHECK) ./...
	$(GO) run $(GOSEC) -quiet ./...

## crashtest: SIGKILL the real server CRASHKILLS times under exam load, on SQLite and then on
##            two replicas sharing PostgreSQL, one at a time killed or hung (make test runs 10 and 6)
crashtest:
	$(GO) test -race -count=1 -run '^TestCrashSafety(Postgres)?$$' -v ./internal/crashtest -args -kills $(CRASHKILLS)

## bench: the load benchmark (candidates and employers, beside raw ceilings; about 4-7 minutes)
##        make bench CANDIDATES=100000; make bench BACKEND=postgres (two replicas on a throwaway
##        PostgreSQL cluster); more options in BENCHFLAGS (./bin/mxcert-load -h)
bench:
	$(GO) build -o bin/mxcert-load ./cmd/mxcert-load
	./bin/mxcert-load -candidates $(CANDIDATES) -database $(BACKEND) $(BENCHFLAGS)

## microbench: Go micro-benchmarks (content load, assembly, scoring, PDF, verification page)
microbench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/...

clean:
	rm -rf bin
