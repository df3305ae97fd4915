# Kraken for the JVM. `make` builds, `make check` runs the fast tests, `make test` all of them.
MVN ?= mvn -q -B
# Tests print Surefire's "Tests run:" lines and its summary: CI reads them.
MVN_TEST ?= mvn -B -ntp
PORT ?= 8001
PREFIX ?= /usr/local

.PHONY: all build check test fuzz run bench install install-files clean lua51 lua51libs testdeps test-tools

all: build

# Builds the jars, libkraken.so and the worker's class-data-sharing archive into build/.
build:
	$(MVN) -DskipTests package
	sh native-scripts/assemble build

# Fast tests: unit tests only, no server processes.
check:
	$(MVN_TEST) -Dkraken.test.groups=unit test

# Every test: unit, then integration tests against real servers and the reference lua5.1, and
# the fuzz targets replaying their corpus (regression mode).
test: lua51 lua51libs testdeps test-tools build
	$(MVN_TEST) -Dkraken.test.groups='unit | integration | fuzz' test

# The fuzz targets (module:class#method, tests tagged "fuzz"), each fuzzed by Jazzer for FUZZ_TIME
# (30s, 5m, 1h). A finding is written into the target's committed corpus,
# <module>/src/test/resources/<package>/<Class>Inputs/<method>/, which make test replays; inputs
# that reached new code stay in <module>/.cifuzz-corpus/ and seed the next run. An input slower
# than FUZZ_INPUT_TIMEOUT seconds is a finding too. Logs (executions, cov, ft) in build/fuzz/.
FUZZ_TIME ?= 3m
FUZZ_INPUT_TIMEOUT ?= 10
# Distinct findings after which a target stops (1: at the first).
FUZZ_KEEP_GOING ?= 1
FUZZ_TARGETS ?= kraken-master:kraken.proxy.ProxyHeaderFuzzTest\#proxyHeader \
	kraken-master:kraken.master.status.HttpRequestFuzzTest\#httpRequest \
	kraken-worker:kraken.protocol.WorkerMessageFuzzTest\#workerMessage \
	kraken-worker:kraken.lua.sockets.ReadBufferFuzzTest\#readBuffer \
	kraken-master:kraken.master.LogTextFuzzTest\#logText \
	kraken-worker:kraken.image.ImageFuzzTest\#image
fuzz:
	@mkdir -p build/fuzz; failed=; for t in $(FUZZ_TARGETS); do \
	  module=$${t%%:*}; test=$${t#*:}; log=build/fuzz/$${test##*.}.log; \
	  echo "fuzzing $$test for $(FUZZ_TIME), log in $$log"; \
	  JAZZER_FUZZ=1 JAZZER_MAX_DURATION=$(FUZZ_TIME) JAZZER_KEEP_GOING=$(FUZZ_KEEP_GOING) $(MVN_TEST) -pl $$module -am \
	    -Dkraken.test.groups=fuzz -Dtest="$$test" -Dsurefire.failIfNoSpecifiedTests=false \
	    -Dkraken.test.timeout=0 -Dkraken.fuzz.hooks=true -Djazzer.internal.arg.0=fuzz \
	    -Djazzer.internal.arg.1=-timeout=$(FUZZ_INPUT_TIMEOUT) test >$$log 2>&1 || failed="$$failed $$test"; \
	  grep -E '^(#[0-9]+.*(DONE|pulse)|Done [0-9]+ runs)|Test unit written' $$log | tail -3; \
	done; test -z "$$failed" || { echo "findings (see their logs):$$failed" >&2; exit 1; }

# The reference interpreter the differential tests compare against.
lua51:
	@command -v lua5.1 >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq lua5.1 >/dev/null; }

# Pure-Lua 5.1 libraries from Debian that Lua51LibrariesTest runs under lua5.1 and kraken.
LUA51LIBS = lua-dkjson lua-inspect lua-argparse lua-cliargs lua-basexx lua-binaryheap lua-ansicolors \
	lua-fifo lua-inifile lua-markdown lua-messagepack lua-moses lua-mediator
lua51libs:
	@dpkg -s $(LUA51LIBS) >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq --no-install-recommends $(LUA51LIBS) >/dev/null; }

