# Makefile - build, run and test the kernel.
#
#   make            kernel.elf, plus kernel.sym (symbol map) and kernel.asm (disassembly)
#   make iso        a bootable GRUB ISO (build/os.iso)
#   make run        boot the ISO in QEMU (VGA window when a display exists, serial here)
#   make run-uefi   the same under UEFI firmware (OVMF, qemu-system-x86_64)
#   make run-nox    boot with serial only, in this terminal
#   make debug      boot halted, waiting for gdb (see .gdbinit)
#   make test       host unit tests, fuzz smoke runs and headless boot tests
#   make bench      host benchmarks of the frame allocator and the heap
#   make fuzz       run every fuzzer for FUZZ_TIME seconds
#   make lint       static checks: clang build, cppcheck, clang-tidy, format-check
#   make format     apply .clang-format to every C source and header
#   make clean
#
# Tools: i686-elf-* when on PATH, else Debian's i686-linux-gnu-* cross tools;
# override with CROSS=prefix-. Missing tools are installed by tools/ensure-tools.sh.

# ---------------------------------------------------------------- toolchain
ifeq ($(origin CROSS),undefined)
  ifneq ($(shell command -v i686-elf-gcc 2>/dev/null),)
    CROSS := i686-elf-
  else
    CROSS := i686-linux-gnu-
  endif
endif

CC      := $(CROSS)gcc
LD      := $(CROSS)ld
OBJCOPY := $(CROSS)objcopy
OBJDUMP := $(CROSS)objdump
NM      := $(CROSS)nm
NASM    := nasm
QEMU    ?= qemu-system-i386
HOST_CC ?= cc
FUZZ_CC ?= clang

BUILD := build

# -march=i486: the kernel must run on a 486 (no CMOV, no PSE assumed).
# -fno-omit-frame-pointer: backtraces walk the EBP chain.
CFLAGS := -std=c11 -O1 -g -Wall -Wextra -Werror \
          -ffreestanding -fno-pie -fno-pic -fno-stack-protector -nostdlib \
          -fno-omit-frame-pointer -fno-builtin -march=i486 -m32 \
          -mno-sse -mno-mmx -mno-80387 -fno-asynchronous-unwind-tables \
          -MMD -MP -I. -Imm -Ikernel -Idrivers
LDFLAGS := -nostdlib -T linker.ld -m elf_i386 --no-dynamic-linker -z noexecstack
NASMFLAGS := -f elf32 -g -F dwarf -I boot/ -I $(BUILD)/gen/

# --------------------------------------------------------------- host tests
HOST_CFLAGS := -std=c11 -g -O1 -Wall -Wextra -Werror -fno-omit-frame-pointer \
               -fsanitize=address,undefined -fno-sanitize-recover=all \
               -DMM_HOSTED -I. -Imm -Itests/host
BENCH_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -DMM_HOSTED -DNDEBUG -I. -Imm -Itests/host
FUZZ_CFLAGS := -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
               -DMM_HOSTED -I. -Imm -Itests/host
HOST_SHIM := tests/host/host_shim.c

# Which mm/ (or kernel/) sources each host program is built from.
HOST_SRCS_memmap  := mm/memmap.c
HOST_SRCS_pmm     := mm/memmap.c mm/pmm.c
HOST_SRCS_heap    := mm/heap.c
HOST_SRCS_vrange  := mm/vrange.c
HOST_SRCS_kprintf := kernel/format.c
HOST_SRCS_cmdline := kernel/cmdline.c
HOST_SRCS_mmu     :=
HOST_SRCS_fb      := drivers/fb.c
HOST_SRCS_elf     := kernel/elf.c
HOST_SRCS_frameref := mm/frameref.c
HOST_SRCS_region  := mm/region.c
HOST_SRCS_swaparea := mm/swaparea.c
HOST_SRCS_swapmap := mm/swapmap.c

