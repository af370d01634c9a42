# berth — build, test and demo. Every target installs what it needs.
PREFIX     ?= /usr/local
BINDIR     := $(CURDIR)/bin
GO         ?= go
STATICCHECK_VERSION := v0.8.2
# Debian packages the build and the tests rely on (see docs/dependencies.md).
DEB_PACKAGES := busybox-static libseccomp-dev gcc pkg-config runc crun podman skopeo hyperfine docker-registry umoci nftables iproute2 curl procps
COMMANDS   := $(notdir $(wildcard cmd/*))

export CGO_ENABLED := 1

.PHONY: all build deps install lint test unit e2e demo bench clean

all: build

# deps installs the Debian packages that are missing (as root; CI is root).
deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing >/dev/null 2>&1 || \
	  { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; }; \
	fi

# Binaries without C code (no cgo: static, no dynamic loader or libc mapped);
# the rest link libseccomp and the runtime's nsenter constructor.
PURE_GO    := berth berthd berth-init

build:
	@mkdir -p $(BINDIR)
	CGO_ENABLED=0 $(GO) build -o $(BINDIR)/ $(addprefix ./cmd/,$(PURE_GO))
	$(GO) build -o $(BINDIR)/ $(addprefix ./cmd/,$(filter-out $(PURE_GO) berth-runc,$(COMMANDS)))
	# berth-runc is re-executed on every container start: linked statically
	# it skips the dynamic loader (about 0.5 ms a process, see docs/runtime.md).
	$(GO) build -tags osusergo,netgo -ldflags '-extldflags -static' -o $(BINDIR)/ ./cmd/berth-runc

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	for c in $(COMMANDS); do install -m 0755 $(BINDIR)/$$c $(DESTDIR)$(PREFIX)/bin/$$c; done

$(BINDIR)/staticcheck:
	@mkdir -p $(BINDIR)
	GOBIN=$(BINDIR) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

lint: deps $(BINDIR)/staticcheck
	@unformatted=$$(gofmt -l cmd internal test); if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(BINDIR)/staticcheck ./...

# unit runs every package's tests except the end-to-end suite; the black-box
# packages among them (test/runtime, test/docs) use the binaries just built.
unit: deps build
	BERTH_BINDIR=$(BINDIR) $(GO) test -count=1 $$($(GO) list ./... | grep -v /test/e2e)

# e2e drives the real binaries; BERTH_BINDIR tells the suite where they are.
e2e: deps build
	BERTH_BINDIR=$(BINDIR) $(GO) test -count=1 -timeout 15m ./test/e2e/...

test: lint unit e2e

demo: deps build
	./scripts/demo.sh $(BINDIR)

bench: deps build
	@for b in bench/*.sh; do echo "== $$b"; BERTH_BINDIR=$(BINDIR) bash $$b || exit 1; done

clean:
	rm -rf $(BINDIR)
