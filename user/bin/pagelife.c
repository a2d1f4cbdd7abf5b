/*
 * user/bin/pagelife.c - the life of one page, a step at a time.
 *
 * A demonstration for the demand-paging chapter (docs/08): one page of
 * anonymous memory goes from untouched to the zero page, to a private frame,
 * to a frame shared with a child after fork, to a copy, and back to a frame
 * nobody else maps. After each step the program waits for Enter on the console,
 * so the monitor (Ctrl-K) can look at the page: `pagemap 0x40000000 0x40000fff
 * pid 1` (and `pid 2` once the child exists), `vmstat`, then `continue`.
 * tests/shell-tests.sh drives it that way.
 */
#include "ulib.h"

#define PAGE 4096u

static void wait_enter(void)
{
    char line[64];
    read(0, line, sizeof line);
}

int main(int argc, char **argv, char **envp)
{
    (void)argc, (void)argv, (void)envp;
    long r = mmap2((void *)0x40000000, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (r < 0 && r > -4096) {
        printf("pagelife: mmap2 failed: %ld\n", r);
        return 1;
    }
    volatile uint32_t *page = (volatile uint32_t *)r;
    printf("pagelife: step 1: one page mapped at %p, never touched\n", (void *)page);
    wait_enter();

    uint32_t v = page[0];
    printf("pagelife: step 2: read it (%u): the zero page, read-only\n", (unsigned)v);
    wait_enter();

    page[0] = 1;
    printf("pagelife: step 3: wrote it: a private frame, writable\n");
    wait_enter();

    int go[2];
    pipe(go);
    long child = fork();
    if (child == 0) {
        char c;
        read(go[0], &c, 1);
        page[0] = 3;
        printf("pagelife: step 6: pid 2 wrote its copy: the frame was its alone, made writable without a copy\n");
        read(go[0], &c, 1);
        exit(page[0] == 3 ? 0 : 1);
    }
    printf("pagelife: step 4: forked pid %ld: one frame, read-only in both\n", child);
    wait_enter();

    page[0] = 2;
    printf("pagelife: step 5: pid 1 wrote: it got a copy; pid 2 keeps the old frame, now alone\n");
    wait_enter();

    write(go[1], "x", 1);
    wait_enter();
    write(go[1], "x", 1);
    int st = 0;
    waitpid(child, &st, 0);
    printf("pagelife: done: pid 1 reads %u, pid 2 exited with %d\n", (unsigned)page[0], (st >> 8) & 0xff);
    return page[0] == 2 && st == 0 ? 0 : 1;
}
