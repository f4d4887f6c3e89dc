/*
 * The counting and failing allocator of the unit tests. Each block is a
 * malloc'd region that starts with a 32-byte header (magic, size, owner),
 * which keeps the caller's pointer 16-byte aligned. Released blocks are not
 * handed back to malloc at once: their header is marked freed and they wait
 * in a small quarantine ring, so that a double free or a release of a stale
 * pointer (after a resize) reads memory we still own and is counted as an
 * error rather than crashing. New blocks are filled with 0xA5 and released
 * ones with 0xDD, so code that relies on zeroed or freed memory misbehaves
 * visibly.
 */
#include "test_alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TA_MAGIC_LIVE UINT64_C(0x7E57A110CB10C4ED)
#define TA_MAGIC_FREED UINT64_C(0xF4EED0F4EED0F4EE)
#define TA_QUARANTINE 64u

typedef struct ta_header {
    uint64_t magic;
    uint64_t size;
    const test_alloc *owner;
    uint64_t pad;
} ta_header;

#define TA_HEADER_SIZE sizeof(ta_header)

_Static_assert(sizeof(ta_header) % 16u == 0, "the header keeps 16-byte alignment");
_Static_assert(_Alignof(max_align_t) <= 16u, "16 bytes are enough for any object");

/* Freed blocks still in quarantine (single-threaded tests only). */
static ta_header *quarantine[TA_QUARANTINE];
static size_t quarantine_next;

static ta_header *header_of(void *ptr)
{
    return (ta_header *)(void *)((unsigned char *)ptr - TA_HEADER_SIZE);
}

static void *payload_of(ta_header *h)
{
    return (unsigned char *)(void *)h + TA_HEADER_SIZE;
}

static void quarantine_put(ta_header *h)
{
    h->magic = TA_MAGIC_FREED;
    memset(payload_of(h), 0xDD, (size_t)h->size);
    free(quarantine[quarantine_next]);
    quarantine[quarantine_next] = h;
    quarantine_next = (quarantine_next + 1u) % TA_QUARANTINE;
}

/* Count one allocation request and say whether it must fail. */
static bool request_fails(test_alloc *ta)
{
    ta->calls++;
    if (ta->fail_at == 0) {
        return false;
    }
    return ta->calls == ta->fail_at || (ta->fail_all && ta->calls > ta->fail_at);
}

static ta_header *new_block(test_alloc *ta, size_t size)
{
    ta_header *h;

    if (size > SIZE_MAX - TA_HEADER_SIZE) {
        return NULL;
    }
    h = malloc(TA_HEADER_SIZE + size);
    if (h == NULL) {
        return NULL;
    }
    h->magic = TA_MAGIC_LIVE;
    h->size = (uint64_t)size;
    h->owner = ta;
    h->pad = 0;
    ta->live_blocks++;
    ta->live_bytes += size;
    if (ta->live_bytes > ta->peak_bytes) {
        ta->peak_bytes = ta->live_bytes;
    }
    return h;
}

/* The header of a block this allocator handed out and has not released, or
 * NULL (with the error counted) for anything else. */
static ta_header *checked_header(test_alloc *ta, void *ptr)
{
    ta_header *h;

    if (ptr == NULL || ((uintptr_t)ptr % 16u) != 0) {
        ta->errors++;
        return NULL;
    }
    h = header_of(ptr);
    if (h->magic != TA_MAGIC_LIVE || h->owner != ta) {
        ta->errors++;
        return NULL;
    }
    return h;
}

static void *ta_alloc(void *user, size_t size)
{
    test_alloc *ta = user;
    ta_header *h;

    if (size == 0) {
        ta->errors++; /* the contract says size > 0 */
    }
    if (request_fails(ta)) {
        return NULL;
    }
    h = new_block(ta, size);
    if (h == NULL) {
        return NULL;
    }
    memset(payload_of(h), 0xA5, size);
    return payload_of(h);
}

static void *ta_resize(void *user, void *ptr, size_t old_size, size_t new_size)
{
    test_alloc *ta = user;
    ta_header *h = checked_header(ta, ptr);
    ta_header *n;
    size_t real_old;

    if (h == NULL) {
        return NULL;
    }
    real_old = (size_t)h->size;
    if (old_size != real_old) {
        ta->errors++;
    }
    if (new_size == 0) {
        ta->errors++; /* the contract says new_size > 0 */
    }
    if (new_size > real_old && request_fails(ta)) {
        return NULL;
    }
    /* Always move, so that code keeping the old pointer is caught. */
    n = new_block(ta, new_size);
    if (n == NULL) {
        return NULL;
    }
    memcpy(payload_of(n), ptr, real_old < new_size ? real_old : new_size);
    if (new_size > real_old) {
        memset((unsigned char *)payload_of(n) + real_old, 0xA5, new_size - real_old);
    }
    ta->live_blocks--;
    ta->live_bytes -= real_old;
    quarantine_put(h);
    return payload_of(n);
}

static void ta_release(void *user, void *ptr, size_t size)
{
    test_alloc *ta = user;
    ta_header *h = checked_header(ta, ptr);

    if (h == NULL) {
        return;
    }
    if (size != (size_t)h->size) {
        ta->errors++;
    }
    ta->live_blocks--;
    ta->live_bytes -= (size_t)h->size;
    quarantine_put(h);
}

void test_alloc_init(test_alloc *ta)
{
    memset(ta, 0, sizeof *ta);
    ta->alloc.alloc = ta_alloc;
    ta->alloc.resize = ta_resize;
    ta->alloc.release = ta_release;
    ta->alloc.user = ta;
}

void test_alloc_fail_at(test_alloc *ta, size_t n, bool fail_all)
{
    ta->fail_at = n;
    ta->fail_all = fail_all;
    ta->calls = 0;
}
