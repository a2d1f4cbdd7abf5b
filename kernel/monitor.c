/*
 * kernel/monitor.c - the kernel monitor (see monitor.h).
 *
 * Every command is one row in the table below: a name, its arguments, a line of
 * help and a function. Numbers are hexadecimal with 0x, decimal otherwise; a
 * malformed number or an unknown command gets a one-line error and the prompt
 * comes back. Nothing a user types can fault the kernel except `fault`, whose
 * whole point is to fault: `dump` checks the page tables before reading.
 */
#include "monitor.h"
#include "kstring.h"
#include "cpu.h"
#include "faults.h"
#include "io.h"
#include "kprintf.h"
#include "meminit.h"
#include "pic.h"
#include "qemu.h"
#include "selftest.h"
#include "drivers/keyboard.h"
#include "drivers/serial.h"
#include "mm/heap.h"
#include "mm/memlayout.h"
#include "mm/mmu.h"
#include "mm/pmm.h"
#include "mm/pte.h"
#include "mm/vmm.h"
#include "mm/uvm.h"
#include "proc.h"
#include "sched.h"
#include "vm.h"
#include "mm/frameref.h"
#include "mm/frametable.h"
#include "reclaim.h"
#include "swap.h"
#include "tty.h"
#include "programs.h"

#define LINE_MAX 128
#define HISTORY  8
#define MAX_ARGS 8
#define PROMPT   "mon> "

/* ------------------------------------------------------------ helpers */

