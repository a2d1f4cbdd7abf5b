# user/user.mk - user programs: the project's C library, the programs built on it,
# and standard C programs built with musl.
#
#   include user/user.mk          from the top-level Makefile (uses its CROSS, BUILD, NASM)
#   make -f user/user.mk user     on its own, with the defaults below
#
#   $(BUILD)/user/lib/*.o         user/lib/: crt0 and the library
#   $(BUILD)/user/bin/NAME        user/bin/NAME.c linked with the library
#   $(BUILD)/user/musl/NAME       user/musl/NAME.c linked with Debian's musl (musl-dev:i386),
#                                 only when its specs file exists
#
# Defines USER_PROGS (every program's path), USER_BIN_PROGS, USER_MUSL_PROGS
# (empty without musl), and the phony targets `user` (build them all) and
# `user-check-linux` (run them on this Linux host: tests/user/check-on-linux.sh).
#
# Every program is a static ELF executable for i386 (ET_EXEC, EM_386) linked at
# the usual 0x08048000, without PT_INTERP or any dynamic section: the kernel's
# loader maps its PT_LOAD segments and jumps to the entry point, nothing more.
# The programs keep their symbols and debug information (gdb, objdump -S).

CROSS ?= i686-linux-gnu-
BUILD ?= build
NASM  ?= nasm

USER_CC := $(CROSS)gcc
# The flags of the brief, plus: no .eh_frame (nothing unwinds), dependency files.
USER_CFLAGS := -std=c11 -m32 -march=i486 -O1 -g -ffreestanding -fno-builtin -fno-pie \
               -fno-stack-protector -nostdlib -Wall -Wextra -Werror \
               -fno-asynchronous-unwind-tables -MMD -MP -Iuser/lib
USER_LDFLAGS := -m32 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,noexecstack
USER_NASMFLAGS := -f elf32 -g -F dwarf

USER_LIB_OBJS := $(BUILD)/user/lib/crt0.o \
                 $(patsubst user/lib/%.c,$(BUILD)/user/lib/%.o,$(wildcard user/lib/*.c))
USER_BIN_PROGS := $(patsubst user/bin/%.c,$(BUILD)/user/bin/%,$(wildcard user/bin/*.c))

# musl: a real C library for ordinary programs. Debian's musl-gcc.specs points
# GCC at musl's headers, start files and libc.a instead of glibc's.
USER_MUSL_SPECS ?= /usr/lib/i386-linux-musl/musl-gcc.specs
USER_MUSL_CC    ?= i686-linux-gnu-gcc
USER_MUSL_CFLAGS := -specs $(USER_MUSL_SPECS) -static -O2 -g -Wall -Wextra -Werror -MMD -MP
# Both the specs file and the Linux-targeted compiler must be there (with CROSS=i686-elf-
# the library's programs build with that compiler, but musl needs i686-linux-gnu-gcc).
ifneq ($(and $(wildcard $(USER_MUSL_SPECS)),$(shell command -v $(USER_MUSL_CC) 2>/dev/null)),)
  USER_MUSL_PROGS := $(patsubst user/musl/%.c,$(BUILD)/user/musl/%,$(wildcard user/musl/*.c))
else
  USER_MUSL_PROGS :=
endif

USER_PROGS := $(USER_BIN_PROGS) $(USER_MUSL_PROGS)

.PHONY: user user-check-linux
user: $(USER_PROGS)

user-check-linux: user
	BUILD=$(BUILD) NO_BUILD=1 sh tests/user/check-on-linux.sh

$(BUILD)/user/lib/%.o: user/lib/%.c
	@mkdir -p $(dir $@)
	$(USER_CC) $(USER_CFLAGS) -c $< -o $@

$(BUILD)/user/lib/crt0.o: user/lib/crt0.asm
	@mkdir -p $(dir $@)
	$(NASM) $(USER_NASMFLAGS) $< -o $@

$(BUILD)/user/bin/%.o: user/bin/%.c
	@mkdir -p $(dir $@)
	$(USER_CC) $(USER_CFLAGS) -c $< -o $@

# crt0.o first: _start is the entry point wherever it lies, but first is where
# a reader of the disassembly looks for it. libgcc last, for anything GCC calls
# behind our back (64-bit division); today nothing is taken from it.
$(USER_BIN_PROGS): $(BUILD)/user/bin/%: $(BUILD)/user/bin/%.o $(USER_LIB_OBJS)
	$(USER_CC) $(USER_LDFLAGS) -o $@ $(USER_LIB_OBJS) $< -lgcc

$(USER_MUSL_PROGS): $(BUILD)/user/musl/%: user/musl/%.c
	@mkdir -p $(dir $@)
	$(USER_MUSL_CC) $(USER_MUSL_CFLAGS) -o $@ $<

-include $(wildcard $(BUILD)/user/*/*.d)