# The real Prometheus parser the status tests check /metrics with; man and groff check kraken(1).
testdeps:
	@/usr/bin/python3 -c 'import prometheus_client' >/dev/null 2>&1 && command -v groff >/dev/null 2>&1 && command -v man >/dev/null 2>&1 || \
	  { apt-get update -qq && apt-get install -y -qq python3 python3-prometheus-client groff-base man-db >/dev/null; }
# What the systemd and load-balancer tests run for real: systemd-socket-activate and
# systemd-analyze (Debian's systemd), setpriv (util-linux), haproxy; keyutils, debootstrap and
# systemd-container for the walls' tests.
test-tools:
	@command -v systemd-socket-activate >/dev/null 2>&1 && command -v systemd-analyze >/dev/null 2>&1 \
		|| { apt-get update -qq && apt-get install -y -qq systemd >/dev/null; }
	@command -v haproxy >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq haproxy >/dev/null; }
	@command -v setpriv >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq util-linux >/dev/null; }
	@# The walls' tests: keyctl attacks the keyring; debootstrap and systemd-nspawn boot a real systemd.
	@command -v keyctl >/dev/null 2>&1 && command -v debootstrap >/dev/null 2>&1 && command -v systemd-nspawn >/dev/null 2>&1 \
		|| { apt-get update -qq && apt-get install -y -qq keyutils debootstrap systemd-container >/dev/null; }

# Serves the program every user writes (docs/lua-api.md) on $(PORT) with the built-in default configuration.
run: build
	KRAKEN_CONFIG= native-scripts/kraken --config '' examples/hello.lua

bench: build
	sh bench/run.sh
	sh bench/walls.sh

# Where `make install` puts things. DESTDIR stages the whole tree (packaging, tests).
# The units go where systemd looks for installed packages' units, whatever PREFIX is.
SYSCONFDIR ?= /etc
UNITDIR ?= /lib/systemd/system
INITDIR ?= /etc/init.d
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/kraken

install: build install-files

# Installs what `make build` left in build/, without building (the install test runs this).
# The worker archive records the jars' absolute paths, so it is made again where they land.
# /etc/kraken.lua is never overwritten: an administrator's configuration stays as it is.
# The units and the init script name $(PREFIX)/bin/kraken; kraken.service and kraken.socket are
# installed when native-scripts has them.
install-files:
	test -f build/lib/kraken-master.jar || { echo "run make build first" >&2; exit 1; }
	mkdir -p $(DESTDIR)$(PREFIX)/lib/kraken $(DESTDIR)$(PREFIX)/bin
	cp build/lib/*.jar build/lib/libkraken.so $(DESTDIR)$(PREFIX)/lib/kraken/
	sh native-scripts/worker-archive $(DESTDIR)$(PREFIX)/lib/kraken
	sh native-scripts/runtime-jdk $(DESTDIR)$(PREFIX)/lib/kraken
	install -m 755 native-scripts/kraken $(DESTDIR)$(PREFIX)/bin/kraken
	mkdir -p $(DESTDIR)$(SYSCONFDIR)
	test -e $(DESTDIR)$(SYSCONFDIR)/kraken.lua || install -m 644 conf/kraken.lua $(DESTDIR)$(SYSCONFDIR)/kraken.lua
	mkdir -p $(DESTDIR)$(UNITDIR)
	for u in kraken.service kraken.socket; do \
	  if [ -f native-scripts/$$u ]; then \
	    sed 's|/usr/local/bin/kraken|$(PREFIX)/bin/kraken|g' native-scripts/$$u >$(DESTDIR)$(UNITDIR)/$$u && \
	    chmod 644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; \
	  fi; \
	done
	mkdir -p $(DESTDIR)$(INITDIR)
	sed 's|/usr/local/bin/kraken|$(PREFIX)/bin/kraken|g' native-scripts/kraken.init >$(DESTDIR)$(INITDIR)/kraken
	chmod 755 $(DESTDIR)$(INITDIR)/kraken
	mkdir -p $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/kraken.1 $(DESTDIR)$(MANDIR)/man1/kraken.1
	mkdir -p $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR)/docs
	install -m 644 README.md SIGNALS.md $(DESTDIR)$(DOCDIR)/
	install -m 644 docs/*.md $(DESTDIR)$(DOCDIR)/docs/
	install -m 644 examples/hello.lua $(DESTDIR)$(DOCDIR)/examples/

clean:
	$(MVN) clean
	rm -rf build