/* Parse "0x1f" (hex) or "31" (decimal) into *out; false if malformed or too big. */
static bool parse_number(const char *s, uint32_t *out)
{
    uint64_t v = 0;
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return false;
    for (; *s; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            return false;
        v = v * base + d;
        if (v > 0xFFFFFFFFu)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

static bool arg_number(const char *cmd, const char *arg, uint32_t *out)
{
    if (parse_number(arg, out))
        return true;
    kprintf("%s: '%s' is not a number (use 0x... for hex)\n", cmd, arg);
    return false;
}

/* ------------------------------------------------------------ commands */

static void cmd_help(int argc, char **argv);

static void cmd_meminfo(int argc, char **argv)
{
    (void)argc, (void)argv;
    uint32_t t = pmm_total_frames(), f = pmm_free_frames(), u = pmm_used_frames();
    kprintf("frames: %u total (%u KiB), %u free (%u KiB), %u used (%u KiB)\n", (unsigned)t, (unsigned)(t * 4),
            (unsigned)f, (unsigned)(f * 4), (unsigned)u, (unsigned)(u * 4));
    kprintf("page tables allocated by the vmm: %u\n", (unsigned)vmm_tables_allocated());
    struct heap_stats st;
    heap_stats(&st);
    kprintf("heap: %u pages held (peak %u): %u in slabs, %u large, %u metadata, %u cached\n",
            (unsigned)st.pages_held, (unsigned)st.pages_peak, (unsigned)st.slab_pages,
            (unsigned)st.large_pages, (unsigned)st.meta_pages, (unsigned)st.cached_pages);
    kprintf("heap: %llu allocs, %llu frees, %llu reallocs, %llu failed; %u large blocks live\n",
            (unsigned long long)st.allocs, (unsigned long long)st.frees, (unsigned long long)st.reallocs,
            (unsigned long long)st.failed_allocs, (unsigned)st.large_live);
    for (int i = 0; i < HEAP_NCLASSES; i++) {
        const struct heap_class_stats *c = &st.cls[i];
        if (c->slabs || c->live)
            kprintf("  class %4u B: %u live, %u slabs, %llu bytes held\n", (unsigned)c->size,
                    (unsigned)c->live, (unsigned)c->slabs, (unsigned long long)c->bytes_held);
    }
}

static void cmd_mmap(int argc, char **argv)
{
    (void)argc, (void)argv;
    mem_print_map();
}

/* How a user page's frame is held: its own, the zero page, or shared with
 * other mappings (after fork, or a program page); kernel pages are 'own'. */
enum share {
    OWN,
    ZERO,
    SHARED
};

static enum share share_of(uintptr_t va, paddr_t frame)
{
    if (va >= USER_TOP)
        return OWN;
    if (frame == uvm_zero_page())
        return ZERO;
    return frameref_count(frame) > 1 ? SHARED : OWN;
}

/* Print one run of pages with the same flags and sharing, and contiguous frames
 * (the zero page repeats: a run of it is one line). */
static void print_run(uintptr_t va, uintptr_t end, paddr_t pa, uint32_t flags, enum share share)
{
    char f[16];
    pte_flags_str(flags, f, sizeof f);
    unsigned pages = (unsigned)((end - va) / PAGE_SIZE);
    if (share == ZERO) {
        kprintf("  0x%08x-0x%08x -> the zero page 0x%08x %6u pages  %s\n", (unsigned)va, (unsigned)(end - 1),
                (unsigned)pa, pages, f);
        return;
    }
    kprintf("  0x%08x-0x%08x -> 0x%08x-0x%08x %6u pages  %s%s\n", (unsigned)va, (unsigned)(end - 1),
            (unsigned)pa, (unsigned)(pa + (end - va) - 1), pages, f,
            share == SHARED ? "  shared (copy-on-write or program)" : "");
}

static void cmd_pagemap(int argc, char **argv)
{
    uint32_t from, to;
    if (!arg_number("pagemap", argv[1], &from))
        return;
    if (argc > 2) {
        if (!arg_number("pagemap", argv[2], &to))
            return;
    } else {
        to = from + PT_SPAN - 1 < from ? 0xFFFFFFFFu : from + PT_SPAN - 1; /* 4 MiB by default */
    }
    if (to < from) {
        kprintf("pagemap: TO is below FROM\n");
        return;
    }
    kprintf("pagemap 0x%08x-0x%08x (flags: P present, W writable, U user, T write-through,\n"
            "  C cache-disabled, A accessed, D dirty, S 4 MiB, G global):\n",
            (unsigned)from, (unsigned)to);
    uint64_t va = PAGE_ROUND_DOWN(from);
    uint64_t run_va = 0;
    paddr_t run_pa = 0, next_pa = 0;
    uint32_t run_fl = 0;
    enum share run_share = OWN;
    bool in_run = false;
    int runs = 0;
    while (va <= to) {
        uint32_t pde = vmm_pde((uintptr_t)va);
        uint32_t pte = pte_present(pde) ? vmm_pte((uintptr_t)va) : 0;
        bool mapped = pte_present(pte);
        uint32_t fl = pte_flags(pte);
        enum share sh = mapped ? share_of((uintptr_t)va, pte_frame(pte)) : OWN;
        if (in_run && (!mapped || fl != run_fl || sh != run_share || pte_frame(pte) != next_pa)) {
            print_run((uintptr_t)run_va, (uintptr_t)va, run_pa, run_fl, run_share);
            in_run = false;
            if (++runs == 40) {
                kprintf("  (stopping after 40 runs)\n");
                return;
            }
        }
        if (mapped && !in_run) {
            in_run = true;
            run_va = va;
            run_pa = pte_frame(pte);
            run_fl = fl;
            run_share = sh;
        }
        next_pa = sh == ZERO ? pte_frame(pte) : pte_frame(pte) + PAGE_SIZE;
        /* Skip a whole 4 MiB when there is no page table. */
        va = pte_present(pde) ? va + PAGE_SIZE : (va | (PT_SPAN - 1)) + 1;
    }
    if (in_run)
        /* The run ends at the page holding TO (a range ending inside a page counts that page). */
        print_run((uintptr_t)run_va,
                  (uintptr_t)(va > PAGE_ROUND_DOWN((uint64_t)to) + PAGE_SIZE
                                  ? PAGE_ROUND_DOWN((uint64_t)to) + PAGE_SIZE
                                  : va),
                  run_pa, run_fl, run_share);
    else if (runs == 0)
        kprintf("  nothing mapped\n");
}

static void cmd_vtop(int argc, char **argv)
{
    (void)argc;
    uint32_t va;
    if (!arg_number("vtop", argv[1], &va))
        return;
    char f[16];
    uint32_t pde = vmm_pde(va);
    kprintf("vtop 0x%08x: directory index %u, table index %u, offset 0x%03x\n", (unsigned)va,
            (unsigned)PDX(va), (unsigned)PTX(va), (unsigned)PGOFF(va));
    if (!pte_present(pde)) {
        kprintf("  PDE[%u] = 0x%08x: not present, so 0x%08x is not mapped\n", (unsigned)PDX(va),
                (unsigned)pde, (unsigned)va);
        return;
    }
    kprintf("  PDE[%u] = 0x%08x: page table at 0x%08x, %s\n", (unsigned)PDX(va), (unsigned)pde,
            (unsigned)pte_frame(pde), pte_flags_str(pde, f, sizeof f));
    uint32_t pte = vmm_pte(va);
    if (!pte_present(pte)) {
        kprintf("  PTE[%u] = 0x%08x: not present, so 0x%08x is not mapped\n", (unsigned)PTX(va),
                (unsigned)pte, (unsigned)va);
        return;
    }
    kprintf("  PTE[%u] = 0x%08x: frame 0x%08x, %s\n", (unsigned)PTX(va), (unsigned)pte,
            (unsigned)pte_frame(pte), pte_flags_str(pte, f, sizeof f));
    kprintf("  0x%08x -> physical 0x%08x\n", (unsigned)va, (unsigned)(pte_frame(pte) | PGOFF(va)));
}

static void cmd_dump(int argc, char **argv)
{
    uint32_t addr, len = 64;
    if (!arg_number("dump", argv[1], &addr) || (argc > 2 && !arg_number("dump", argv[2], &len)))
        return;
    if (len > 4096) {
        kprintf("dump: at most 4096 bytes at a time\n");
        len = 4096;
    }
    if ((uint64_t)addr + len > 0x100000000ull) {
        len = (uint32_t)(0x100000000ull - addr); /* up to the last byte of the address space, not round it */
        kprintf("dump: stopping at 0xffffffff, the end of the address space\n");
    }
    for (uint32_t off = 0; off < len; off += 16) {
        uintptr_t line = addr + off;
        uint32_t n = len - off; /* bytes on this line: 1 to 16 */
        if (n > 16)
            n = 16;
        /* Both ends of the line must be mapped (a line may cross a page boundary). */
        if (line < addr || !vmm_translate(line, 0, 0) || !vmm_translate(line + n - 1, 0, 0)) {
            uintptr_t bad = vmm_translate(line, 0, 0) ? line + n - 1 : line;
            kprintf("dump: 0x%08x is not mapped\n", (unsigned)bad);
            return;
        }
        const volatile uint8_t *p = (const volatile uint8_t *)line;
        kprintf("%08x ", (unsigned)line);
        for (uint32_t i = 0; i < 16; i++) {
            if (i < n)
                kprintf(" %02x", p[i]);
            else
                kprintf("   ");
        }
        kprintf("  ");
        for (uint32_t i = 0; i < n; i++)
            kprintf("%c", p[i] >= 32 && p[i] < 127 ? p[i] : '.');
        kprintf("\n");
    }
}

/* Blocks from `alloc`, so `free` only frees what the user allocated (a typo must not panic). */
#define MAX_USER_BLOCKS 32
static void *user_blocks[MAX_USER_BLOCKS];

static void cmd_alloc(int argc, char **argv)
{
    (void)argc;
    uint32_t size;
    if (!arg_number("alloc", argv[1], &size))
        return;
    int slot = -1;
    for (int i = 0; i < MAX_USER_BLOCKS && slot < 0; i++)
        if (!user_blocks[i])
            slot = i;
    if (slot < 0) {
        kprintf("alloc: %u blocks are live already; free some first\n", MAX_USER_BLOCKS);
        return;
    }
    void *p = kmalloc(size);
    if (!p) {
        kprintf("alloc: kmalloc(%u) returned NULL (out of memory)\n", (unsigned)size);
        return;
    }
    user_blocks[slot] = p;
    paddr_t pa = 0;
    vmm_translate((uintptr_t)p, &pa, 0);
    kprintf("alloc: %p (ksize %u), physical 0x%08x\n", p, (unsigned)ksize(p), (unsigned)pa);
}

static void cmd_free(int argc, char **argv)
{
    (void)argc;
    uint32_t addr;
    if (!arg_number("free", argv[1], &addr))
        return;
    for (int i = 0; i < MAX_USER_BLOCKS; i++) {
        if (user_blocks[i] && (uint32_t)(uintptr_t)user_blocks[i] == addr) {
            kfree(user_blocks[i]);
            user_blocks[i] = 0;
            kprintf("free: 0x%08x freed\n", (unsigned)addr);
            return;
        }
    }
    kprintf("free: 0x%08x did not come from 'alloc' (to see a bad free reported, boot with "
            "test=heap-double-free)\n",
            (unsigned)addr);
}

/* One character per chunk of physical memory: 64 columns by up to 16 rows. */
/* Does frame `pa` hold part of a boot module? */
static bool in_module(paddr_t pa)
{
    for (int i = 0; i < program_count(); i++) {
        const struct program *p = program_at(i);
        if (p->size && pa + PAGE_SIZE > p->phys && pa < p->phys + p->size)
            return true;
    }
    return false;
}

static void cmd_frames(int argc, char **argv)
{
    (void)argc, (void)argv;
    uint32_t span = pmm_span_frames();
    uint32_t cells = 64 * 16;
    uint32_t per = (span + cells - 1) / cells;
    if (per == 0)
        per = 1;
    uint32_t kstart = (uint32_t)(uintptr_t)kernel_physical_start >> PAGE_SHIFT;
    uint32_t kend = (uint32_t)(uintptr_t)kernel_physical_end >> PAGE_SHIFT;
    kprintf("physical memory, one character per %u KiB (%u frames), 0x00000000-0x%08x:\n",
            (unsigned)(per * 4), (unsigned)per, (unsigned)(span * PAGE_SIZE - 1));
    kprintf("  . free   # used   + partly used   K kernel image   M boot module (a program)   - not RAM / "
            "reserved\n");
    for (uint32_t row = 0; row * 64 * per < span; row++) {
        kprintf("%08x ", (unsigned)(row * 64 * per * PAGE_SIZE));
        for (uint32_t col = 0; col < 64; col++) {
            uint32_t first = (row * 64 + col) * per;
            if (first >= span)
                break;
            uint32_t nfree = 0, nused = 0, nkern = 0, nmod = 0;
            for (uint32_t fr = first; fr < first + per && fr < span; fr++) {
                paddr_t pa = fr << PAGE_SHIFT;
                if (fr >= kstart && fr < kend)
                    nkern++;
                else if (pmm_is_allocated(pa))
                    nused++;
                else if (pmm_is_managed(pa))
                    nfree++;
                else if (in_module(pa))
                    nmod++;
            }
            int c = nkern ? 'K' : nmod ? 'M' : nused && nfree ? '+' : nused ? '#' : nfree ? '.' : '-';
            kprintf("%c", c);
        }
        kprintf("\n");
    }
    kprintf("%u of %u frames free\n", (unsigned)pmm_free_frames(), (unsigned)pmm_total_frames());
}

static void cmd_selftest(int argc, char **argv)
{
    (void)argc, (void)argv;
    selftest_reset();
    mem_selftest();
    selftest_summary();
}

static void cmd_fault(int argc, char **argv)
{
    (void)argc;
    fault_trigger(argv[1]);
}

static void cmd_leaks(int argc, char **argv)
{
    (void)argc, (void)argv;
    size_t n = heap_leak_report();
    kprintf("leaks: %u live allocations\n", (unsigned)n);
}

static void cmd_reboot(int argc, char **argv)
{
    (void)argc, (void)argv;
    kprintf("kernel: rebooting\n");
    /* Pulse the CPU reset line through the keyboard controller... */
    for (int i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
        ;
    outb(0x64, 0xFE);
    /* ...and if that did nothing, force a triple fault with an empty IDT. */
    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) none = {0, 0};
    __asm__ volatile("lidt %0; int3" : : "m"(none));
    halt_forever();
}

static void cmd_halt(int argc, char **argv)
{
    (void)argc, (void)argv;
    kprintf("kernel: halted\n");
    qemu_exit(QEMU_EXIT_PASS); /* a clean end for the test harness */
    for (;;) {
        cli();
        hlt();
    }
}

static void cmd_ps(int argc, char **argv)
{
    (void)argc, (void)argv;
    kprintf("  pid  ppid state     pages tables name\n");
    int n = 0;
    for (int i = 0; i < NPROC; i++) {
        const struct proc *p = proc_slot(i);
        if (p->state == P_UNUSED)
            continue;
        uint32_t tables = 0, pages = p->pd ? uvm_resident(p->pd, &tables) : 0;
        kprintf("  %3d  %4d %-9s %5u %6u %s\n", p->pid, p->parent ? p->parent->pid : 0,
                proc_state_name(p->state), (unsigned)pages, (unsigned)tables, p->name);
        n++;
    }
    if (!n)
        kprintf("  no processes\n");
    kprintf("programs (boot modules):");
    for (int i = 0; i < program_count(); i++)
        kprintf(" %s", program_at(i)->name);
    kprintf("%s\n", program_count() ? "" : " none");
}

static void cmd_vmstat(int argc, char **argv)
{
    (void)argc, (void)argv;
    const struct vm_stats *v = &vm_stats;
    kprintf("page faults serviced since boot:\n");
    kprintf("  demand-zero (first write: a zeroed frame)   %u\n", (unsigned)v->demand_zero);
    kprintf("  zero page (first read: the shared zeros)    %u\n", (unsigned)v->zero_maps);
    kprintf("  program pages read from their module        %u\n", (unsigned)v->image_fills);
    kprintf("  program pages mapped from the cache         %u\n", (unsigned)v->image_maps);
    kprintf("  copy-on-write copies                        %u\n", (unsigned)v->cow_copies);
    kprintf("  copy-on-write re-marks (no copy needed)     %u\n", (unsigned)v->cow_remarks);
    kprintf("  stack growth                                %u\n", (unsigned)v->stack_grows);
    kprintf("  out-of-memory kills                         %u\n", (unsigned)v->oom_kills);
    const struct reclaim_stats *r = &reclaim_stats;
    kprintf("swap (%s): %u of %u pages in use\n", swap_device(), (unsigned)swap_used(),
            (unsigned)swap_total());
    kprintf("  pages swapped out %u (written %u, already in swap %u), read back %u, shared from the swap "
            "cache %u\n",
            (unsigned)r->swapped_out, (unsigned)r->written, (unsigned)r->clean, (unsigned)r->read,
            (unsigned)r->cache_hits);
    kprintf("  clock hand at frame %u, %u sweeps; %u swappable frames\n", (unsigned)reclaim_hand(),
            (unsigned)r->sweeps, (unsigned)ft_count_swappable());
    kprintf("frames: %u free of %u; %u shared by more than one mapping; zero page 0x%08x\n",
            (unsigned)pmm_free_frames(), (unsigned)pmm_total_frames(), (unsigned)frameref_shared(),
            (unsigned)uvm_zero_page());
    for (int i = 0; i < NPROC; i++) {
        const struct proc *p = proc_slot(i);
        if (p->state == P_UNUSED || !p->pd)
            continue;
        uint32_t tables, pages = uvm_resident(p->pd, &tables);
        kprintf("  pid %3d %-15s %5u pages mapped, %u page tables, %u regions\n", p->pid, p->name,
                (unsigned)pages, (unsigned)tables, (unsigned)p->regions.n);
    }
}

static bool resume_requested;

static void cmd_continue(int argc, char **argv)
{
    (void)argc, (void)argv;
    resume_requested = true;
}

static const struct command {
    const char *name;
    int min_args;
    const char *args;
    const char *help;
    void (*fn)(int argc, char **argv);
} commands[] = {
    {"help", 0, "", "this list", cmd_help},
    {"meminfo", 0, "", "frames total/free/used and heap statistics", cmd_meminfo},
    {"mmap", 0, "", "the loader's raw memory map and the sanitised usable ranges", cmd_mmap},
    {"pagemap", 1, "FROM [TO]", "virtual -> physical runs with their flags (default: 4 MiB)", cmd_pagemap},
    {"vtop", 1, "ADDR", "translate one virtual address step by step", cmd_vtop},
    {"dump", 1, "ADDR [LEN]", "hex dump of mapped memory (default 64 bytes)", cmd_dump},
    {"ps", 0, "", "processes: pid, parent, state, resident pages, name", cmd_ps},
    {"vmstat", 0, "", "page faults by kind, shared frames, pages per process", cmd_vmstat},
    {"alloc", 1, "SIZE", "kmalloc SIZE bytes and show where they landed", cmd_alloc},
    {"free", 1, "ADDR", "kfree a block from 'alloc'", cmd_free},
    {"leaks", 0, "", "list live heap allocations", cmd_leaks},
    {"frames", 0, "", "a picture of physical memory", cmd_frames},
    {"selftest", 0, "", "run the memory self-checks again", cmd_selftest},
    {"fault", 1, "KIND", "provoke a fault: null low text rodata unmapped overflow ud div0", cmd_fault},
    {"reboot", 0, "", "reset the machine", cmd_reboot},
    {"halt", 0, "", "stop the machine", cmd_halt},
    {"continue", 0, "", "resume the processes (after the break key, Ctrl-K)", cmd_continue},
};
#define NCOMMANDS (int)(sizeof commands / sizeof commands[0])

static void cmd_help(int argc, char **argv)
{
    (void)argc, (void)argv;
    kprintf("commands (numbers: 0x... hex, else decimal):\n");
    for (int i = 0; i < NCOMMANDS; i++)
        kprintf("  %-8s %-11s %s\n", commands[i].name, commands[i].args, commands[i].help);
    kprintf("pagemap, vtop and dump look at a process's address space with 'pid N' at the end\n");
}

void monitor_exec(char *line)
{
    char *argv[MAX_ARGS + 1];
    int argc = 0;
    for (char *p = line; *p;) {
        while (*p == ' ' || *p == '\t')
            *p++ = '\0';
        if (!*p)
            break;
        if (argc == MAX_ARGS) {
            kprintf("error: too many arguments (at most %d)\n", MAX_ARGS - 1);
            return;
        }
        argv[argc++] = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
    }
    argv[argc] = 0;
    if (argc == 0)
        return;
    /* "... pid N": run the command in process N's address space. */
    struct proc *in = 0;
    if (argc >= 3 && kstreq(argv[argc - 2], "pid")) {
        uint32_t pid;
        if (!arg_number(argv[0], argv[argc - 1], &pid))
            return;
        in = proc_find((int)pid);
        if (!in || !in->pd) {
            kprintf("error: no process %u with an address space (see 'ps')\n", (unsigned)pid);
            return;
        }
        argc -= 2;
        argv[argc] = 0;
    }
    for (int i = 0; i < NCOMMANDS; i++) {
        if (kstreq(argv[0], commands[i].name)) {
            if (argc - 1 < commands[i].min_args) {
                kprintf("usage: %s %s\n", commands[i].name, commands[i].args);
                return;
            }
            if (in && commands[i].fn != cmd_pagemap && commands[i].fn != cmd_vtop &&
                commands[i].fn != cmd_dump) {
                kprintf("error: '%s' does not take a pid\n", argv[0]);
                return;
            }
            /* The kernel half is the same in every directory: switching is safe here. */
            uint32_t cr3 = read_cr3();
            if (in)
                uvm_activate(in->pd, &in->kgen);
            commands[i].fn(argc, argv);
            if (in)
                write_cr3(cr3);
            return;
        }
    }
    kprintf("error: unknown command '%s' (try 'help')\n", argv[0]);
}

/* ------------------------------------------------------ line editing */

static char history[HISTORY][LINE_MAX];
static int history_count;

/* Whether HLT is safe: a timer tick was seen, so something will always wake the CPU. */
static bool can_halt;

/*
 * Idle politely when the hardware allows it. On a PC whose 8259s are wired up (every
 * BIOS machine, QEMU, OVMF) the timer ticks at 100 Hz and HLT waits for the next tick,
 * key or serial byte. Some UEFI machines leave only the APIC connected: no IRQ ever
 * arrives there, and HLT would never return, so the monitor keeps polling.
 */
static void idle_setup(void)
{
    can_halt = sched_interrupts_setup();
    kprintf("monitor: %s\n", can_halt ? "idling with HLT between timer ticks and keys"
                                      : "no legacy timer interrupt: polling the consoles");
}

/* The next key from either console; arrow keys arrive on serial as ESC [ A/B/C/D. */
static int read_key(void)
{
    /* Terminal escape sequences: ESC [ parameters... final (CSI: arrows, Delete,
     * PgUp, F5.., Ctrl-arrows) and ESC O final (SS3: F1-F4, application-mode
     * arrows). They are read to their final byte and only up/down are used:
     * nothing else of them may land in the line as text. */
    static int esc;       /* 0, or 1 after ESC, 2 inside CSI, 3 after ESC O */
    static bool after_cr; /* CR LF is one Enter */
    for (;;) {
        int c = keyboard_getc();
        if (c >= 0)
            return c;
        c = serial_getc();
        if (c < 0) {
            /* Nothing yet: sleep until an interrupt (a tick, a key, a serial byte). STI
             * takes effect after the next instruction, so an IRQ already pending wakes
             * this HLT. Without working legacy interrupts, keep polling instead. */
            if (can_halt)
                __asm__ volatile("sti; hlt; cli" ::: "memory");
            continue;
        }
        if (esc == 1) {
            esc = c == '[' ? 2 : c == 'O' ? 3 : 0;
            if (esc)
                continue;
            /* A lone ESC: dropped, and this byte is an ordinary key. */
        } else if (esc == 2) {
            if (c >= 0x40 && c <= 0x7E) { /* the final byte */
                esc = 0;
                if (c == 'A')
                    return KEY_UP;
                if (c == 'B')
                    return KEY_DOWN;
            }
            continue; /* a parameter, or a sequence not used here */
        } else if (esc == 3) {
            esc = 0;
            if (c == 'A')
                return KEY_UP;
            if (c == 'B')
                return KEY_DOWN;
            continue;
        }
        if (c == 27) {
            esc = 1;
            continue;
        }
        if (c == '\n' && after_cr) {
            after_cr = false;
            continue;
        }
        after_cr = c == '\r';
        return c;
    }
}

static void erase(int n)
{
    for (int i = 0; i < n; i++)
        kprintf("\b \b");
}

static void read_line(char *buf)
{
    int len = 0, h = history_count; /* h: which history entry is shown */
    bool too_long = false;          /* characters past LINE_MAX - 1 were typed */
    for (;;) {
        int c = read_key();
        if (c == '\r' || c == '\n') {
            buf[len] = '\0';
            kprintf("\n");
            if (too_long) {
                /* A cut line could run as another command ("vtop 0x000...0c0100000"). */
                kprintf("error: line longer than %d characters: not run\n", LINE_MAX - 1);
                buf[0] = '\0';
            }
            return;
        }
        if (c == '\b' || c == 127) {
            if (len > 0) {
                len--;
                erase(1);
            }
        } else if (c == 3 || c == 21) { /* Ctrl-C, Ctrl-U: drop the line */
            erase(len);
            len = 0;
            too_long = false;
        } else if (c == KEY_UP || c == KEY_DOWN) {
            int oldest = history_count > HISTORY ? history_count - HISTORY : 0;
            int nh = c == KEY_UP ? h - 1 : h + 1;
            if (nh < oldest || nh > history_count)
                continue;
            h = nh;
            erase(len);
            len = 0;
            if (h < history_count)
                for (const char *s = history[h % HISTORY]; *s; s++)
                    buf[len++] = *s;
            buf[len] = '\0';
            kprintf("%s", buf);
        } else if (c >= 32 && c < 127 && len < LINE_MAX - 1) {
            buf[len++] = (char)c;
            kprintf("%c", c);
        } else if (c >= 32 && c < 127) {
            too_long = true;
        }
    }
}

/* Read and run lines until `continue` (when resumable) or for ever. */
static void monitor_loop(bool resumable)
{
    char line[LINE_MAX];
    tty_set_monitor(true);
    resume_requested = false;
    for (;;) {
        kprintf(PROMPT);
        read_line(line);
        if (line[0]) {
            char *slot = history[history_count % HISTORY];
            int i = 0;
            for (; line[i]; i++)
                slot[i] = line[i];
            slot[i] = '\0';
            history_count++;
        }
        monitor_exec(line);
        if (resume_requested) {
            if (resumable)
                break;
            kprintf("monitor: no processes are stopped\n");
            resume_requested = false;
        }
    }
    tty_set_monitor(false);
}

void monitor_run(void)
{
    idle_setup();
    kprintf("monitor: type 'help' for commands\n");
    monitor_loop(false);
    for (;;)
        hlt(); /* not reached: monitor_loop(false) never returns */
}

void monitor_break(void)
{
    kprintf("\nmonitor: processes stopped by the break key (Ctrl-K); 'continue' resumes them\n");
    can_halt = sched_interrupts_setup(); /* checked once already, when processes started */
    /* The kernel's own directory while the monitor runs, so it sees what a boot sees
     * ('pid N' looks into a process); the interrupted process's comes back after. */
    uint32_t cr3 = read_cr3();
    write_cr3(vmm_kernel_pd());
    monitor_loop(true);
    write_cr3(cr3);
    kprintf("monitor: processes resumed\n");
}
