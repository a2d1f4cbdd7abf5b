/*
 * tests/host/test_frameref.c - per-frame reference counts (mm/frameref.c).
 *
 * Each case starts from a fresh array of 16 frames, all at count 0.
 */
#include "check.h"
#include "host_shim.h"
#include "mm/frameref.h"

#define P 4096u

static uint16_t storage[16];

static void reset(void)
{
    frameref_init(storage, 16);
    host_misuse_reset();
}

/* Expect: counts go up and down one at a time; put reports what is left. */
static void test_get_put(void)
{
    reset();
    CHECK_EQ(frameref_storage_bytes(16), sizeof storage);
    CHECK_EQ(frameref_count(3 * P), 0);
    frameref_get(3 * P);
    frameref_get(3 * P);
    CHECK_EQ(frameref_count(3 * P), 2);
    CHECK_EQ(frameref_shared(), 1);
    CHECK_EQ(frameref_put(3 * P), 1);
    CHECK_EQ(frameref_shared(), 0);
    CHECK_EQ(frameref_put(3 * P), 0);
    CHECK_EQ(frameref_count(3 * P), 0);
    CHECK_EQ(frameref_count(4 * P), 0); /* neighbours untouched */
    CHECK_EQ(host_misuse_count, 0);
}

/* Expect: a put below zero, an unaligned frame and one past the array are reported, and change nothing. */
static void test_misuse(void)
{
    reset();
    CHECK_EQ(frameref_put(5 * P), 0xFFFFFFFFu);
    CHECK_EQ(host_misuse_count, 1);
    frameref_get(5 * P + 8);
    CHECK_EQ(host_misuse_count, 2);
    frameref_get(16 * P);
    CHECK_EQ(host_misuse_count, 3);
    CHECK_EQ(frameref_put(16 * P), 0xFFFFFFFFu);
    CHECK_EQ(host_misuse_count, 4);
    CHECK_EQ(frameref_count(16 * P), 0);
    for (unsigned i = 0; i < 16; i++)
        CHECK_EQ(frameref_count(i * P), 0);
}

/* Expect: 65535 references fit; one more is reported and the count stays at 65535. */
static void test_overflow(void)
{
    reset();
    for (unsigned i = 0; i < 0xFFFFu; i++)
        frameref_get(7 * P);
    CHECK_EQ(frameref_count(7 * P), 0xFFFFu);
    CHECK_EQ(host_misuse_count, 0);
    frameref_get(7 * P);
    CHECK_EQ(host_misuse_count, 1);
    CHECK_EQ(frameref_count(7 * P), 0xFFFFu);
    CHECK_EQ(frameref_put(7 * P), 0xFFFEu);
}

int main(void)
{
    RUN(test_get_put);
    RUN(test_misuse);
    RUN(test_overflow);
    return check_summary("test_frameref");
}
