/*
 * kernel/bootinfo.c - copy the loader's multiboot information into the kernel.
 *
 * See bootinfo.h for why. Every length taken from the loader is bounded by the
 * size of our copy; what does not fit is logged, never overrun.
 */
#include "bootinfo.h"
#include "kprintf.h"
#include "mm/fixmap.h"
#include "mm/mmu.h"

struct bootinfo bootinfo;

void phys_read(void *dst, paddr_t src, uint32_t len)
{
    uint8_t *d = dst;
    if ((uint64_t)src + len > MEMMAP_4G)
        panic("the loader's data at 0x%08x (%u bytes) runs past 4 GiB: corrupt multiboot information",
              (unsigned)src, (unsigned)len);
    while (len) {
        paddr_t page = src & ~(paddr_t)(PAGE_SIZE - 1);
        uint32_t off = src - page;
        uint32_t chunk = PAGE_SIZE - off;
        if (chunk > len)
            chunk = len;
        const uint8_t *s = (const uint8_t *)fixmap_set(FIXMAP_SLOT_BOOTINFO, page) + off;
        for (uint32_t i = 0; i < chunk; i++)
            d[i] = s[i];
        fixmap_clear(FIXMAP_SLOT_BOOTINFO);
        d += chunk;
        src += chunk;
        len -= chunk;
    }
}

/* Copy a NUL-terminated string of at most max-1 characters; returns its length in memory (with the NUL). */
static uint32_t phys_read_string(char *dst, paddr_t src, uint32_t max)
{
    uint32_t n = 0;
    while (n + 1 < max) {
        phys_read(&dst[n], src + n, 1);
        if (dst[n] == '\0')
            return n + 1;
        n++;
    }
    dst[n] = '\0';
    /* Too long for our copy: find the real end so the whole string is carved out. */
    for (uint32_t extra = 0; extra < 65536; extra++, n++) {
        char c;
        phys_read(&c, src + n, 1);
        if (c == '\0')
            break;
    }
    kprintf("boot: string at 0x%08x truncated to %u bytes\n", (unsigned)src, (unsigned)(max - 1));
    return n + 1;
}

static void add_range(uint64_t start, uint64_t len, const char *what)
{
    if (len == 0)
        return;
    if (bootinfo.nranges >= BOOTINFO_RANGES_MAX) {
        kprintf("boot: too many loader ranges; %s not recorded\n", what);
        return;
    }
    if (start + len > MEMMAP_4G) {
        kprintf("boot: fix %s at 0x%08llx runs past 4 GiB (%llu bytes): clipped\n", what,
                (unsigned long long)start, (unsigned long long)len);
        len = MEMMAP_4G - start;
    }
    bootinfo.ranges[bootinfo.nranges].start = start;
    bootinfo.ranges[bootinfo.nranges].end = start + len;
    bootinfo.range_what[bootinfo.nranges] = what;
    bootinfo.nranges++;
}

/*
 * More modules than we keep: their memory must still never be handed out (the
 * frame bitmap could land on one). One range spanning all of them and their
 * strings is carved; RAM between them is lost for this boot, which the log says.
 */
static void protect_extra_modules(uint32_t list, uint32_t n)
{
    uint64_t lo = UINT64_MAX, hi = 0;
    for (uint32_t i = BOOTINFO_MODS_MAX; i < n; i++) {
        struct multiboot_module mod;
        phys_read(&mod, list + i * sizeof mod, sizeof mod);
        if (mod.mod_end > mod.mod_start) {
            lo = mod.mod_start < lo ? mod.mod_start : lo;
            hi = mod.mod_end > hi ? mod.mod_end : hi;
        }
        if (mod.string) {
            char s[BOOTINFO_MODNAME_MAX];
            uint32_t len = phys_read_string(s, mod.string, sizeof s);
            lo = mod.string < lo ? mod.string : lo;
            hi = (uint64_t)mod.string + len > hi ? (uint64_t)mod.string + len : hi;
        }
    }
    kprintf("boot: %u modules; the first %u are kept as programs, the memory of the other %u is protected\n",
            (unsigned)n, BOOTINFO_MODS_MAX, (unsigned)(n - BOOTINFO_MODS_MAX));
    if (hi > lo)
        add_range(lo, hi - lo, "modules not kept");
}

void bootinfo_init(uint32_t info_phys)
{
    struct bootinfo *b = &bootinfo;
    struct multiboot_info *m = &b->mbi;

    phys_read(m, info_phys, sizeof *m);
    add_range(info_phys, sizeof *m, "multiboot info");

    if (m->flags & MBI_CMDLINE) {
        uint32_t n = phys_read_string(b->cmdline, m->cmdline, sizeof b->cmdline);
        add_range(m->cmdline, n, "command line");
    }
    if (m->flags & MBI_LOADER_NAME) {
        uint32_t n = phys_read_string(b->loader, m->boot_loader_name, sizeof b->loader);
        add_range(m->boot_loader_name, n, "loader name");
    }
    if (m->flags & MBI_MEM_MAP) {
        uint32_t len = m->mmap_length;
        add_range(m->mmap_addr, len, "memory map");
        if (len > sizeof b->mmap) {
            kprintf("boot: memory map of %u bytes truncated to %u\n", (unsigned)len,
                    (unsigned)sizeof b->mmap);
            len = sizeof b->mmap;
        }
        phys_read(b->mmap, m->mmap_addr, len);
        b->mmap_length = len;
    }
    if ((m->flags & MBI_MODS) && m->mods_count) {
        uint32_t n = m->mods_count;
        add_range(m->mods_addr, (uint64_t)n * sizeof(struct multiboot_module), "module list");
        if (n > BOOTINFO_MODS_MAX) {
            protect_extra_modules(m->mods_addr, n);
            n = BOOTINFO_MODS_MAX;
        }
        phys_read(b->mods, m->mods_addr, n * sizeof(struct multiboot_module));
        b->mods_count = n;
        for (uint32_t i = 0; i < n; i++) {
            const struct multiboot_module *mod = &b->mods[i];
            if (mod->mod_end > mod->mod_start)
                add_range(mod->mod_start, mod->mod_end - mod->mod_start, "module");
            if (mod->string) {
                uint32_t len = phys_read_string(b->mod_cmdline[i], mod->string, BOOTINFO_MODNAME_MAX);
                add_range(mod->string, len, "module string");
            }
        }
    }
    if ((m->flags & MBI_ELF_SHDR) && m->shdr_num && m->shdr_size)
        add_range(m->shdr_addr, (uint64_t)m->shdr_num * m->shdr_size, "ELF section headers");
}