HOST_TESTS := $(patsubst tests/host/%.c,$(BUILD)/host/%,$(wildcard tests/host/test_*.c))
FUZZERS    := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
BENCHES    := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(wildcard tests/bench/bench_*.c))
FUZZ_TIME  ?= 60

.SECONDEXPANSION:

$(BUILD)/host/test_%: tests/host/test_%.c $(HOST_SHIM) $$(HOST_SRCS_$$*) $(wildcard tests/host/*.h) $(wildcard mm/*.h kernel/*.h drivers/*.h)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $< $(HOST_SHIM) $(HOST_SRCS_$*)

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(HOST_SHIM) $$(HOST_SRCS_$$*) $(wildcard mm/*.h kernel/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(HOST_SHIM) $(HOST_SRCS_$*)

$(BUILD)/bench/bench_%: tests/bench/bench_%.c $(HOST_SHIM) $$(HOST_SRCS_$$*) $(wildcard mm/*.h tests/bench/*.h)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(BENCH_CFLAGS) -o $@ $< $(HOST_SHIM) $(HOST_SRCS_$*)

.PHONY: host-tests fuzzers benches bench fuzz
host-tests: $(HOST_TESTS)
fuzzers: $(FUZZERS)
benches: $(BENCHES)

bench: $(BENCHES) kernel $(BUILD)/user/bin/ubench $(BUILD)/user/bin/big100k $(BUILD)/user/bin/swapbench
	@for b in $(BENCHES); do echo "== $$b"; $$b || exit 1; done
	@sh tests/bench/guest-bench.sh

fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do n=$$(basename $$f); mkdir -p $(BUILD)/fuzz/corpus-$$n; \
	  echo "== $$n for $(FUZZ_TIME)s"; \
	  $$f -max_total_time=$(FUZZ_TIME) -print_final_stats=1 $(BUILD)/fuzz/corpus-$$n tests/fuzz/corpus/$$n || exit 1; done

# ------------------------------------------------------------------- kernel
KERNEL_C   := $(wildcard kernel/*.c drivers/*.c mm/*.c)
KERNEL_ASM := boot/boot.asm kernel/isr.asm kernel/swtch.asm
KERNEL_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(KERNEL_C)) $(patsubst %.asm,$(BUILD)/%.o,$(KERNEL_ASM)) \
               $(BUILD)/gen/font.o
# The framebuffer console's font: a Linux console font (Debian's console-setup-linux),
# converted to C at build time (drivers/font.h).
FONT_PSF ?= /usr/share/consolefonts/Uni2-VGA16.psf.gz
GEN_INC := $(BUILD)/gen/memlayout.inc $(BUILD)/gen/mmu.inc $(BUILD)/gen/gdt.inc
.SECONDARY: $(GEN_INC)

.PHONY: all kernel iso run run-uefi run-nox debug test clean tools tools-run tools-test
.DEFAULT_GOAL := all

all: kernel
kernel: tools $(BUILD)/kernel.elf $(BUILD)/kernel.sym $(BUILD)/kernel.asm

tools:
	@CROSS=$(CROSS) FONT_PSF=$(FONT_PSF) sh tools/ensure-tools.sh kernel
tools-run:
	@CROSS=$(CROSS) sh tools/ensure-tools.sh run
tools-test:
	@CROSS=$(CROSS) sh tools/ensure-tools.sh test

# NASM include files generated from the C headers: one source for both languages.
# The simple integer #defines between NASM-BEGIN and NASM-END, as %defines.
HEADER_TO_NASM = sed -n '/NASM-BEGIN/,/NASM-END/s/^\#define[ \t]\+\([A-Z0-9_]\+\)[ \t]\+\([0-9A-Fa-fx]\+\).*/%define \1 \2/p' $< > $@

$(BUILD)/gen/%.inc: mm/%.h
	@mkdir -p $(dir $@)
	$(HEADER_TO_NASM)

$(BUILD)/gen/gdt.inc: kernel/gdt.h
	@mkdir -p $(dir $@)
	$(HEADER_TO_NASM)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# The font's path is remembered in a stamp, so `make FONT_PSF=other.psf.gz` regenerates it.
$(BUILD)/gen/font.path: FORCE
	@mkdir -p $(dir $@)
	@echo '$(FONT_PSF)' | cmp -s - $@ 2>/dev/null || echo '$(FONT_PSF)' > $@

$(BUILD)/gen/font.c: tools/psf2c.sh $(BUILD)/gen/font.path $(wildcard $(FONT_PSF))
	@mkdir -p $(dir $@)
	sh tools/psf2c.sh $(FONT_PSF) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/font.o: $(BUILD)/gen/font.c
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.asm $(GEN_INC)
	@mkdir -p $(dir $@)
	$(NASM) $(NASMFLAGS) $< -o $@

# Two links: the first with an empty symbol table, the second with the table of
# the first's text symbols. The table sits after .text, so text cannot move; the
# cmp below proves it.
$(BUILD)/gen/ksyms0.asm: tools/gensyms.sh
	@mkdir -p $(dir $@)
	sh tools/gensyms.sh $(NM) > $@

$(BUILD)/kernel0.elf: $(KERNEL_OBJS) $(BUILD)/gen/ksyms0.o linker.ld
	$(LD) $(LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/gen/ksyms0.o

$(BUILD)/gen/ksyms.asm: $(BUILD)/kernel0.elf tools/gensyms.sh
	sh tools/gensyms.sh $(NM) $< > $@

$(BUILD)/kernel.elf: $(KERNEL_OBJS) $(BUILD)/gen/ksyms.o linker.ld
	$(LD) $(LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/gen/ksyms.o
	@$(NM) -n $(BUILD)/kernel0.elf | grep ' [tT] ' > $(BUILD)/gen/text0.txt
	@$(NM) -n $@ | grep ' [tT] ' > $(BUILD)/gen/text1.txt
	@cmp -s $(BUILD)/gen/text0.txt $(BUILD)/gen/text1.txt || \
	  { echo "error: text moved between the two links; the symbol table would be wrong"; exit 1; }

$(BUILD)/gen/%.o: $(BUILD)/gen/%.asm
	$(NASM) $(NASMFLAGS) $< -o $@

$(BUILD)/kernel.sym: $(BUILD)/kernel.elf
	$(NM) -n $< > $@

$(BUILD)/kernel.asm: $(BUILD)/kernel.elf
	$(OBJDUMP) -d -S -M intel $< > $@

# ------------------------------------------------------------ user programs
# user/user.mk builds the project's C library, its programs and the musl ones
# (USER_PROGS). Two deliberately broken "programs" join them as modules, for
# execve's error paths: a text file and an ELF cut off after its headers.
include user/user.mk
USER_BAD := $(BUILD)/user/bad/notelf $(BUILD)/user/bad/truncated
USER_MODULES := $(USER_PROGS) $(USER_BAD)

$(BUILD)/user/bad/notelf:
	@mkdir -p $(dir $@)
	printf 'this is a text file, not an ELF program\n' > $@

$(BUILD)/user/bad/truncated: $(BUILD)/user/bin/hello
	@mkdir -p $(dir $@)
	head -c 200 $< > $@

# --------------------------------------------------------------------- ISO
# Every user program goes on the ISO as /bin/NAME and into each menu entry as a
# multiboot module (iso/grub.cfg's @MODULES@ line).
$(BUILD)/os.iso: $(BUILD)/kernel.elf iso/grub.cfg $(USER_MODULES)
	@rm -rf $(BUILD)/isodir
	@mkdir -p $(BUILD)/isodir/boot/grub $(BUILD)/isodir/bin
	cp $(BUILD)/kernel.elf $(BUILD)/isodir/boot/kernel.elf
	cp $(USER_MODULES) $(BUILD)/isodir/bin/
	mods=$$(for m in $(USER_MODULES); do n=$$(basename $$m); printf '    module /bin/%s /bin/%s\\n' $$n $$n; done); \
	  awk -v mods="$$mods" '/@MODULES@/ { printf "%s", mods; next } { print }' iso/grub.cfg \
	  > $(BUILD)/isodir/boot/grub/grub.cfg
	grub-mkrescue -o $@ $(BUILD)/isodir 2> $(BUILD)/grub-mkrescue.log || \
	  { cat $(BUILD)/grub-mkrescue.log; exit 1; }

iso: tools-run kernel $(BUILD)/os.iso

# ---------------------------------------------------------------------- run
QEMU_MEM ?= 128M
QEMU_COMMON := -m $(QEMU_MEM) -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04
# The VGA window when there is a display; otherwise serial only.
QEMU_DISPLAY := $(if $(DISPLAY)$(WAYLAND_DISPLAY),,-display none)

run: iso
	$(QEMU) $(QEMU_COMMON) -cdrom $(BUILD)/os.iso -serial mon:stdio $(QEMU_DISPLAY)

# UEFI: the same ISO under 64-bit OVMF (its variable store copied, as firmware writes to it).
OVMF_CODE ?= /usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS ?= /usr/share/OVMF/OVMF_VARS_4M.fd
run-uefi: iso
	cp $(OVMF_VARS) $(BUILD)/ovmf-vars.fd
	qemu-system-x86_64 $(QEMU_COMMON) -drive if=pflash,format=raw,unit=0,readonly=on,file=$(OVMF_CODE) \
	  -drive if=pflash,format=raw,unit=1,file=$(BUILD)/ovmf-vars.fd \
	  -cdrom $(BUILD)/os.iso -serial mon:stdio $(QEMU_DISPLAY)

run-nox: iso
	$(QEMU) $(QEMU_COMMON) -cdrom $(BUILD)/os.iso -nographic

debug: iso
	@echo 'QEMU is waiting for gdb on localhost:1234: run "gdb -x .gdbinit" in this directory (it loads the symbols)'
	$(QEMU) $(QEMU_COMMON) -cdrom $(BUILD)/os.iso -serial mon:stdio $(QEMU_DISPLAY) -s -S

# --------------------------------------------------------------------- test
test: tools-test kernel $(BUILD)/os.iso $(HOST_TESTS) $(FUZZERS) $(USER_MODULES)
	@USER_MODULES="$(USER_MODULES)" sh tests/run-tests.sh

# --------------------------------------------------------------------- lint
# make lint: the static checks, every one an error. The kernel built and linked
# with clang beside GCC (build/clang/kernel.elf), cppcheck and clang-tidy over
# kernel/ drivers/ mm/ (tools/cppcheck.supp, .clang-tidy), and format-check.
# make format rewrites every C source in place with .clang-format.
CLANG        ?= clang
CLANG_TIDY   ?= clang-tidy
CLANG_FORMAT ?= clang-format
CPPCHECK     ?= cppcheck
LLD          ?= ld.lld
LINT_JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
# The kernel's own flags, for clang's bare-metal i686 target.
CLANG_CFLAGS := --target=i686-elf $(CFLAGS)
# clang-tidy parses with the same target and flags (no -Werror: its own checks decide).
TIDY_FLAGS   := --target=i686-elf $(filter-out -Werror -MMD -MP -g,$(CFLAGS))
CPPCHECK_FLAGS := --enable=warning,style,performance,portability --std=c11 --platform=unix32 \
                  --error-exitcode=1 --inline-suppr --quiet --suppress=missingIncludeSystem \
                  --suppressions-list=tools/cppcheck.supp -j $(LINT_JOBS) -I. -Imm -Ikernel -Idrivers
FORMAT_SRCS   = $(wildcard kernel/*.[ch] drivers/*.[ch] mm/*.[ch] tests/host/*.[ch] \
                           tests/fuzz/*.[ch] tests/bench/*.[ch])
CLANG_OBJS   := $(patsubst %.c,$(BUILD)/clang/%.o,$(KERNEL_C)) $(BUILD)/clang/gen/font.o
CLANG_LINK   := $(CLANG_OBJS) $(patsubst %.asm,$(BUILD)/%.o,$(KERNEL_ASM))

.PHONY: lint tools-lint lint-clang cppcheck clang-tidy format format-check
lint: tools-lint lint-clang cppcheck clang-tidy format-check
	@echo "lint: all checks passed"
tools-lint:
	@CROSS=$(CROSS) FONT_PSF=$(FONT_PSF) sh tools/ensure-tools.sh lint

lint-clang: $(BUILD)/clang/kernel.elf

$(BUILD)/clang/%.o: %.c
	@mkdir -p $(dir $@)
	$(CLANG) $(CLANG_CFLAGS) -c $< -o $@

$(BUILD)/clang/gen/font.o: $(BUILD)/gen/font.c
	@mkdir -p $(dir $@)
	$(CLANG) $(CLANG_CFLAGS) -c $< -o $@

# The same two links as the GCC kernel's, with LLVM's linker.
$(BUILD)/clang/kernel0.elf: $(CLANG_LINK) $(BUILD)/gen/ksyms0.o linker.ld
	$(LLD) $(LDFLAGS) -o $@ $(CLANG_LINK) $(BUILD)/gen/ksyms0.o

$(BUILD)/clang/ksyms.asm: $(BUILD)/clang/kernel0.elf tools/gensyms.sh
	sh tools/gensyms.sh $(NM) $< > $@

$(BUILD)/clang/ksyms.o: $(BUILD)/clang/ksyms.asm
	$(NASM) $(NASMFLAGS) $< -o $@

$(BUILD)/clang/kernel.elf: $(CLANG_LINK) $(BUILD)/clang/ksyms.o linker.ld
	$(LLD) $(LDFLAGS) -o $@ $(CLANG_LINK) $(BUILD)/clang/ksyms.o
	@$(NM) -n $(BUILD)/clang/kernel0.elf | grep ' [tT] ' > $(BUILD)/clang/text0.txt
	@$(NM) -n $@ | grep ' [tT] ' > $(BUILD)/clang/text1.txt
	@cmp -s $(BUILD)/clang/text0.txt $(BUILD)/clang/text1.txt || \
	  { echo "error: text moved between the two links; the symbol table would be wrong"; exit 1; }

cppcheck:
	$(CPPCHECK) $(CPPCHECK_FLAGS) kernel drivers mm

clang-tidy:
	@echo "$(CLANG_TIDY) (.clang-tidy) over $(words $(KERNEL_C)) files"
	@printf '%s\n' $(KERNEL_C) | xargs -P $(LINT_JOBS) -I{} \
	  $(CLANG_TIDY) --quiet {} -- $(TIDY_FLAGS) 2>/dev/null || \
	  { echo "clang-tidy: findings above (fix them, or NOLINT with a reason)"; exit 1; }

format:
	$(CLANG_FORMAT) -i $(FORMAT_SRCS)

format-check:
	$(CLANG_FORMAT) --dry-run -Werror $(FORMAT_SRCS)

clean:
	rm -rf $(BUILD)

.PHONY: FORCE
FORCE:

-include $(shell find $(BUILD) -type f -name '*.d' 2>/dev/null)

# ------------------------------------------------------------- boot matrix
# Boot every configuration of tests/matrix.sh (loaders, machines, CPUs, memory
# sizes, UEFI, Bochs) and print one row each; `make test` runs its --quick subset.
.PHONY: test-matrix
test-matrix: tools-test kernel $(BUILD)/os.iso
	@bash tests/matrix.sh
