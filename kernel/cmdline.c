/*
 * kernel/cmdline.c - split the command line into key=value options (see cmdline.h).
 *
 * The line is copied into a private buffer and cut in place: each separator
 * becomes a NUL, so keys and values point into the buffer with no allocation.
 */
#include "cmdline.h"
#include "kstring.h"

static char buf[CMDLINE_MAX_LEN];
static const char *keys[CMDLINE_MAX_OPTS];
static const char *values[CMDLINE_MAX_OPTS];
static int count, dropped;

/* A word with a '/' and no '=' is a file path (GRUB: "/boot/kernel.elf", qemu -kernel: "build/kernel.elf"). */
static bool is_path(const char *w)
{
    bool slash = false;
    for (; *w; w++) {
        if (*w == '=')
            return false;
        if (*w == '/')
            slash = true;
    }
    return slash;
}

void cmdline_parse(const char *s)
{
    int n = 0;
    count = dropped = 0;
    while (s && s[n] && n < CMDLINE_MAX_LEN - 1) {
        buf[n] = s[n];
        n++;
    }
    buf[n] = '\0';

    char *p = buf;
    bool first = true;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            *p++ = '\0';
        if (!*p)
            break;
        char *word = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*p)
            *p++ = '\0';
        if (first && is_path(word)) { /* the kernel's own path */
            first = false;
            continue;
        }
        first = false;
        if (count == CMDLINE_MAX_OPTS) {
            dropped++;
            continue;
        }
        char *eq = word;
        while (*eq && *eq != '=')
            eq++;
        if (*eq) {
            *eq = '\0';
            values[count] = eq + 1;
        } else {
            values[count] = "";
        }
        keys[count++] = word;
    }
}

const char *cmdline_get(const char *key)
{
    /* The last occurrence wins, as with most kernels' command lines. */
    for (int i = count - 1; i >= 0; i--)
        if (kstreq(keys[i], key))
            return values[i];
    return 0;
}

bool cmdline_has(const char *key)
{
    return cmdline_get(key) != 0;
}

int cmdline_count(void)
{
    return count;
}

int cmdline_dropped(void)
{
    return dropped;
}

int cmdline_flag(const char *key)
{
    const char *v = cmdline_get(key);
    if (!v || kstreq(v, "0") || kstreq(v, "off") || kstreq(v, "no"))
        return CMDLINE_OFF;
    if (!*v || kstreq(v, "1") || kstreq(v, "on") || kstreq(v, "yes"))
        return CMDLINE_ON;
    return CMDLINE_BAD;
}
