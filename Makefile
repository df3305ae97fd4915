# Kraken for the JVM. `make` builds, `make check` runs the fast tests, `make test` all of them.
MVN ?= mvn -q -B
# Tests print Surefire's "Tests run:" lines and its summary: CI reads them.
MVN_TEST ?= mvn -B -ntp
PORT ?= 8001
PREFIX ?= /usr/local

.PHONY: all build check test run bench install clean lua51 test-tools

all: build

# Builds the jars, libkraken.so and the worker's class-data-sharing archive into build/.
build:
	$(MVN) -DskipTests package
	sh native-scripts/assemble build

# Fast tests: unit tests only, no server processes.
check:
	$(MVN_TEST) -Dkraken.test.groups=unit test

# Every test: unit, then integration tests against real servers and the reference lua5.1.
test: lua51 test-tools build
	$(MVN_TEST) -Dkraken.test.groups='unit | integration' test

# The reference interpreter the differential tests compare against.
lua51:
	@command -v lua5.1 >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq lua5.1 >/dev/null; }

# What the systemd and load-balancer tests run for real: systemd-socket-activate and
# systemd-analyze (Debian's systemd), setpriv (util-linux), haproxy.
test-tools:
	@command -v systemd-socket-activate >/dev/null 2>&1 && command -v systemd-analyze >/dev/null 2>&1 \
		|| { apt-get update -qq && apt-get install -y -qq systemd >/dev/null; }
	@command -v haproxy >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq haproxy >/dev/null; }
	@command -v setpriv >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq util-linux >/dev/null; }

# Serves the SPEC section 1 program on $(PORT) with the built-in default configuration.
run: build
	KRAKEN_CONFIG= native-scripts/kraken --config '' examples/hello.lua

bench: build
	sh bench/run.sh

# The worker archive records the jars' absolute paths, so it is made again where they land.
install: build
	mkdir -p $(DESTDIR)$(PREFIX)/lib/kraken $(DESTDIR)$(PREFIX)/bin
	cp build/lib/*.jar build/lib/libkraken.so $(DESTDIR)$(PREFIX)/lib/kraken/
	sh native-scripts/worker-archive $(DESTDIR)$(PREFIX)/lib/kraken
	cp native-scripts/kraken $(DESTDIR)$(PREFIX)/bin/kraken

clean:
	$(MVN) clean
	rm -rf build
