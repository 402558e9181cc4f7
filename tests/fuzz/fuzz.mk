# SPDX-License-Identifier: LGPL-2.1-or-later
# The libFuzzer build, separate from the main (gcc) one: the library's sources and each target
# compiled with clang, coverage instrumentation and ASan/UBSan, into $(out). `make fuzz` in the
# build directory runs this file with the variables below; it is plain GNU make rather than
# automake so that one tree can be built with two compilers.
#	srcdir		the source tree		builddir	where config.h is
#	LIB_SOURCES	the library's .c files, relative to srcdir
#	scriptdir, compatdir	as configured	PKG_CFLAGS, PKG_LIBS	the libraries' flags
CLANG ?= clang
out ?= $(builddir)/fuzz-build
TARGETS ?= definition record inventory rules template callout

SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = -std=gnu11 -g -O1 -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers \
	-Werror -fno-omit-frame-pointer $(SAN) -fsanitize=fuzzer-no-link \
	-include $(builddir)/config.h -I$(srcdir)/src $(PKG_CFLAGS) \
	-DMDEVCTL_SCRIPTDIR='"$(scriptdir)"' -DMDEVCTL_COMPATDIR='"$(compatdir)"'

LIB_OBJECTS = $(patsubst src/%.c,$(out)/lib/%.o,$(filter %.c,$(LIB_SOURCES)))

all: $(addprefix $(out)/fuzz-,$(TARGETS))

$(out)/lib/%.o: $(srcdir)/src/%.c $(builddir)/config.h
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -c -o $@ $<

$(out)/fuzz-%.o: $(srcdir)/tests/fuzz/fuzz-%.c $(builddir)/config.h $(wildcard $(srcdir)/src/*.h)
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_CFLAGS) -c -o $@ $<

# Headers are not tracked: any change under src/ rebuilds everything (it takes seconds).
$(LIB_OBJECTS): $(wildcard $(srcdir)/src/*.h)

$(out)/fuzz-%: $(out)/fuzz-%.o $(LIB_OBJECTS)
	$(CLANG) $(SAN) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

.PHONY: all
.SECONDARY:
