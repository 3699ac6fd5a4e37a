# himama - build, test and run.  `make V=1` shows the commands.
#
#   make            build ./himama
#   make deps       install the Debian packages it needs (when missing)
#   make test       unit tests (cmocka) and end-to-end tests
#   make sanitize   the same tests under AddressSanitizer and UBSan
#   make valgrind   the unit tests under valgrind's leak checker
#   make demo       a synthetic district: ingest and reports
#   make bench      measured figures (SCALE=district|city|nation)
#   make install    PREFIX=/usr/local

PREFIX ?= /usr/local
CC ?= cc
Q = @
ifeq ($(V),1)
Q =
endif

DEPS_PKGS = build-essential pkg-config libsqlite3-dev sqlite3 libxlsxwriter-dev \
	libhpdf-dev libcmocka-dev fonts-wqy-microhei poppler-utils qpdf mupdf-tools \
	python3 python3-openpyxl valgrind libminizip-dev libexpat1-dev libssl-dev zip time

DATADIR = $(PREFIX)/share/himama
WARN = -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes \
	-Wshadow -Wwrite-strings -Wformat=2 -Wvla -Wno-format-nonliteral
HM_CFLAGS = -std=c11 -g -O2 -pthread $(WARN)
HM_CPPFLAGS = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude \
	-DHM_DATADIR='"$(DATADIR)"'
LIBS = $(shell pkg-config --libs sqlite3 xlsxwriter minizip expat libcrypto 2>/dev/null || echo -lsqlite3 -lxlsxwriter -lminizip -lexpat -lz -lcrypto) -lhpdf -lm -pthread
TEST_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null || echo -lcmocka)

BUILD = build
ifneq ($(SANITIZE),)
BUILD = build-$(if $(filter thread,$(SANITIZE)),tsan,san)
HM_CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all -O1
LDSAN = -fsanitize=$(SANITIZE)
endif

