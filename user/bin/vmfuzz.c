/*
 * user/bin/vmfuzz.c - random address-space calls checked against a model.
 *
 *   vmfuzz [--linux] [--trace] [--ops N] [SEED...]
 *
 * A fuzzer for demand paging and copy-on-write: for each seed (default 1 to 8)
 * a deterministic xorshift generator draws N operations (default 1000) on a
 * window of 256 pages and on the 32 pages above the break, and the program
 * keeps its own model of what every page must be:
 *
 *   per page: mapped or not, its protection (NONE, R, RW, now and then W, X,
 *   RX, WX or RWX: on x86 anything but NONE reads, W writes) and a 32-bit
 *   value (0: the page is all zeros; otherwise the words at NSTAMP offsets of
 *   the page hold stamps made from the value, the page and the offset, and
 *   every other word is zero).
 *
 * The window lies inside one PROT_NONE mapping made at the start (a guard page
 * at each end), so nothing else is ever placed there, and straddles a 4 MiB
 * boundary in its middle, so that it needs two page tables. Every mmap2 is
 * MAP_FIXED, or a hint at pages the model says are free, which must be taken.
 * Lengths are now and then not a multiple of the page size. The operations:
 *
 *   mmap     a run of pages (window or brk pages), any protection: zeros
 *   munmap   a run
 *   mprotect a run: 0 when all of it is mapped; -ENOMEM when part is not. When
 *            the first page is not mapped nothing changes; otherwise Linux has
 *            changed the pages before the hole and our kernel has not (both
 *            allowed), so the program then mprotects those pages itself
 *   write    new stamps into the writable pages of a run, or of a few pages
 *   kcopy    the kernel's accesses: one or two whole pages rewritten by read()
 *            from a pipe, in pieces of random sizes; a random piece of them
 *            sent by write(); -EFAULT for a page that does not allow it
 *   verify   every readable page against the model (some word by word)
 *   madvise  MADV_DONTNEED on a run that is all mapped: zeros (Linux zaps the
 *            mapped parts of a run with holes, we zap nothing: not asked)
 *   brk      the break moved to 0..32 pages above its base: the brk pages are
 *            pages like the others, so growing over mapped ones must fail.
 *            Not asked, as Linux has rules of its own there: growing to just
 *            below a mapping, shrinking over nothing mapped
 *   edge     a bad or odd argument (unaligned, 0 bytes, unknown PROT bit,
 *            madvise of nothing mapped): Linux's error, nothing changed
 *   fork     the child checks everything, makes a few random changes of its
 *            own (now and then forking a grandchild that does the same), checks
 *            again and exits 0, or 1 to 4 naming the step that failed, its
 *            reason sent back through a pipe; then the parent checks that its
 *            own pages did not change
 *   hold     one or two children forked and kept waiting on a pipe while the
 *            parent changes things, then released: each checks the pages as
 *            they were when it was forked, then goes on as in fork
 *   fault    an access that must fault (a write to a page that is not
 *            writable, a read of a NONE page, any touch of an unmapped one)
 *            made in a throwaway child: it must die of SIGSEGV
 *
 * After each call the pages it touched are checked; each seed ends with every
 * page checked word by word. One line per seed,
 *
 *   vmfuzz: ok seed N (K ops)
 *   vmfuzz: FAIL seed N op K: what was running: what went wrong
 *
 * then (on our kernel, where sysinfo's freeram counts free frames exactly)
 * `vmfuzz: ok frames ...`: with everything unmapped and the break put back,
 * free memory is what it was after the warm-up. The warm-up fragments the
 * window into 256 regions, forks, holds and faults once and touches every page
 * of the program itself, so the kernel's tables, the stack and the program's
 * page cache have grown to their size before the count is taken. With --linux
 * that check is skipped. Last `vmfuzz: N passed, N failed`; exit status 0
 * only when none failed.
 *
 * --trace prints every operation before it runs (a child's indented), to turn
 * a failing seed into a reproduction: `vmfuzz --trace 5` on Linux; our kernel
 * starts init with no arguments, so there build it with the -D defaults below.
 * --ops N sets the operations per seed. About 5 s under QEMU (TCG) at -m 128M.
 */
#include "ulib.h"

#define PAGE     4096u
#define WPAGES   256               /* the window */
#define BPAGES   32                /* the brk pages */
#define NP       (WPAGES + BPAGES) /* model pages: window first, then brk */
#define NSTAMP   4
#define PT_REACH (4u * 1024 * 1024) /* what one page table maps */
#define RW       (PROT_READ | PROT_WRITE)
#define ANON     (MAP_PRIVATE | MAP_ANONYMOUS)

/* The defaults, for a kernel that starts the program with no arguments:
 * build with -DVMFUZZ_FIRST=5 -DVMFUZZ_NSEEDS=1 -DVMFUZZ_TRACE=1 to trace seed 5. */
#ifndef VMFUZZ_FIRST
#define VMFUZZ_FIRST 1 /* the first seed */
#endif
#ifndef VMFUZZ_NSEEDS
#define VMFUZZ_NSEEDS 8 /* seeds FIRST, FIRST + 1, ... */
#endif
#ifndef VMFUZZ_OPS
#define VMFUZZ_OPS 1000 /* operations per seed */
#endif
#ifndef VMFUZZ_TRACE
#define VMFUZZ_TRACE 0
#endif

