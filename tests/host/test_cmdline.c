/*
 * tests/host/test_cmdline.c - the command-line parser (kernel/cmdline.c) on the host.
 */
#include "check.h"
#include "kernel/cmdline.h"

int main(void)
{
    /* GRUB: the kernel path comes first and is skipped. */
    cmdline_parse("/boot/kernel.elf test=fault-null exit=qemu");
    CHECK_EQ(cmdline_count(), 2);
    CHECK_STR(cmdline_get("test"), "fault-null");
    CHECK_STR(cmdline_get("exit"), "qemu");
    CHECK(cmdline_get("boot/kernel.elf") == NULL);

    /* qemu -kernel passes a relative path. */
    cmdline_parse("build/kernel.elf  heapdebug   a=b=c ");
    CHECK_EQ(cmdline_count(), 2);
    CHECK(cmdline_has("heapdebug"));
    CHECK_STR(cmdline_get("heapdebug"), "");
    CHECK_STR(cmdline_get("a"), "b=c");
    CHECK(!cmdline_has("b"));

    /* A first word without a slash is an option; the last occurrence wins; tabs separate. */
    cmdline_parse("x=1\tx=2 y");
    CHECK_EQ(cmdline_count(), 3);
    CHECK_STR(cmdline_get("x"), "2");
    CHECK(cmdline_has("y"));

    /* A value containing '/' after the first word is kept. */
    cmdline_parse("/k root=/dev/sda");
    CHECK_STR(cmdline_get("root"), "/dev/sda");

    /* Empty and NULL lines give no options; a reparse forgets the old ones. */
    cmdline_parse("");
    CHECK_EQ(cmdline_count(), 0);
    CHECK(!cmdline_has("x"));
    cmdline_parse(NULL);
    CHECK_EQ(cmdline_count(), 0);

    /* More options than fit: the first CMDLINE_MAX_OPTS are kept, nothing overflows. */
    char big[CMDLINE_MAX_LEN * 2];
    size_t n = 0;
    for (int i = 0; i < 40; i++)
        n += (size_t)snprintf(big + n, sizeof big - n, "k%d=%d ", i, i);
    cmdline_parse(big);
    CHECK_EQ(cmdline_count(), CMDLINE_MAX_OPTS);
    CHECK_EQ(cmdline_dropped(), 40 - CMDLINE_MAX_OPTS); /* counted, so the kernel can say so */
    CHECK_STR(cmdline_get("k0"), "0");
    CHECK_STR(cmdline_get("k31"), "31");
    CHECK(!cmdline_has("k32"));

    /* On/off options: a bare word or 1/on/yes is on, 0/off/no or absent is off, anything else bad. */
    cmdline_parse("a b=1 c=on d=yes e=0 f=off g=no h=maybe i=");
    CHECK_EQ(cmdline_flag("a"), CMDLINE_ON);
    CHECK_EQ(cmdline_flag("b"), CMDLINE_ON);
    CHECK_EQ(cmdline_flag("c"), CMDLINE_ON);
    CHECK_EQ(cmdline_flag("d"), CMDLINE_ON);
    CHECK_EQ(cmdline_flag("e"), CMDLINE_OFF);
    CHECK_EQ(cmdline_flag("f"), CMDLINE_OFF);
    CHECK_EQ(cmdline_flag("g"), CMDLINE_OFF);
    CHECK_EQ(cmdline_flag("h"), CMDLINE_BAD);
    CHECK_EQ(cmdline_flag("i"), CMDLINE_ON); /* "i=" is a bare word with an empty value */
    CHECK_EQ(cmdline_flag("absent"), CMDLINE_OFF);
    CHECK_EQ(cmdline_dropped(), 0);

    /* An over-long line is cut at CMDLINE_MAX_LEN - 1 characters, not overrun. */
    char longline[CMDLINE_MAX_LEN + 100];
    memset(longline, 'a', sizeof longline - 1);
    longline[0] = 'k';
    longline[1] = '=';
    longline[sizeof longline - 1] = '\0';
    cmdline_parse(longline);
    CHECK_EQ(strlen(cmdline_get("k")), CMDLINE_MAX_LEN - 3);

    return check_summary("test_cmdline");
}