# The stages make libhimama.a; the tools (synthetic data, intake forms) and
# the command layer (but main.c) are archives of their own above it, so a
# stage cannot call up into them without the link failing.
SRC = $(sort $(filter-out pipeline/cli/% pipeline/tools/%,$(wildcard pipeline/*/*.c)))
OBJ = $(SRC:%.c=$(BUILD)/%.o)
TOOLS_SRC = $(sort $(wildcard pipeline/tools/*.c))
TOOLS_OBJ = $(TOOLS_SRC:%.c=$(BUILD)/%.o)
CLI_SRC = $(sort $(filter-out pipeline/cli/main.c,$(wildcard pipeline/cli/*.c)))
CLI_OBJ = $(CLI_SRC:%.c=$(BUILD)/%.o)
LIBS_OWN = $(BUILD)/libhimama-cli.a $(BUILD)/libhimama-tools.a $(BUILD)/libhimama.a
TEST_SRC = $(sort $(wildcard tests/test_*.c))
TEST_BIN = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
HDRS = $(wildcard include/*.h include/himama/*.h)

.PHONY: all deps test unit e2e sanitize tsan valgrind demo bench install clean fuzz fuzz-regress

all: himama

himama: $(BUILD)/himama
	$(Q)if [ "$(BUILD)" = build ]; then cp $< $@.tmp && mv -f $@.tmp $@; fi

$(BUILD)/himama: $(BUILD)/pipeline/cli/main.o $(LIBS_OWN)
	@echo "  LINK    $@"
	$(Q)$(CC) $(LDSAN) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/libhimama.a: $(OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/libhimama-tools.a: $(TOOLS_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/libhimama-cli.a: $(CLI_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(HM_CPPFLAGS) $(CPPFLAGS) $(HM_CFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/%.c tests/test_util.h $(LIBS_OWN) $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(HM_CPPFLAGS) $(CPPFLAGS) $(HM_CFLAGS) $(CFLAGS) -o $@ $< \
		$(LIBS_OWN) $(LDSAN) $(LIBS) $(TEST_LIBS)

deps:
	$(Q)missing=""; for p in $(DEPS_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

test: deps
	$(Q)$(MAKE) --no-print-directory $(BUILD)/himama $(TEST_BIN)
	$(Q)$(MAKE) --no-print-directory fuzz-regress
	$(Q)HIMAMA_BIN=$(CURDIR)/$(BUILD)/himama tests/run.sh $(TEST_BIN)

sanitize: deps
	$(Q)$(MAKE) --no-print-directory SANITIZE=address,undefined test

# The commands that run threads, by a ThreadSanitizer build (tests/tsan/).
tsan: deps
	$(Q)$(MAKE) --no-print-directory build/himama
	$(Q)$(MAKE) --no-print-directory SANITIZE=thread build-tsan/himama
	$(Q)HIMAMA_BIN=$(CURDIR)/build/himama HIMAMA_TSAN_BIN=$(CURDIR)/build-tsan/himama \
		tests/tsan/threads.sh && echo "tsan: no race reported"

valgrind: deps
	$(Q)$(MAKE) --no-print-directory $(TEST_BIN)
	$(Q)HIMAMA_VALGRIND=1 tests/run.sh --unit-only $(TEST_BIN)

demo: deps himama
	$(Q)tests/demo.sh

bench: deps himama
	$(Q)SCALE=$(or $(SCALE),city) tests/bench.sh

# The installed program finds its queries and templates in PREFIX/share/himama
# (beside PREFIX/bin, even when the tree is moved; HM_DATADIR otherwise).
MANDIR = $(PREFIX)/share/man/man1
install: himama
	$(Q)install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/queries \
		$(DESTDIR)$(DATADIR)/templates $(DESTDIR)$(MANDIR)
	$(Q)install -m 755 himama $(DESTDIR)$(PREFIX)/bin/himama
	$(Q)install -m 644 queries/*.sql $(DESTDIR)$(DATADIR)/queries/
	$(Q)install -m 644 templates/* $(DESTDIR)$(DATADIR)/templates/
	$(Q)install -m 644 docs/himama.1 $(DESTDIR)$(MANDIR)/himama.1
	@echo "  INSTALL $(DESTDIR)$(PREFIX)/bin/himama, $(DESTDIR)$(DATADIR), $(DESTDIR)$(MANDIR)/himama.1"

clean:
	rm -rf build build-san build-tsan himama

# ---- fuzzing ------------------------------------------------------------
# make fuzz [FUZZ_SECONDS=N]  run each libFuzzer harness in tests/fuzz/ for N
#                             seconds (clang; the library is built apart in
#                             build/libfuzzer/); new inputs are kept in
#                             build/libfuzzer/corpus/, crashes in .../crashes/
# make fuzz-regress           the same harnesses without libFuzzer, replaying
#                             the seed corpora and tests/fuzz/regress/ once
#                             (part of `make test`, sanitized by `make sanitize`)
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_TARGETS = fuzz_csv fuzz_fields fuzz_template fuzz_xlsx
FUZZ_BUILD = build/libfuzzer
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_OBJ = $(SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_BIN = $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/%)
REPLAY_BIN = $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)

$(FUZZ_BUILD)/pipeline/%.o: pipeline/%.c $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(HM_CPPFLAGS) -std=c11 -g -O1 $(WARN) $(FUZZ_SAN) \
		-fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_BUILD)/libhimama.a: $(FUZZ_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_BIN): $(FUZZ_BUILD)/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_BUILD)/libhimama.a $(HDRS)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(HM_CPPFLAGS) -std=c11 -g -O1 $(WARN) $(FUZZ_SAN) -fsanitize=fuzzer \
		-o $@ $< $(FUZZ_BUILD)/libhimama.a $(LIBS)

fuzz: $(FUZZ_BIN)
	$(Q)for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/crashes/$$t || exit 1; \
		dict=; [ -f tests/fuzz/$$t.dict ] && dict=-dict=tests/fuzz/$$t.dict; \
		echo "  FUZZ    $$t for $(FUZZ_SECONDS)s"; \
		$(FUZZ_BUILD)/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_BUILD)/crashes/$$t/ $$dict \
			$(FUZZ_BUILD)/corpus/$$t tests/fuzz/corpus/$$t || exit 1; \
	done

$(REPLAY_BIN): $(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(BUILD)/libhimama.a $(HDRS)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(HM_CPPFLAGS) $(CPPFLAGS) $(HM_CFLAGS) $(CFLAGS) -o $@ $< tests/fuzz/replay.c \
		$(BUILD)/libhimama.a $(LDSAN) $(LIBS)

fuzz-regress: $(REPLAY_BIN)
	$(Q)for t in $(FUZZ_TARGETS); do \
		printf '  %-28s ' "fuzz/$$t"; \
		$(BUILD)/fuzz/$$t tests/fuzz/corpus/$$t tests/fuzz/regress/$$t || exit 1; \
	done
