# Rampart build.  `make` builds the programs; see README.md for the other targets.
#
#   build/          release objects and the programs rampartd, rampart
#   build/check/    ASan+UBSan objects, programs and test binaries (make check)
#   build/fuzz/     libFuzzer harnesses (make fuzz-smoke)
#
# Sources are discovered: a new .c file under src/ joins librampart, a new tests/*/test_*.c
# becomes a test binary, a new tests/fuzz/fuzz_*.c a harness. main() lives only in
# src/daemon/main.c and src/ctl/main.c.

CC      ?= cc
CLANG   ?= clang
VECTORS ?= $(abspath ../shared/vectors)
export VECTORS

WARN     := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
            -Wpointer-arith -Wformat=2 -Wvla -Wimplicit-fallthrough -Wundef
BASEFLAGS := -std=c11 -D_GNU_SOURCE -Isrc -MMD -MP $(WARN)
REL_CFLAGS   := $(BASEFLAGS) -O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2
CHECK_CFLAGS := $(BASEFLAGS) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
                -fno-sanitize-recover=all -DRAMPART_TEST_BUILD
FUZZ_CFLAGS  := $(BASEFLAGS) -O1 -g -fno-omit-frame-pointer \
                -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
                -DRAMPART_TEST_BUILD -DRAMPART_FUZZ_BUILD
LIBS       := -lcrypto -lpthread
TEST_LIBS  := $(LIBS) -ljansson

MAINS    := src/daemon/main.c src/ctl/main.c
LIB_SRC  := $(filter-out $(MAINS),$(sort $(wildcard src/*/*.c src/*/*/*.c)))
TEST_SUPPORT_SRC := $(sort $(wildcard tests/support/*.c))
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c tests/exchange/test_*.c))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))

REL_OBJ   := $(LIB_SRC:%.c=build/obj/%.o)
CHECK_OBJ := $(LIB_SRC:%.c=build/check/obj/%.o)
FUZZ_OBJ  := $(LIB_SRC:%.c=build/fuzz/obj/%.o)
TEST_BIN  := $(patsubst %.c,build/check/%,$(TEST_SRC))
FUZZ_BIN  := $(patsubst tests/fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
BENCH_BIN := $(patsubst bench/%.c,build/bench/%,$(BENCH_SRC))

.PHONY: all check check-build demo bench fuzz fuzz-smoke deps-build deps-check deps-demo \
        deps-bench clean format
.DEFAULT_GOAL := all

all: build/rampartd build/rampart

build/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -c $< -o $@

build/check/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CHECK_CFLAGS) -c $< -o $@

build/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -c $< -o $@

build/librampart.a: $(REL_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/check/librampart.a: $(CHECK_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/fuzz/librampart.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

build/rampartd: build/obj/src/daemon/main.o build/librampart.a
	$(CC) $(REL_CFLAGS) -o $@ $^ $(LIBS)

build/rampart: build/obj/src/ctl/main.o build/librampart.a
	$(CC) $(REL_CFLAGS) -o $@ $^ $(LIBS)

build/check/rampartd: build/check/obj/src/daemon/main.o build/check/librampart.a
	$(CC) $(CHECK_CFLAGS) -o $@ $^ $(LIBS)

build/check/rampart: build/check/obj/src/ctl/main.o build/check/librampart.a
	$(CC) $(CHECK_CFLAGS) -o $@ $^ $(LIBS)

TEST_SUPPORT_OBJ := $(TEST_SUPPORT_SRC:%.c=build/check/obj/%.o)
build/check/tests/%: tests/%.c $(TEST_SUPPORT_OBJ) build/check/librampart.a
	@mkdir -p $(dir $@)
	$(CC) $(CHECK_CFLAGS) -Itests -o $@ $< $(TEST_SUPPORT_OBJ) build/check/librampart.a $(TEST_LIBS)

build/check/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CHECK_CFLAGS) -Itests -c $< -o $@

build/fuzz/%: tests/fuzz/%.c build/fuzz/librampart.a
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< build/fuzz/librampart.a $(LIBS)

build/bench/%: bench/%.c build/librampart.a
	@mkdir -p $(dir $@)
	$(CC) $(REL_CFLAGS) -o $@ $< build/librampart.a $(LIBS)

deps-build deps-check deps-demo deps-bench:
	@sh scripts/deps.sh $(@:deps-%=%)

check-build: deps-check
	$(MAKE) build/check/rampartd build/check/rampart $(TEST_BIN) build/rampartd build/rampart

# The test command: every unit, exchange, namespace and interop test under ASan and UBSan.
check: check-build
	@RAMPARTD=$(abspath build/check/rampartd) RAMPART=$(abspath build/check/rampart) \
		sh tests/run.sh $(TEST_BIN)

fuzz: deps-check
	$(MAKE) $(FUZZ_BIN)

# Runs each harness for FUZZ_TIME seconds on its committed corpus and seeds.
FUZZ_TIME ?= 60
fuzz-smoke: fuzz
	@FUZZ_TIME=$(FUZZ_TIME) sh tests/fuzz/smoke.sh $(FUZZ_BIN)

demo: deps-demo all
	@sh scripts/demo.sh

bench: deps-bench all $(BENCH_BIN)
	@sh bench/run.sh

format:
	clang-format -i $(LIB_SRC) $(MAINS) $(TEST_SRC) $(FUZZ_SRC)

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
