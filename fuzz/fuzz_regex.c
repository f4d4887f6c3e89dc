/*
 * libFuzzer harness for the query language's regular-expression engine
 * (lib/query/regex.c, regex_match.c). The input is a pattern and subjects:
 * the bytes before the first NUL are the pattern, the bytes after it the
 * subject (no NUL: the subject is empty). When the pattern compiles it is
 * matched against the subject, against the pattern's own text and against
 * every prefix of the subject up to 64 bytes, and each match must
 *  - stay within the engine's linear bound: ecs_regex__last_steps() at most
 *    (subject length + 1) x program size, else abort;
 *  - be repeatable: the same answer and the same step count a second time;
 *  - agree with plain comparison when the pattern has no special character.
 * A pattern that is refused must leave a message in the context.
 * Dictionary: fuzz/dict/regex.dict (operators, classes, quantifiers).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ecs/ecs.h"
#include "query/regex.h"
#include "query/regex_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
    if (!ok)
        abort();
}

/* A copy in a block of exactly n bytes, so that a read past the end is
 * caught by AddressSanitizer (n == 0 gives a 1-byte block). */
static char *exact_copy(const uint8_t *p, size_t n)
{
    char *c = malloc(n > 0 ? n : 1);
    check(c != NULL);
    if (n > 0)
        memcpy(c, p, n);
    return c;
}

static bool is_literal(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strchr(".[]()*+?{}|^$\\", p[i]) != NULL || p[i] == '\0')
            return false;
    return true;
}

static void match_checked(ecs_regex *re, const char *s, size_t len, const char *pat, size_t plen)
{
    size_t bound = (len + 1u) * ecs_regex__program_size(re);
    bool m = ecs_regex__match(re, s, len);
    size_t steps = ecs_regex__last_steps(re);
    check(steps <= bound);
    check(ecs_regex__match(re, s, len) == m);
    check(ecs_regex__last_steps(re) == steps);
    if (is_literal(pat, plen))
        check(m == (len == plen && (len == 0 || memcmp(s, pat, len) == 0)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ecs_ctx *ctx = NULL;
    ecs_regex *re = NULL;
    const uint8_t *nul = size > 0 ? memchr(data, 0, size) : NULL;
    size_t plen = nul != NULL ? (size_t)(nul - data) : size;
    size_t slen = nul != NULL ? size - plen - 1 : 0;
    char *pat, *subj;
    ecs_status rc;

    if (size > 8192 || ecs_ctx_new(NULL, &ctx) != ECS_OK)
        return 0;
    pat = exact_copy(data, plen);
    subj = exact_copy(data + plen + (nul != NULL), slen);
    rc = ecs_regex__compile(ctx, pat, plen, &re);
    if (rc == ECS_OK) {
        check(re != NULL);
        check(ecs_regex__program_size(re) >= 1 &&
              ecs_regex__program_size(re) <= ECS_REGEX_MAX_PROGRAM);
        match_checked(re, subj, slen, pat, plen);
        match_checked(re, pat, plen, pat, plen);
        for (size_t k = 0; k < slen && k < 64; k++)
            match_checked(re, subj, k, pat, plen);
        ecs_regex__free(ctx, re);
    } else {
        check(re == NULL);
        check(rc == ECS_E_PARSE || rc == ECS_E_LIMIT);
        check(ecs_ctx_errmsg(ctx)[0] != '\0');
    }
    free(pat);
    free(subj);
    ecs_ctx_free(ctx);
    return 0;
}
