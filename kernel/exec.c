/*
 * kernel/exec.c - loading an ELF program and building its first stack (see exec.h).
 *
 * The stack a program finds at its entry point is the System V i386 one, which
 * is what crt0 of every C library (ours, musl, glibc) expects:
 *
 *   USER_STACK_TOP  +---------------------------+
 *                   | 16 random bytes           | <- AT_RANDOM points here
 *                   | argv and envp strings     |
 *                   | (padding to 16 bytes)     |
 *                   | auxv: (type, value) pairs,| AT_PHDR, AT_PHNUM, AT_PAGESZ,
 *                   |   ending with AT_NULL     | AT_ENTRY, AT_RANDOM, ...
 *                   | NULL                      |
 *                   | envp[envc-1] ... envp[0]  |
 *                   | NULL                      |
 *                   | argv[argc-1] ... argv[0]  |
 *   ESP (16-aligned)| argc                      |
 *                   +---------------------------+
 *
 * The block is built in a kernel buffer, then written into the new address
 * space through uvm_write before the process ever runs. Those few pages are
 * the only ones exec gives frames to: the program's own pages come from the
 * module when first touched (kernel/vm.c), so exec's cost does not grow with
 * the size of the program.
 */
#include "exec.h"
#include "cpu.h"
#include "elf.h"
#include "errno.h"
#include "gdt.h"
#include "kmem.h"
#include "kprintf.h"
#include "proc.h"
#include "programs.h"
#include "random.h"
#include "usercopy.h"
#include "vm.h"
#include "mm/region.h"
#include "mm/heap.h"
#include "mm/memlayout.h"
#include "mm/pmm.h"
#include "mm/pte.h"
#include "mm/uvm.h"
#include "mm/vmm.h"

/* Auxiliary-vector types (Linux's include/uapi/linux/auxvec.h). */
#define AT_NULL   0
#define AT_PHDR   3
#define AT_PHENT  4
#define AT_PHNUM  5
#define AT_PAGESZ 6
#define AT_BASE   7
#define AT_FLAGS  8
#define AT_ENTRY  9
#define AT_UID    11
#define AT_EUID   12
#define AT_GID    13
#define AT_EGID   14
#define AT_HWCAP  16
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_RANDOM 25
#define NAUX      15 /* pairs, AT_NULL included */

/* ------------------------------------------------------------ arguments */

static int args_reserve(struct exec_args *a, size_t n)
{
    /* Each string also costs a pointer on the new stack. */
    if (a->used + n + 4u * (size_t)(a->argc + a->envc + 1) > EXEC_ARG_MAX ||
        a->argc + a->envc >= EXEC_ARGS_MAX)
        return -E2BIG;
    return 0;
}

/* Copy the NULL-terminated user array of strings at `uarr` onto the end of a->strings. */
static int gather_user(struct exec_args *a, uintptr_t uarr, int *count)
{
    for (;;) {
        uint32_t ustr;
        if (copyin(&ustr, uarr + 4u * (uint32_t)*count, sizeof ustr))
            return -EFAULT;
        if (!ustr)
            return 0;
        int err = args_reserve(a, 1);
        if (err)
            return err;
        int n = copyinstr(a->strings + a->used, ustr, EXEC_ARG_MAX - a->used);
        if (n == -ENAMETOOLONG)
            return -E2BIG;
        if (n < 0)
            return n;
        if ((err = args_reserve(a, (size_t)n + 1)))
            return err;
        a->used += (size_t)n + 1;
        (*count)++;
    }
}

int exec_args_from_user(struct exec_args *a, uintptr_t uargv, uintptr_t uenvp)
{
    memset(a, 0, sizeof *a);
    a->strings = kmalloc(EXEC_ARG_MAX);
    if (!a->strings)
        return -ENOMEM;
    int err = uargv ? gather_user(a, uargv, &a->argc) : 0;
    if (!err && uenvp)
        err = gather_user(a, uenvp, &a->envc);
    return err;
}

int exec_args_from_kernel(struct exec_args *a, const char *const *argv, const char *const *envp)
{
    memset(a, 0, sizeof *a);
    a->strings = kmalloc(EXEC_ARG_MAX);
    if (!a->strings)
        return -ENOMEM;
    for (int pass = 0; pass < 2; pass++) {
        const char *const *v = pass ? envp : argv;
        for (; v && *v; v++) {
            size_t n = 0;
            while ((*v)[n])
                n++;
            if (args_reserve(a, n + 1))
                return -E2BIG;
            memcpy(a->strings + a->used, *v, n + 1);
            a->used += n + 1;
            if (pass)
                a->envc++;
            else
                a->argc++;
        }
    }
    return 0;
}

void exec_args_free(struct exec_args *a)
{
    kfree(a->strings);
    a->strings = 0;
}

/* ---------------------------------------------------------- the image */

/* Store the user addresses of `count` consecutive strings (the first at user
 * address *at, its bytes at `s`), then a NULL; *at moves past them. */
