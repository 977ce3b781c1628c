# MxOS Certificación — the commands people expect.
GO          ?= go
ADDR        ?= 127.0.0.1:8080
FUZZTIME    ?= 10s
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: run build test fuzz lint bench microbench clean

## run: serve the shipped content on $(ADDR) with ./data (created on first start)
run:
	$(GO) run ./cmd/mxcert serve --addr $(ADDR) --content ./content --data ./data

## build: build bin/mxcert
build:
	$(GO) build -o bin/mxcert ./cmd/mxcert

## test: every test, with the race detector
test:
	$(GO) test -race -count=1 ./...

## fuzz: run each fuzz target briefly (FUZZTIME per target)
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParseBank$$' -fuzztime $(FUZZTIME) ./internal/content

## lint: go vet, gofmt and staticcheck
lint:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) run $(STATICCHECK) ./...

## bench: the load benchmark (candidates and employers, beside raw ceilings; about 2-3 minutes)
bench:
	$(GO) build -o bin/mxcert-load ./cmd/mxcert-load
	./bin/mxcert-load $(BENCHFLAGS)

## microbench: Go micro-benchmarks (content load, assembly, scoring, PDF, verification page)
microbench:
	$(GO) test -run '^$$' -bench . -benchmem ./internal/...

clean:
	rm -rf bin
