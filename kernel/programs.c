/*
 * kernel/programs.c - multiboot modules as named programs (see programs.h).
 */
#include "programs.h"
#include "bootinfo.h"
#include "kstring.h"
#include "kprintf.h"
#include "mm/memlayout.h"
#include "mm/mmu.h"
#include "mm/vmm.h"
#include "mm/vrange.h"

static struct program programs[BOOTINFO_MODS_MAX];
static int nprograms;

const char *path_basename(const char *path)
{
    const char *base = path;
    for (const char *s = path; *s; s++)
        if (*s == '/')
            base = s + 1;
    return base;
}

/* The basename of the first word of a module's command line, bounded. */
static void name_from_cmdline(char *dst, const char *cmdline, int index)
{
    char word[BOOTINFO_MODNAME_MAX];
    unsigned n = 0;
    while (cmdline[n] && cmdline[n] != ' ' && n + 1 < sizeof word) {
        word[n] = cmdline[n];
        n++;
    }
    word[n] = '\0';
    const char *base = path_basename(word);
    if (!*base) { /* no command line: still reachable, by position */
        static const char digits[] = "0123456789";
        const char *prefix = "module";
        n = 0;
        while (*prefix)
            dst[n++] = *prefix++;
        if (index >= 10)
            dst[n++] = digits[index / 10 % 10];
        dst[n++] = digits[index % 10];
        dst[n] = '\0';
        return;
    }
    for (n = 0; base[n] && n + 1 < PROGRAM_NAME_MAX; n++)
        dst[n] = base[n];
    dst[n] = '\0';
}

void programs_init(void)
{
    for (uint32_t i = 0; i < bootinfo.mods_count; i++) {
        const struct multiboot_module *mod = &bootinfo.mods[i];
        struct program *p = &programs[nprograms];
        name_from_cmdline(p->name, bootinfo.mod_cmdline[i], (int)i);
        if (mod->mod_end < mod->mod_start) {
            kprintf("programs: module %u ('%s') ends before it starts: ignored\n", (unsigned)i, p->name);
            continue;
        }
        p->phys = mod->mod_start;
        p->size = mod->mod_end - mod->mod_start;
        if (p->size) {
            paddr_t first = PAGE_ROUND_DOWN(mod->mod_start);
            size_t span = PAGE_ROUND_UP(mod->mod_end) - first;
            uintptr_t va = vrange_alloc(span, PAGE_SIZE);
            if (!va || vmm_map_range(va, first, span, 0) != VMM_OK) {
                kprintf("programs: no kernel space to map module '%s' (%u bytes): ignored\n", p->name,
                        (unsigned)p->size);
                if (va)
                    vrange_free(va);
                continue;
            }
            p->data = (const uint8_t *)(va + PGOFF(mod->mod_start));
        }
        if (program_find(p->name))
            kprintf("programs: two modules are named '%s': execve finds the first\n", p->name);
        kprintf("programs: '%s' %u bytes at 0x%08x\n", p->name, (unsigned)p->size, (unsigned)p->phys);
        nprograms++;
    }
}

struct program *program_find(const char *path)
{
    const char *name = path_basename(path);
    for (int i = 0; i < nprograms; i++)
        if (kstreq(programs[i].name, name))
            return &programs[i];
    return 0;
}

int program_count(void)
{
    return nprograms;
}

const struct program *program_at(int i)
{
    return i >= 0 && i < nprograms ? &programs[i] : 0;
}