static uint32_t *put_pointers(uint32_t *w, uint32_t *at, const char *s, int count)
{
    for (int i = 0; i < count; i++) {
        *w++ = *at;
        size_t len = 1;
        while (s[len - 1])
            len++;
        s += len;
        *at += (uint32_t)len;
    }
    *w++ = 0;
    return w;
}

/* Build the initial stack in `pd`; its lowest address is returned in *sp. */
static int build_stack(paddr_t pd, const struct exec_args *a, const struct elf_image *img, uint32_t *sp)
{
    uint32_t top = USER_STACK_TOP;
    uint32_t rnd = top - 16;
    uint32_t strs = rnd - (uint32_t)a->used;
    uint32_t words = 1 + (uint32_t)a->argc + 1 + (uint32_t)a->envc + 1 + 2 * NAUX;
    uint32_t base = ((strs & ~15u) - words * 4) & ~15u;
    size_t size = top - base;
    if (size > EXEC_ARG_MAX + 4096)
        return -E2BIG;
    /* Only the pages the block needs get frames now; the rest of the stack
     * region fills on demand as the program pushes. */
    if (uvm_alloc_range(pd, PAGE_ROUND_DOWN(base), top - PAGE_ROUND_DOWN(base), PTE_W))
        return -ENOMEM;

    uint8_t *buf = kmalloc(size);
    if (!buf)
        return -ENOMEM;
    memset(buf, 0, size);
    random_bytes(buf + (rnd - base), 16);
    memcpy(buf + (strs - base), a->strings, a->used);

    uint32_t *w = (uint32_t *)buf;
    *w++ = (uint32_t)a->argc;
    uint32_t at = strs;
    w = put_pointers(w, &at, a->strings + (at - strs), a->argc); /* argv, then its NULL */
    w = put_pointers(w, &at, a->strings + (at - strs), a->envc); /* envp, then its NULL */
    const uint32_t aux[NAUX][2] = {
        {AT_PHDR, img->phdr_vaddr},
        {AT_PHENT, img->phentsize},
        {AT_PHNUM, img->phnum},
        {AT_PAGESZ, PAGE_SIZE},
        {AT_BASE, 0},
        {AT_FLAGS, 0},
        {AT_ENTRY, img->entry},
        {AT_UID, 0},
        {AT_EUID, 0},
        {AT_GID, 0},
        {AT_EGID, 0},
        {AT_HWCAP, cpu.features_edx},
        {AT_CLKTCK, 100},
        {AT_RANDOM, rnd},
        {AT_NULL, 0},
    };
    memcpy(w, aux, sizeof aux);
    int err = uvm_write(pd, base, buf, size) ? -ENOMEM : 0;
    kfree(buf);
    *sp = base;
    return err;
}

int exec_into(struct proc *p, const char *path, const struct exec_args *a)
{
    struct program *prog = program_find(path);
    if (!prog)
        return -ENOENT;
    int err = vm_program_prepare(prog); /* -ENOEXEC, logged, for a bad file */
    if (err)
        return err;
    const struct elf_image *img = prog->img;

    /* The new address space, beside the old: the stack's first pages, and regions
     * for the image and the stack. Not one page of the program is read yet. */
    uint32_t kgen = vmm_kernel_pde_generation();
    paddr_t pd = uvm_create();
    uint32_t sp = 0;
    struct region_set regions;
    region_set_init(&regions);
    err = pd == PMM_NO_FRAME ? -ENOMEM : build_stack(pd, a, img, &sp);
    if (!err)
        err = vm_image_regions(&regions, img, PAGE_ROUND_DOWN(sp));
    if (err) {
        if (pd != PMM_NO_FRAME)
            uvm_destroy(pd);
        region_set_free(&regions);
        return err;
    }

    /* The point of no return: the new image replaces the old. */
    paddr_t old = p->pd;
    p->pd = pd;
    region_set_free(&p->regions);
    p->regions = regions;
    p->prog = prog;
    p->brk_start = p->brk = PAGE_ROUND_UP(img->high);
    memset(&p->tls, 0, sizeof p->tls);
    const char *name = path_basename(path);
    unsigned n = 0;
    for (; name[n] && n + 1 < sizeof p->name; n++)
        p->name[n] = name[n];
    p->name[n] = '\0';

    struct trapframe *tf = p->tf;
    uint32_t cs = tf->cs, ss = tf->user_ss, ds = tf->ds;
    memset(tf, 0, sizeof *tf);
    tf->cs = cs;
    tf->user_ss = ss;
    tf->ds = tf->es = tf->fs = tf->gs = ds;
    tf->eflags = 0x202;
    tf->eip = img->entry;
    tf->user_esp = sp;

    p->kgen = kgen; /* the kernel half as uvm_create copied it */
    if (p == proc_current()) {
        gdt_set_tls(0, 0, false, false);
        uvm_activate(pd, &p->kgen);
    }
    uvm_destroy(old);
    return 0;
}