#define SYS_madvise   219
#define MADV_DONTNEED 4

static bool linux_mode, trace = VMFUZZ_TRACE;
static char *resv; /* WPAGES + 2 pages: guard, window, guard */
static char *win;
static long brk0;
static char *brkbase;

static struct page {
    uint8_t mapped, prot;
    uint32_t val; /* 0: all zeros */
} m[NP];
static int nbrk; /* brk pages mapped: model pages WPAGES .. WPAGES + nbrk - 1 */

static uint32_t rng, vrng; /* the operations; verify's sample offsets */
static int depth;          /* of forks: 0 in the fuzzer itself */
static char why[600];      /* the first failure */
static char desc[160];     /* the operation running */
static unsigned seed_no, op_no;

__attribute__((format(printf, 1, 2))) static bool fail(const char *fmt, ...)
{
    if (why[0])
        return false;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    return false;
}

static const char *rn(long r)
{
    return sys_failed(r) ? errname((int)r) : "";
}

static uint32_t xs(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

static unsigned rnd(unsigned n)
{
    return xs(&rng) % n;
}

static char *addr(int i)
{
    return i < WPAGES ? win + (size_t)i * PAGE : brkbase + (size_t)(i - WPAGES) * PAGE;
}

static const char *pname(int prot)
{
    static const char *const names[8] = {"NONE", "R", "W", "RW", "X", "RX", "WX", "RWX"};
    return names[prot & 7];
}

static const char *state(int i)
{
    static char b[40];
    if (!m[i].mapped)
        return "unmapped";
    snprintf(b, sizeof b, "%s %s", pname(m[i].prot), m[i].val ? "stamped" : "zeros");
    return b;
}

/* --trace: the operation about to run (seed 0 is the warm-up). */
static void note(void)
{
    static const char *const indent[3] = {"", "  child ", "    grandchild "};
    if (trace)
        printf("vmfuzz: %sseed %u op %u: %s\n", indent[depth < 2 ? depth : 2], seed_no, op_no, desc);
}

/* ------------------------------------------------------------- page contents */

static void stamp_offs(int i, unsigned o[NSTAMP])
{
    o[0] = 0;
    o[1] = 1023;
    o[2] = 1 + ((unsigned)i * 131u) % 1021u;
    o[3] = 1 + ((unsigned)i * 29u + 500u) % 1021u;
}

static uint32_t stamp_word(uint32_t val, int i, unsigned o)
{
    return val ^ (o * 0x9E3779B1u) ^ ((uint32_t)i << 22);
}

/* What word o of page i must hold. */
static uint32_t want_word(int i, unsigned o)
{
    if (!m[i].val)
        return 0;
    unsigned so[NSTAMP];
    stamp_offs(i, so);
    for (int k = 0; k < NSTAMP; k++)
        if (so[k] == o)
            return stamp_word(m[i].val, i, o);
    return 0;
}

static uint32_t new_val(void)
{
    uint32_t v;
    do
        v = xs(&rng);
    while (!v);
    return v;
}

static bool check_word(int i, unsigned o, const char *ctx)
{
    uint32_t got = ((volatile uint32_t *)addr(i))[o], want = want_word(i, o);
    if (got == want)
        return true;
    return fail("%s: page %d (%p, %s) word %u = 0x%08x, want 0x%08x", ctx, i, addr(i), state(i), o, got,
                want);
}

/* Page i (mapped, readable) against the model: its stamp offsets and three
 * other words, or every word when full. */
static bool verify_page(int i, bool full, const char *ctx)
{
    if (full) {
        for (unsigned o = 0; o < PAGE / 4; o++)
            if (!check_word(i, o, ctx))
                return false;
        return true;
    }
    unsigned so[NSTAMP];
    stamp_offs(i, so);
    for (int k = 0; k < NSTAMP; k++)
        if (!check_word(i, so[k], ctx))
            return false;
    for (int k = 0; k < 3; k++)
        if (!check_word(i, xs(&vrng) % (PAGE / 4), ctx))
            return false;
    return true;
}

/* Any protection but PROT_NONE lets a page be read (on x86 W and X imply R). */
static bool readable(int i)
{
    return m[i].mapped && m[i].prot != PROT_NONE;
}

static bool writable(int i)
{
    return m[i].mapped && (m[i].prot & PROT_WRITE);
}

static bool verify_range(int s, int n, const char *ctx)
{
    for (int i = s; i < s + n; i++)
        if (readable(i) && !verify_page(i, xs(&vrng) % 32 == 0, ctx))
            return false;
    return true;
}

static bool verify_all(bool full, const char *ctx)
{
    for (int i = 0; i < NP; i++)
        if (readable(i) && !verify_page(i, full || xs(&vrng) % 32 == 0, ctx))
            return false;
    return true;
}

static void stamp(int i, uint32_t val)
{
    unsigned so[NSTAMP];
    stamp_offs(i, so);
    m[i].val = val;
    for (int k = 0; k < NSTAMP; k++)
        ((volatile uint32_t *)addr(i))[so[k]] = stamp_word(val, i, so[k]);
}

/* ------------------------------------------------------------ the operations */

/* The end of page i's area: the window or the brk pages. */
static int area_end(int i)
{
    return i < WPAGES ? WPAGES : NP;
}

/* A run of pages in one area, the window (mostly) or the brk pages, mapped or
 * not: mostly short, sometimes up to the whole area. */
static void pick_run(int *s, int *n)
{
    int lo = 0, len = WPAGES;
    if (rnd(5) == 0)
        lo = WPAGES, len = BPAGES;
    unsigned r = rnd(100);
    int maxn = r < 50 ? 4 : r < 85 ? 32 : len;
    *s = lo + (int)rnd((unsigned)len);
    *n = 1 + (int)rnd((unsigned)maxn);
    if (*s + *n > lo + len)
        *n = lo + len - *s;
}

/* The length to pass for n pages: now and then not a multiple of the page
 * size (the calls round it up). */
static size_t run_bytes(int n)
{
    return (size_t)n * PAGE - (rnd(3) == 0 ? rnd(PAGE) : 0);
}

/* Mostly RW, R and NONE; now and then W, X or RX, RWX, WX: the same
 * accesses as R or RW here, but regions that differ. */
static int pick_prot(void)
{
    /* clang-format off */
    static const uint8_t prots[16] = {RW, RW, RW, RW, RW, RW, PROT_READ, PROT_READ, PROT_READ,
                                      PROT_NONE, PROT_NONE, PROT_NONE, PROT_WRITE, PROT_EXEC,
                                      PROT_READ | PROT_EXEC, RW | PROT_EXEC};
    /* clang-format on */
    int prot = prots[rnd(16)];
    return prot == (RW | PROT_EXEC) && rnd(2) ? PROT_WRITE | PROT_EXEC : prot;
}

static bool do_mmap(int s, int n, int prot, bool hint)
{
    size_t len = run_bytes(n);
    snprintf(desc, sizeof desc, "mmap2(page %d, %d pages (0x%x bytes), %s, %s)", s, n, len, pname(prot),
             hint ? "a hint" : "MAP_FIXED");
    note();
    long r = mmap2(addr(s), len, prot, ANON | (hint ? 0 : MAP_FIXED), -1, 0);
    if (r != (long)addr(s)) {
        if (!sys_failed(r))
            munmap((void *)r, (size_t)n * PAGE);
        return fail("mmap2 = %p %s, want %p", (void *)r, rn(r), addr(s));
    }
    for (int i = s; i < s + n; i++)
        m[i].mapped = 1, m[i].prot = (uint8_t)prot, m[i].val = 0;
    return verify_range(s, n, "after mmap2");
}

static bool op_mmap(void)
{
    int s, n;
    pick_run(&s, &n);
    int prot = pick_prot();
    if (rnd(4) == 0) { /* a hint at pages that are free: it must be taken */
        int lo = s < WPAGES ? 0 : WPAGES, end = area_end(s);
        for (int t = 0; t < 8 && m[s].mapped; t++)
            s = lo + (int)rnd((unsigned)(end - lo));
        if (!m[s].mapped) {
            int k = 1;
            while (k < n && s + k < end && !m[s + k].mapped)
                k++;
            return do_mmap(s, k, prot, true);
        }
        if (s + n > end)
            n = end - s;
    }
    return do_mmap(s, n, prot, false);
}

static bool do_munmap(int s, int n)
{
    size_t len = run_bytes(n);
    snprintf(desc, sizeof desc, "munmap(page %d, %d pages (0x%x bytes))", s, n, len);
    note();
    long r = munmap(addr(s), len);
    if (r != 0)
        return fail("munmap = %ld %s, want 0", r, rn(r));
    for (int i = s; i < s + n; i++)
        m[i].mapped = 0, m[i].prot = 0, m[i].val = 0;
    return true;
}

static bool op_munmap(void)
{
    int s, n;
    pick_run(&s, &n);
    return do_munmap(s, n);
}

static bool do_mprotect(int s, int n, int prot)
{
    int hole = -1;
    for (int i = s; i < s + n && hole < 0; i++)
        if (!m[i].mapped)
            hole = i;
    size_t len = run_bytes(n);
    snprintf(desc, sizeof desc, "mprotect(page %d, %d pages (0x%x bytes), %s)%s", s, n, len, pname(prot),
             hole < 0    ? ""
             : hole == s ? ", first page unmapped"
                         : ", a hole inside");
    note();
    long r = mprotect(addr(s), len, prot);
    if (r != (hole < 0 ? 0 : -ENOMEM))
        return fail("mprotect = %ld %s, want %s (page %d is %s)", r, rn(r), hole < 0 ? "0" : "-ENOMEM",
                    hole < 0 ? s : hole, hole < 0 ? state(s) : "unmapped");
    int end = hole < 0 ? s + n : hole;
    if (hole > s) { /* Linux changed the part before the hole; make sure it is so here too */
        r = mprotect(addr(s), run_bytes(hole - s), prot);
        if (r != 0)
            return fail("mprotect of the %d pages before the hole = %ld %s, want 0", hole - s, r, rn(r));
    }
    for (int i = s; i < end; i++)
        m[i].prot = (uint8_t)prot;
    return verify_range(s, n, "after mprotect");
}

static bool op_mprotect(void)
{
    int s, n;
    pick_run(&s, &n);
    return do_mprotect(s, n, pick_prot());
}

static bool op_write(void)
{
    int s, n, written = 0;
    unsigned r = rnd(10);
    if (r < 5) {
        pick_run(&s, &n);
    } else if (r < 7) {
        s = WPAGES, n = nbrk;
    } else {
        s = -1, n = 1 + (int)rnd(6);
    }
    snprintf(desc, sizeof desc,
             s < 0 ? "write stamps into %d random pages" : "write stamps into page %d, %d pages",
             s < 0 ? n : s, n);
    note();
    for (int k = 0; k < n; k++) {
        int i = s < 0 ? (int)rnd(NP) : s + k;
        if (writable(i)) {
            stamp(i, new_val());
            written++;
        }
    }
    return verify_range(s < 0 ? 0 : s, s < 0 ? NP : n, "after writing");
}

/* The kernel's own accesses, through a pipe. */
static uint32_t kbuf[2 * PAGE / 4];

/* The byte at offset off of the pages from i on, as the model has it. */
static uint8_t want_byte(int i, size_t off)
{
    return (uint8_t)(want_word(i + (int)(off / PAGE), (unsigned)(off % PAGE) / 4) >> (off % 4 * 8));
}

/* np pages from i (RW, contiguous) rewritten whole by read() from a pipe, in
 * pieces of random sizes: new values, every word of the pages written. */
static bool kcopy_into(int i, int np, int p[2])
{
    for (int k = 0; k < np; k++)
        m[i + k].val = new_val();
    for (unsigned w = 0; w < (unsigned)np * PAGE / 4; w++)
        kbuf[w] = want_word(i + (int)(w / 1024), w % 1024);
    size_t total = (size_t)np * PAGE;
    for (size_t done = 0, c; done < total; done += c) {
        c = 1 + rnd(PAGE);
        if (c > total - done)
            c = total - done;
        long r = write(p[1], (char *)kbuf + done, c);
        if (r == (long)c)
            r = read(p[0], addr(i) + done, c);
        if (r != (long)c)
            return fail("copying bytes 0x%x-0x%x through the pipe = %ld %s, want %u", done, done + c - 1, r,
                        rn(r), c);
    }
    for (int k = 0; k < np; k++)
        if (!verify_page(i + k, true, "after read() into it"))
            return false;
    return true;
}

/* A random piece of np pages from i (readable, contiguous) sent by write()
 * into a pipe must arrive as the model has it. */
static bool kcopy_from(int i, int np, int p[2])
{
    size_t total = (size_t)np * PAGE, off = rnd((unsigned)total), len = 1 + rnd(PAGE);
    if (len > total - off)
        len = total - off;
    long r = write(p[1], addr(i) + off, len);
    if (r == (long)len)
        r = read(p[0], kbuf, len);
    if (r != (long)len)
        return fail("write() of bytes 0x%x-0x%x, then read = %ld %s, want %u", off, off + len - 1, r, rn(r),
                    len);
    for (size_t b = 0; b < len; b++) {
        uint8_t got = ((uint8_t *)kbuf)[b], want = want_byte(i, off + b);
        if (got != want)
            return fail("write() sent byte 0x%x of page %d (%s) as 0x%02x, want 0x%02x", (off + b) % PAGE,
                        i + (int)((off + b) / PAGE), state(i + (int)((off + b) / PAGE)), got, want);
    }
    return true;
}

static bool op_kcopy(void)
{
    int i = (int)rnd(NP), p[2];
    bool ok, into = rnd(2), allowed = into ? writable(i) : readable(i);
    bool next = i + 1 < area_end(i) && (into ? writable(i + 1) : readable(i + 1));
    int np = allowed && next && rnd(2) ? 2 : 1;
    unsigned o = rnd(PAGE / 4);
    if (allowed)
        snprintf(desc, sizeof desc, "%s page%s %d%s (%s)",
                 into ? "read() from a pipe into" : "write() to a pipe from", np > 1 ? "s" : "", i,
                 np > 1 ? " and the next" : "", state(i));
    else
        snprintf(desc, sizeof desc, "%s page %d (%s) word %u: -EFAULT", into ? "read() into" : "write() from",
                 i, state(i), o);
    note();
    if (pipe(p) != 0)
        return fail("pipe failed");
    if (allowed) {
        ok = into ? kcopy_into(i, np, p) : kcopy_from(i, np, p);
    } else {
        uint32_t w = 0x5a5a5a5a, *a = (uint32_t *)addr(i) + o;
        long r = into ? write(p[1], &w, 4) : 4;
        if (r != 4)
            ok = fail("write to the pipe = %ld %s", r, rn(r));
        else if ((r = into ? read(p[0], a, 4) : write(p[1], a, 4)) != -EFAULT)
            ok = fail("%s a page that is %s = %ld %s, want -EFAULT", into ? "read() into" : "write() from",
                      state(i), r, rn(r));
        else
            ok = true;
    }
    close(p[0]);
    close(p[1]);
    return ok;
}

static bool op_verify(void)
{
    snprintf(desc, sizeof desc, "verify every page");
    note();
    return verify_all(false, "verify");
}

static bool op_madvise(void)
{
    int s, n;
    pick_run(&s, &n);
    for (int t = 0; t < 8 && !m[s].mapped; t++)
        pick_run(&s, &n);
    if (!m[s].mapped)
        return op_verify();
    for (int k = 1; k < n; k++) /* only what is mapped: Linux zaps around holes, we do not */
        if (!m[s + k].mapped)
            n = k;
    size_t len = run_bytes(n);
    snprintf(desc, sizeof desc, "madvise(page %d, %d pages (0x%x bytes), MADV_DONTNEED)", s, n, len);
    note();
    long r = syscall3(SYS_madvise, (long)addr(s), (long)len, MADV_DONTNEED);
    if (r != 0)
        return fail("madvise = %ld %s, want 0", r, rn(r));
    for (int i = s; i < s + n; i++)
        m[i].val = 0;
    return verify_range(s, n, "after madvise");
}

/* The break to n pages above its base. The brk pages are pages like the
 * others (mmap2, munmap, mprotect reach them too), so the break may grow only
 * over unmapped pages and must fail otherwise. Two cases where Linux has its
 * own rules are not asked: a break growing to just below a mapping (Linux
 * keeps a page free above it) and one shrinking over nothing mapped (Linux
 * then leaves it where it was). */
static bool do_brk(int n)
{
    bool grow = n > nbrk, in_way = false, below = false, any = false;
    for (int k = nbrk; k < n; k++)
        in_way |= m[WPAGES + k].mapped;
    for (int k = n; k < nbrk; k++)
        any |= m[WPAGES + k].mapped;
    below = n < BPAGES && m[WPAGES + n].mapped;
    if ((grow && !in_way && below) || (n < nbrk && !any)) {
        snprintf(desc, sizeof desc, "brk(%d pages above its base), from %d: not asked (%s)", n, nbrk,
                 grow ? "a mapping just above" : "nothing mapped in between");
        note();
        return true;
    }
    snprintf(desc, sizeof desc, "brk(%d pages above its base), from %d%s", n, nbrk,
             grow && in_way ? ": mapped pages in the way, must fail" : "");
    note();
    long want = (long)(brkbase + (size_t)(grow && in_way ? nbrk : n) * PAGE);
    long r = brk(brkbase + (size_t)n * PAGE);
    if (r != want)
        return fail("brk = %p, want %p", (void *)r, (void *)want);
    if (!(grow && in_way)) {
        for (int k = n; k < nbrk; k++)
            m[WPAGES + k].mapped = 0, m[WPAGES + k].prot = 0, m[WPAGES + k].val = 0;
        for (int k = nbrk; k < n; k++)
            m[WPAGES + k].mapped = 1, m[WPAGES + k].prot = RW, m[WPAGES + k].val = 0;
        nbrk = n;
    }
    return verify_range(WPAGES, BPAGES, "after brk");
}

static bool op_brk(void)
{
    return do_brk((int)rnd(BPAGES + 1));
}

/* The changes a child, or a parent holding children, makes. */
static bool op_fork(void);
static bool op_fault(void);

static bool random_change(void)
{
    unsigned r = rnd(100);
    if (r >= 96 && depth < 2) /* now and then a child of its own */
        return r < 98 ? op_fork() : op_fault();
    return r < 20   ? op_mmap()
           : r < 32 ? op_munmap()
           : r < 47 ? op_mprotect()
           : r < 75 ? op_write()
           : r < 83 ? op_kcopy()
           : r < 92 ? op_madvise()
                    : op_brk();
}

/* In a child: close every descriptor but the two it uses. */
static void close_others(int a, int b)
{
    for (int fd = 3; fd < 64; fd++)
        if (fd != a && fd != b)
            close(fd);
}

/* A child's end: report what failed (or "+") on fd, exit with code (0 if
 * nothing failed). The parent reads the report after wait4: it is always
 * there by then, so one read() gets it, even while another child still holds
 * the pipe open. */
static _Noreturn void child_exit(int fd, int code)
{
    char msg[sizeof why];
    int n = snprintf(msg, sizeof msg, "in its \"%s\": %s", desc, why);
    if (why[0])
        write(fd, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
    else
        write(fd, "+", 1);
    exit(why[0] ? code : 0);
}

/* The child's part: check all, change a few things, check again. */
static _Noreturn void child_body(int rep, const char *ctx)
{
    depth++;
    rng = rng * 2654435761u ^ 0x5bd1e995u;
    if (!rng)
        rng = 1;
    if (!verify_all(false, ctx))
        child_exit(rep, 1);
    int k = 1 + (int)rnd(6);
    for (int j = 0; j < k; j++)
        if (!random_change())
            child_exit(rep, 2);
    if (!verify_all(false, "the child after its own changes"))
        child_exit(rep, 3);
    child_exit(rep, 0);
}

/* Wait for child pid, read its report from rep; true when it exited 0. */
static bool reap(long pid, int rep, const char *what)
{
    int st = 0;
    char msg[sizeof why];
    long r = wait4(pid, &st, 0, NULL);
    long n = read(rep, msg, sizeof msg - 1);
    close(rep);
    msg[n > 0 ? n : 0] = '\0';
    if (r != pid)
        return fail("wait4(%s %ld) = %ld %s", what, pid, r, rn(r));
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return true;
    if (WIFEXITED(st))
        return fail("%s exited with %d: %s", what, WEXITSTATUS(st), msg);
    return fail("%s killed by signal %d%s%s", what, WTERMSIG(st), msg[0] ? ": " : "", msg);
}

static bool op_fork(void)
{
    snprintf(desc, sizeof desc, "fork: the child checks, changes, checks; the parent checks");
    note();
    int rep[2];
    if (pipe(rep) != 0)
        return fail("pipe failed");
    long pid = fork();
    if (pid == 0) {
        close_others(rep[1], -1);
        child_body(rep[1], "the child after fork");
    }
    close(rep[1]);
    if (pid < 0) {
        close(rep[0]);
        return fail("fork = %ld %s", pid, rn(pid));
    }
    if (!reap(pid, rep[0], "the child"))
        return false;
    snprintf(desc, sizeof desc, "fork: the parent checks after its child's changes");
    return verify_all(false, "the parent after its child's changes");
}

/* One or two children held on a pipe while the parent changes things. */
static bool op_hold(void)
{
    int nch = 1 + (int)rnd(2);
    long pid[2] = {0, 0};
    int go[2][2], rep[2][2];
    bool ok = true;
    for (int c = 0; c < nch && ok; c++) {
        snprintf(desc, sizeof desc, "hold: fork child %d of %d, held on a pipe", c + 1, nch);
        note();
        if (pipe(go[c]) != 0) {
            ok = fail("pipe failed");
            break;
        }
        if (pipe(rep[c]) != 0) {
            close(go[c][0]);
            close(go[c][1]);
            ok = fail("pipe failed");
            break;
        }
        pid[c] = fork();
        if (pid[c] == 0) {
            close_others(go[c][0], rep[c][1]);
            char b;
            if (read(go[c][0], &b, 1) != 1) {
                depth++;
                fail("never released");
                child_exit(rep[c][1], 4);
            }
            child_body(rep[c][1], "a held child after it was released");
        }
        close(go[c][0]);
        close(rep[c][1]);
        if (pid[c] < 0) {
            close(go[c][1]);
            close(rep[c][0]);
            ok = fail("fork = %ld %s", pid[c], rn(pid[c]));
            break;
        }
        int k = (c == nch - 1 ? 1 : 0) + (int)rnd(5);
        for (int j = 0; j < k && ok; j++)
            ok = random_change();
    }
    /* Release in a random order (all of them, even after a failure). */
    int first = (int)rnd((unsigned)nch);
    for (int j = 0; j < nch; j++) {
        int c = (first + j) % nch;
        if (pid[c] <= 0)
            continue;
        snprintf(desc, sizeof desc, "hold: release child %d", c + 1);
        note();
        write(go[c][1], "g", 1);
        close(go[c][1]);
        if (!reap(pid[c], rep[c][0], "a held child"))
            ok = false;
    }
    return ok && verify_all(false, "the parent after releasing its children");
}

static bool do_fault(int i, unsigned o, bool wr)
{
    snprintf(desc, sizeof desc, "fault: %s page %d (%s) word %u in a child", wr ? "write" : "read", i,
             state(i), o);
    note();
    long pid = fork();
    if (pid == 0) {
        volatile uint32_t *p = (volatile uint32_t *)addr(i) + o;
        if (wr)
            *p = 0xdeadbeef;
        else
            (void)*p;
        exit(77);
    }
    if (pid < 0)
        return fail("fork = %ld %s", pid, rn(pid));
    int st = 0;
    long r = wait4(pid, &st, 0, NULL);
    if (r != pid)
        return fail("wait4 = %ld %s", r, rn(r));
    if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV)
        return true;
    if (WIFEXITED(st))
        return fail("the access did not fault (the child exited with %d)", WEXITSTATUS(st));
    return fail("the child was killed by signal %d, want SIGSEGV", WTERMSIG(st));
}

static bool op_fault(void)
{
    int cand[NP], nc = 0;
    for (int i = 0; i < NP; i++)
        if (!writable(i))
            cand[nc++] = i;
    if (nc == 0)
        return op_verify();
    int i = cand[rnd((unsigned)nc)];
    unsigned o = rnd(PAGE / 4);
    bool wr = readable(i) ? true : rnd(2);
    return do_fault(i, o, wr);
}

/* A call with a bad or odd argument: Linux's answer, and nothing changed. */
static bool op_edge(void)
{
    int s, n;
    pick_run(&s, &n);
    bool all_unmapped = true;
    for (int i = s; i < s + n; i++)
        all_unmapped &= !m[i].mapped;
    char *a = addr(s);
    long off = 1 + (long)rnd(PAGE - 1), r, want;
    const char *what;
    switch (rnd(all_unmapped ? 10 : 9)) {
    case 0:
        what = "munmap at an unaligned address", want = -EINVAL;
        r = munmap(a + off, (size_t)n * PAGE);
        break;
    case 1:
        what = "munmap of 0 bytes", want = -EINVAL;
        r = munmap(a, 0);
        break;
    case 2:
        what = "mprotect at an unaligned address", want = -EINVAL;
        r = mprotect(a + off, (size_t)n * PAGE, RW);
        break;
    case 3:
        what = "mprotect with an unknown PROT bit (0x10)", want = -EINVAL;
        r = mprotect(a, (size_t)n * PAGE, RW | 0x10);
        break;
    case 4:
        what = "mprotect of 0 bytes", want = 0;
        r = mprotect(a, 0, pick_prot());
        break;
    case 5:
        what = "madvise(MADV_DONTNEED) at an unaligned address", want = -EINVAL;
        r = syscall3(SYS_madvise, (long)(a + off), (long)n * PAGE, MADV_DONTNEED);
        break;
    case 6:
        what = "madvise(MADV_DONTNEED) of 0 bytes", want = 0;
        r = syscall3(SYS_madvise, (long)a, 0, MADV_DONTNEED);
        break;
    case 7:
        what = "mmap2(MAP_FIXED) at an unaligned address", want = -EINVAL;
        r = mmap2(a + off, (size_t)n * PAGE, RW, ANON | MAP_FIXED, -1, 0);
        break;
    case 8:
        what = "mmap2(MAP_FIXED) of 0 bytes", want = -EINVAL;
        r = mmap2(a, 0, RW, ANON | MAP_FIXED, -1, 0);
        break;
    default:
        what = "madvise(MADV_DONTNEED) of pages none of which is mapped", want = -ENOMEM;
        r = syscall3(SYS_madvise, (long)a, (long)n * PAGE, MADV_DONTNEED);
        break;
    }
    snprintf(desc, sizeof desc, "%s (page %d, %d pages, offset %ld)", what, s, n, off);
    note();
    if (r != want)
        return fail("= %ld %s, want %ld %s", r, rn(r), want, rn(want));
    return verify_range(s, n, "after a call that must change nothing");
}

static bool random_op(void)
{
    unsigned r = rnd(100);
    return r < 14   ? op_mmap()
           : r < 21 ? op_munmap()
           : r < 32 ? op_mprotect()
           : r < 51 ? op_write()
           : r < 57 ? op_kcopy()
           : r < 62 ? op_verify()
           : r < 68 ? op_madvise()
           : r < 74 ? op_brk()
           : r < 78 ? op_edge()
           : r < 86 ? op_fork()
           : r < 91 ? op_hold()
                    : op_fault();
}

/* ---------------------------------------------------------------- the runner */

/* The window back to one PROT_NONE mapping of zeros, the break to its base. */
static bool reset(void)
{
    snprintf(desc, sizeof desc, "reset: the window PROT_NONE, no brk pages");
    long r = mmap2(resv, (WPAGES + 2) * PAGE, PROT_NONE, ANON | MAP_FIXED, -1, 0);
    if (r != (long)resv)
        return fail("mmap2 of the reservation = %p %s, want %p", (void *)r, rn(r), resv);
    for (int i = 0; i < WPAGES; i++)
        m[i].mapped = 1, m[i].prot = PROT_NONE, m[i].val = 0;
    /* The brk pages: mapped (so that the break can shrink over them, on
     * Linux), the break at its base, then nothing mapped. */
    r = mmap2(brkbase, BPAGES * PAGE, RW, ANON | MAP_FIXED, -1, 0);
    if (r != (long)brkbase)
        return fail("mmap2 of the brk pages = %p %s, want %p", (void *)r, rn(r), brkbase);
    r = brk(brkbase);
    if (r != (long)brkbase)
        return fail("brk(its base) = %p, want %p", (void *)r, brkbase);
    if ((r = munmap(brkbase, BPAGES * PAGE)) != 0)
        return fail("munmap of the brk pages = %ld %s", r, rn(r));
    for (int i = WPAGES; i < NP; i++)
        m[i].mapped = 0, m[i].prot = 0, m[i].val = 0;
    nbrk = 0;
    return true;
}

/* Everything the fuzzer made gone: the window and the break. */
static bool teardown(void)
{
    long r = munmap(resv, (WPAGES + 2) * PAGE);
    if (r != 0)
        return fail("munmap of the reservation = %ld %s", r, rn(r));
    r = brk((void *)brk0);
    if (r != brk0)
        return fail("brk back to %p = %p", (void *)brk0, (void *)r);
    return true;
}

/* Every page of the program itself made present before free frames are
 * counted: 32 KiB of stack, far more than any operation uses; each page of the
 * image read (our kernel reads a page of the program from its module, into a
 * cache that keeps it, on the first touch, which for some page of text might
 * otherwise come only in a later seed); each page of bss written. */
extern const char __executable_start[], __bss_start[], _end[];

static void touch_program(void)
{
    volatile char deep[32 * 1024];
    for (size_t off = 0; off < sizeof deep; off += 512)
        deep[off] = 1;
    uintptr_t page = (uintptr_t)__executable_start & ~(uintptr_t)(PAGE - 1);
    for (; page < (uintptr_t)_end; page += PAGE) {
        if (page + PAGE <= (uintptr_t)__bss_start) {
            (void)*(const volatile char *)page;
        } else { /* the first byte of bss in the page, written back as it is */
            volatile char *b =
                (volatile char *)(page > (uintptr_t)__bss_start ? page : (uintptr_t)__bss_start);
            *b = *b;
        }
    }
}

/* The kernel's tables grown to what the seeds will need: 256 regions in the
 * window, the brk, a fork and a fault; the program's own pages present. */
static bool warm_up(void)
{
    touch_program();
    if (!reset())
        return false;
    for (int i = 0; i < WPAGES; i++)
        if (!do_mmap(i, 1, i % 2 ? PROT_READ : RW, false))
            return false;
    for (int i = 0; i < WPAGES; i += 2)
        stamp(i, new_val());
    if (!do_brk(BPAGES))
        return false;
    for (int i = WPAGES; i < NP; i++)
        stamp(i, new_val());
    return verify_all(true, "warm-up") && op_fork() && op_hold() && do_fault(1, 7, true) && reset() &&
           teardown();
}

static long frames(void)
{
    struct sysinfo si;
    if (sysinfo(&si) != 0)
        return -1;
    return (long)(((unsigned long long)si.freeram * si.mem_unit) >> 12);
}

static bool run_seed(unsigned seed, unsigned nops)
{
    seed_no = seed;
    op_no = 0;
    why[0] = '\0';
    rng = seed * 2654435761u ^ 0x9e3779b9u;
    if (!rng)
        rng = 1;
    vrng = rng ^ 0x85ebca6bu;
    bool ok = reset();
    for (unsigned k = 1; ok && k <= nops; k++) {
        op_no = k;
        ok = random_op();
    }
    if (ok) {
        op_no = nops + 1;
        snprintf(desc, sizeof desc, "the end: every page checked word by word");
        ok = verify_all(true, "at the end");
    }
    if (ok)
        printf("vmfuzz: ok seed %u (%u ops)\n", seed, nops);
    else
        printf("vmfuzz: FAIL seed %u op %u: %s: %s\n", seed, op_no, desc, why);
    return ok;
}

int main(int argc, char **argv, char **envp)
{
    (void)envp;
    unsigned seeds[64], nseeds = 0, nops = VMFUZZ_OPS;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--linux") == 0)
            linux_mode = true;
        else if (strcmp(argv[i], "--trace") == 0)
            trace = true;
        else if (strcmp(argv[i], "--ops") == 0 && i + 1 < argc)
            nops = (unsigned)atoi(argv[++i]);
        else if (argv[i][0] >= '0' && argv[i][0] <= '9' && nseeds < 64)
            seeds[nseeds++] = (unsigned)atoi(argv[i]);
        else {
            printf("usage: vmfuzz [--linux] [--trace] [--ops N] [SEED...]\n");
            return 2;
        }
    }
    if (nseeds == 0)
        for (nseeds = 0; nseeds < VMFUZZ_NSEEDS && nseeds < 64; nseeds++)
            seeds[nseeds] = VMFUZZ_FIRST + nseeds;

    int passed = 0, failed = 0;
    brk0 = brk(0);
    brkbase = (char *)(((uintptr_t)brk0 + PAGE - 1) & ~(uintptr_t)(PAGE - 1));
    /* The window straddles a 4 MiB boundary (a page table's reach) in its
     * middle: 4 MiB more reserved, the slack on either side given back. */
    size_t total = (WPAGES + 2) * PAGE + PT_REACH;
    long r = mmap2(NULL, total, PROT_NONE, ANON, -1, 0);
    if (sys_failed(r)) {
        printf("vmfuzz: FAIL reserve: mmap2 of %u bytes = %ld %s\n", total, r, rn(r));
        printf("vmfuzz: 0 passed, 1 failed\n");
        return 1;
    }
    uintptr_t mid = ((uintptr_t)r + PAGE + WPAGES / 2 * PAGE + PT_REACH - 1) & ~(uintptr_t)(PT_REACH - 1);
    win = (char *)(mid - WPAGES / 2 * PAGE);
    resv = win - PAGE;
    if ((resv > (char *)r && munmap((void *)r, (size_t)(resv - (char *)r)) != 0) ||
        munmap(resv + (WPAGES + 2) * PAGE, (size_t)((char *)r + total - (resv + (WPAGES + 2) * PAGE))) != 0) {
        printf("vmfuzz: FAIL reserve: munmap of the slack failed\n");
        printf("vmfuzz: 0 passed, 1 failed\n");
        return 1;
    }
    printf("vmfuzz: pid %ld, window %p-%p, brk %p, %u seeds x %u ops%s\n", getpid(), win,
           win + WPAGES * PAGE - 1, brkbase, nseeds, nops, linux_mode ? ", Linux host mode" : "");

    seed_no = 0;
    rng = 0x2545f491u, vrng = 0x9e3779b9u;
    if (!warm_up()) {
        printf("vmfuzz: FAIL warm-up: %s: %s\n", desc, why);
        printf("vmfuzz: 0 passed, 1 failed\n");
        return 1;
    }
    long f0 = frames();

    for (unsigned k = 0; k < nseeds; k++) {
        if (run_seed(seeds[k], nops))
            passed++;
        else
            failed++;
    }

    why[0] = '\0';
    if (!reset() || !teardown()) {
        printf("vmfuzz: FAIL cleanup: %s: %s\n", desc, why);
        failed++;
    } else if (linux_mode) {
        printf("vmfuzz: skip frames (free memory is not exact on Linux: %ld after the warm-up, %ld now)\n",
               f0, frames());
    } else {
        long f1 = frames();
        if (f1 == f0) {
            printf("vmfuzz: ok frames (%ld free after the warm-up, %ld at the end)\n", f0, f1);
            passed++;
        } else {
            printf("vmfuzz: FAIL frames: %ld free after the warm-up, %ld at the end (%ld %s)\n", f0, f1,
                   f1 > f0 ? f1 - f0 : f0 - f1, f1 > f0 ? "more" : "fewer");
            failed++;
        }
    }
    printf("vmfuzz: %d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
