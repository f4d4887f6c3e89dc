/*
 * Tests of the query language's regular-expression engine
 * (lib/query/regex.h): every syntax element, whole-subject matching, error
 * positions and reasons, the size and nesting limits, patterns that are
 * exponential for backtracking engines (checking the answer and that the
 * step count stays within (length + 1) x program size), a differential test
 * against the C library's POSIX extended regular expressions on random
 * patterns, an allocation-failure sweep and misuse.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecs/ecs.h"
#include "query/regex.h"
#include "query/regex_internal.h"
#include "test_alloc.h"
#include "test_util.h"

/* A context on the checking allocator (tests/support/test_util.h). */
typedef test_ctx_fixture fixture;
#define setup test_ctx_setup
#define teardown test_ctx_teardown

static ecs_regex *compile_ok(fixture *f, const char *pattern, size_t len)
{
    ecs_regex *re = NULL;
    ecs_status rc = ecs_regex__compile(f->ctx, pattern, len, &re);

    if (rc != ECS_OK) {
        print_error("pattern \"%s\": %s\n", pattern, ecs_ctx_errmsg(f->ctx));
        fail();
    }
    assert_non_null(re);
    return re;
}

/* Match and check the linear bound on the work done. */
static bool match_checked(ecs_regex *re, const char *s, size_t len)
{
    bool m = ecs_regex__match(re, s, len);
    size_t bound = (len + 1u) * ecs_regex__program_size(re);

    if (ecs_regex__last_steps(re) > bound) {
        print_error("%zu steps for %zu bytes, bound %zu\n", ecs_regex__last_steps(re), len, bound);
        fail();
    }
    return m;
}

static bool matches_n(fixture *f, const char *pattern, const char *s, size_t len)
{
    ecs_regex *re = compile_ok(f, pattern, strlen(pattern));
    bool m = match_checked(re, s, len);

    ecs_regex__free(f->ctx, re);
    return m;
}

static bool matches(fixture *f, const char *pattern, const char *s)
{
    return matches_n(f, pattern, s, strlen(s));
}

#define YES(p, s)                                                                                  \
    do {                                                                                           \
        if (!matches(f, (p), (s))) {                                                               \
            print_error("/%s/ should match \"%s\"\n", (p), (s));                                   \
            fail();                                                                                \
        }                                                                                          \
    } while (0)
#define NO(p, s)                                                                                   \
    do {                                                                                           \
        if (matches(f, (p), (s))) {                                                                \
            print_error("/%s/ should not match \"%s\"\n", (p), (s));                               \
            fail();                                                                                \
        }                                                                                          \
    } while (0)

/* Compile must fail with status st at byte `offset`, the message holding
 * `reason`; nothing may stay allocated and out stays untouched. */
static void expect_error(fixture *f, const char *pattern, ecs_status st, size_t offset,
                         const char *reason)
{
    ecs_regex *re = (ecs_regex *)(void *)f;
    ecs_errpos pos;
    size_t live = f->ta.live_blocks;
    ecs_status rc = ecs_regex__compile(f->ctx, pattern, strlen(pattern), &re);

    if (rc != st) {
        print_error("pattern \"%s\": got %s (%s), want %s\n", pattern, ecs_status_str(rc),
                    ecs_ctx_errmsg(f->ctx), ecs_status_str(st));
        fail();
    }
    assert_ptr_equal(re, (ecs_regex *)(void *)f);
    assert_true(ecs_ctx_errpos(f->ctx, &pos));
    if (pos.offset != offset || strstr(ecs_ctx_errmsg(f->ctx), reason) == NULL) {
        print_error("pattern \"%s\": got \"%s\" at %zu, want \"%s\" at %zu\n", pattern,
                    ecs_ctx_errmsg(f->ctx), pos.offset, reason, offset);
        fail();
    }
    assert_int_equal(f->ta.live_blocks, live);
}

/* ------------------------------------------------------------------------ */
/* Syntax elements                                                           */

static void test_regex__literals_match_whole_subject_only(void **state)
{
    fixture *f = *state;

    YES("abc", "abc");
    NO("abc", "ab");
    NO("abc", "abcd");
    NO("abc", "xabc");
    NO("b", "abc");
    YES("", "");
    NO("", "a");
    YES("t2.*", "t2.small");
    NO("t2.*", "xt2.small");
    NO("abc", "ABC");
    /* Bytes of UTF-8 text are literal characters too. */
    YES("caf\xC3\xA9", "caf\xC3\xA9");
    /* An embedded NUL in the subject is an ordinary byte. */
    assert_true(matches_n(f, "a.b", "a\0b", 3));
    assert_false(matches_n(f, "ab", "a\0b", 3));
}

static void test_regex__dot_matches_any_single_byte(void **state)
{
    fixture *f = *state;

    YES("a.c", "abc");
    YES("a.c", "a.c");
    YES("a.c", "a\nc");
    YES("a.c", "a\xFF"
               "c");
    NO("a.c", "ac");
    NO("a.c", "abbc");
    YES("...", "xyz");
    /* One byte, not one code point. */
    NO(".", "\xC3\xA9");
    YES("..", "\xC3\xA9");
}

static void test_regex__classes_ranges_negation_and_escapes(void **state)
{
    fixture *f = *state;

    YES("[abc]", "b");
    NO("[abc]", "d");
    YES("[a-z]+", "hello");
    NO("[a-z]+", "Hello");
    YES("[a-zA-Z0-9_]+", "Mixed_Case_09");
    YES("[^a-z]", "Q");
    NO("[^a-z]", "q");
    YES("[^a]", "\xFF");
    YES("[]a]", "]");
    YES("[]a]", "a");
    YES("[^]a]", "b");
    NO("[^]a]", "]");
    YES("[a-]", "-");
    YES("[-a]", "-");
    YES("[a-c-e]", "-");
    YES("[\\]]", "]");
    YES("[\\[]", "[");
    YES("[\\-]", "-");
    YES("[\\\\]", "\\");
    YES("[\\d_]+", "12_3");
    NO("[\\d_]+", "12a");
    YES("[\\s]", "\t");
    YES("[\\w.-]+", "ecs.instance-type");
    YES("[\\D]", "x");
    NO("[\\D]", "5");
    YES("[\\d-z]", "-"); /* a '-' after a class escape is literal */
    YES("[.]", ".");
    NO("[.]", "x");
    YES("[*+?{}()|^$]+", "*+?{}()|^$");
    YES("[\\t]", "\t");
}

static void test_regex__escapes(void **state)
{
    fixture *f = *state;

    YES("\\d+", "0123456789");
    NO("\\d", "a");
    YES("\\D", "a");
    NO("\\D", "7");
    YES("\\w+", "a_Z9");
    NO("\\w", "-");
    YES("\\W", "-");
    YES("\\s\\s\\s\\s\\s\\s", " \t\n\v\f\r");
    NO("\\s", "x");
    YES("\\S", "x");
    NO("\\S", " ");
    YES("\\.", ".");
    NO("\\.", "x");
    YES("\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\\\\\/\\-", "*+?()[]{}|^$\\/-");
    YES("a\\ b", "a b");
    YES("\\t\\n\\r\\f", "\t\n\r\f");
    YES("t2\\.micro", "t2.micro");
    NO("t2\\.micro", "t2xmicro");
}

static void test_regex__anchors_are_positions(void **state)
{
    fixture *f = *state;

    YES("^abc$", "abc");
    YES("^abc", "abc");
    YES("abc$", "abc");
    NO("^abc$", "abcd");
    YES("^", "");
    YES("$", "");
    YES("^$", "");
    NO("a^b", "ab");
    NO("a$b", "ab");
    YES("(^a|b)c", "ac");
    YES("(^a|b)c", "bc");
    YES("a(b$|c)", "ab");
    NO("a(b$|c)d", "abd");
    YES("^*a", "a");
}

static void test_regex__quantifiers(void **state)
{
    fixture *f = *state;

    YES("a*", "");
    YES("a*", "aaaa");
    NO("a*", "aab");
    NO("a+", "");
    YES("a+", "a");
    YES("a+", "aaa");
    YES("a?", "");
    YES("a?", "a");
    NO("a?", "aa");
    YES("a{3}", "aaa");
    NO("a{3}", "aa");
    NO("a{3}", "aaaa");
    YES("a{2,}", "aa");
    YES("a{2,}", "aaaaaaa");
    NO("a{2,}", "a");
    YES("a{2,4}", "aa");
    YES("a{2,4}", "aaaa");
    NO("a{2,4}", "aaaaa");
    NO("a{2,4}", "a");
    YES("a{0}", "");
    NO("a{0}", "a");
    YES("a{0,0}b", "b");
    YES("a{0,1}", "");
    YES("(ab){2}", "abab");
    NO("(ab){2}", "aba");
    YES("x{100}", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    /* Lazy forms find the same whole matches. */
    YES("a*?", "aaa");
    YES("a+?b", "aaab");
    YES("a??", "a");
    YES("a{1,2}?", "aa");
    YES("a{2,}?", "aaa");
    /* Quantified groups, classes and empty groups. */
    YES("[ab]*c", "ababbac");
    YES("(a|bc)+", "abcabc");
    NO("(a|bc)+", "abcb");
    YES("()*", "");
    YES("(a*)*", "aaa");
    YES("(a*)+", "");
    YES("(a?){3}", "a");
    YES("(|a)+", "aa");
    YES("\\d{1,3}\\.\\d{1,3}", "10.200");
}

static void test_regex__alternation_and_groups(void **state)
{
    fixture *f = *state;

    YES("a|b|c", "a");
    YES("a|b|c", "c");
    NO("a|b|c", "d");
    NO("a|b|c", "ab");
    YES("ab|cd", "cd");
    NO("ab|cd", "ad");
    YES("t2\\.(micro|small|medium)", "t2.small");
    NO("t2\\.(micro|small|medium)", "t2.large");
    YES("(?:ab)+", "ababab");
    YES("(?:a|b)(c|d)", "bd");
    YES("a|", "");
    YES("a|", "a");
    YES("|a", "");
    YES("()", "");
    YES("(())a", "a");
    YES("((a|b)(c|d))|e", "e");
    YES("g2\\..*", "g2.2xlarge");
    YES("us-east-1[a-c]", "us-east-1b");
    NO("us-east-1[a-c]", "us-east-1d");
    YES("}", "}");
    YES("]", "]");
    YES("a}", "a}");
}

/* ------------------------------------------------------------------------ */
/* Errors and limits                                                         */

static void test_regex__errors_name_position_and_reason(void **state)
{
    fixture *f = *state;

    expect_error(f, "a)", ECS_E_PARSE, 1, "unbalanced ')'");
    expect_error(f, "(a|b))", ECS_E_PARSE, 5, "unbalanced ')'");
    expect_error(f, ")", ECS_E_PARSE, 0, "unbalanced ')'");
    expect_error(f, "(a", ECS_E_PARSE, 0, "unbalanced '('");
    expect_error(f, "x(a(b)", ECS_E_PARSE, 1, "unbalanced '('");
    expect_error(f, "*a", ECS_E_PARSE, 0, "nothing to repeat");
    expect_error(f, "a**", ECS_E_PARSE, 2, "nothing to repeat");
    expect_error(f, "a*+", ECS_E_PARSE, 2, "nothing to repeat");
    expect_error(f, "a+?*", ECS_E_PARSE, 3, "nothing to repeat");
    expect_error(f, "(+a)", ECS_E_PARSE, 1, "nothing to repeat");
    expect_error(f, "a|?", ECS_E_PARSE, 2, "nothing to repeat");
    expect_error(f, "{2}", ECS_E_PARSE, 0, "nothing to repeat");
    expect_error(f, "a{2}{3}", ECS_E_PARSE, 4, "nothing to repeat");
    expect_error(f, "[abc", ECS_E_PARSE, 0, "unterminated character class");
    expect_error(f, "ab[^", ECS_E_PARSE, 2, "unterminated character class");
    expect_error(f, "[]", ECS_E_PARSE, 0, "unterminated character class");
    expect_error(f, "[a\\]", ECS_E_PARSE, 0, "unterminated character class");
    expect_error(f, "[z-a]", ECS_E_PARSE, 1, "bad class range");
    expect_error(f, "[a-\\d]", ECS_E_PARSE, 1, "bad class range");
    expect_error(f, "[[:alpha:]]", ECS_E_PARSE, 1, "nested character classes");
    expect_error(f, "a\\", ECS_E_PARSE, 1, "bad escape");
    expect_error(f, "\\q", ECS_E_PARSE, 0, "bad escape '\\q'");
    expect_error(f, "ab\\x41", ECS_E_PARSE, 2, "bad escape '\\x'");
    expect_error(f, "(a)\\1", ECS_E_PARSE, 3, "back-references");
    expect_error(f, "[\\q]", ECS_E_PARSE, 1, "bad escape");
    expect_error(f, "\\\xC3\xA9", ECS_E_PARSE, 0, "bad escape");
    expect_error(f, "a{", ECS_E_PARSE, 1, "bad repetition");
    expect_error(f, "a{2", ECS_E_PARSE, 1, "bad repetition");
    expect_error(f, "a{x}", ECS_E_PARSE, 1, "bad repetition");
    expect_error(f, "a{,2}", ECS_E_PARSE, 1, "bad repetition");
    expect_error(f, "a{2,x}", ECS_E_PARSE, 1, "bad repetition");
    expect_error(f, "a{3,2}", ECS_E_PARSE, 1, "minimum exceeds the maximum");
    expect_error(f, "a{101}", ECS_E_LIMIT, 1, "above 100");
    expect_error(f, "a{1,101}", ECS_E_LIMIT, 1, "above 100");
    expect_error(f, "a{99999999999999999999}", ECS_E_LIMIT, 1, "above 100");
    expect_error(f, "(?=a)", ECS_E_PARSE, 0, "unsupported group");
    expect_error(f, "x(?i)", ECS_E_PARSE, 1, "unsupported group");
}

static void test_regex__error_message_has_line_and_column(void **state)
{
    fixture *f = *state;
    ecs_regex *re = NULL;

    assert_int_equal(ecs_regex__compile(f->ctx, "ab)", 3, &re), ECS_E_PARSE);
    assert_string_equal(ecs_ctx_errmsg(f->ctx), "line 1, column 3 (byte 2): unbalanced ')'");
    assert_null(re);
}

static void test_regex__compile_in_reports_offsets_in_the_whole_input(void **state)
{
    fixture *f = *state;
    const char input[] = "attribute:x =~ 'ab)c' and more";
    ecs_regex *re = NULL;
    ecs_errpos pos;

    assert_int_equal(ecs_regex__compile_in(f->ctx, input, 16, 4, "in regular expression: ", &re),
                     ECS_E_PARSE);
    assert_true(ecs_ctx_errpos(f->ctx, &pos));
    assert_int_equal(pos.offset, 18);
    assert_string_equal(ecs_ctx_errmsg(f->ctx),
                        "line 1, column 19 (byte 18): in regular expression: unbalanced ')'");
    /* The pattern stops at its length: the rest of the input is not read. */
    assert_int_equal(ecs_regex__compile_in(f->ctx, input, 16, 2, NULL, &re), ECS_OK);
    assert_true(ecs_regex__match(re, "ab", 2));
    assert_false(ecs_regex__match(re, "ab)c", 4));
    ecs_regex__free(f->ctx, re);
}

static void test_regex__program_size_limit(void **state)
{
    fixture *f = *state;
    ecs_regex *re;

    /* 100 x 40 = 4000 instructions plus the match: within the limit. */
    re = compile_ok(f, "(abcdefghijabcdefghijabcdefghijabcdefghij){100}", 47);
    assert_true(ecs_regex__program_size(re) <= ECS_REGEX_MAX_PROGRAM);
    ecs_regex__free(f->ctx, re);
    expect_error(f, "(abcdefghijabcdefghijabcdefghijabcdefghijk){100}", ECS_E_LIMIT, 0,
                 "more than 4096 instructions");
    expect_error(f, "((a{100}){100}){100}", ECS_E_LIMIT, 0, "more than 4096 instructions");
    expect_error(f, "((((((a{100}){100}){100}){100}){100}){100})*", ECS_E_LIMIT, 0,
                 "more than 4096 instructions");
    expect_error(f, "x(a{100}|b{100}){30}", ECS_E_LIMIT, 0, "more than 4096 instructions");
}

static void test_regex__program_size_of_exact_boundary(void **state)
{
    fixture *f = *state;
    char pat[5000];
    ecs_regex *re = NULL;

    /* 4095 literal characters and the match instruction: exactly the limit. */
    memset(pat, 'a', 4095);
    assert_int_equal(ecs_regex__compile(f->ctx, pat, 4095, &re), ECS_OK);
    assert_int_equal(ecs_regex__program_size(re), ECS_REGEX_MAX_PROGRAM);
    assert_true(match_checked(re, pat, 4095));
    assert_false(match_checked(re, pat, 4094));
    ecs_regex__free(f->ctx, re);
    memset(pat, 'a', 4096);
    re = NULL;
    assert_int_equal(ecs_regex__compile(f->ctx, pat, 4096, &re), ECS_E_LIMIT);
    assert_null(re);
}

static void test_regex__group_nesting_limit(void **state)
{
    fixture *f = *state;
    char pat[512];
    size_t i, n = 0;
    ecs_regex *re = NULL;

    for (i = 0; i < ECS_REGEX_MAX_DEPTH; i++)
        pat[n++] = '(';
    pat[n++] = 'a';
    for (i = 0; i < ECS_REGEX_MAX_DEPTH; i++)
        pat[n++] = ')';
    assert_int_equal(ecs_regex__compile(f->ctx, pat, n, &re), ECS_OK);
    assert_true(match_checked(re, "a", 1));
    ecs_regex__free(f->ctx, re);

    n = 0;
    for (i = 0; i <= ECS_REGEX_MAX_DEPTH; i++)
        pat[n++] = '(';
    pat[n] = '\0';
    expect_error(f, pat, ECS_E_LIMIT, ECS_REGEX_MAX_DEPTH, "nested more than 100 deep");
}

/* ------------------------------------------------------------------------ */
/* Linear time                                                               */

static char *repeat_char(char c, size_t n, const char *tail)
{
    size_t tl = tail != NULL ? strlen(tail) : 0;
    char *s = malloc(n + tl + 1);

    assert_non_null(s);
    memset(s, c, n);
    if (tl > 0)
        memcpy(s + n, tail, tl);
    s[n + tl] = '\0';
    return s;
}

static void pathological(fixture *f, const char *pattern, char c, size_t n, const char *tail,
                         bool want)
{
    char *s = repeat_char(c, n, tail);
    ecs_regex *re = compile_ok(f, pattern, strlen(pattern));
    size_t len = strlen(s);
    size_t bound = (len + 1u) * ecs_regex__program_size(re);
    bool got = ecs_regex__match(re, s, len);

    if (got != want || ecs_regex__last_steps(re) > bound || ecs_regex__last_steps(re) == 0) {
        print_error("/%s/ on %zu bytes: got %d want %d, %zu steps, bound %zu\n", pattern, len,
                    (int)got, (int)want, ecs_regex__last_steps(re), bound);
        fail();
    }
    ecs_regex__free(f->ctx, re);
    free(s);
}

static void test_regex__backtracking_killers_run_in_linear_steps(void **state)
{
    fixture *f = *state;

    pathological(f, "(a*)*b", 'a', 20000, NULL, false);
    pathological(f, "(a*)*b", 'a', 20000, "b", true);
    pathological(f, "(a|a)*c", 'a', 20000, NULL, false);
    pathological(f, "(a|a)*c", 'a', 20000, "c", true);
    pathological(f, "(a|aa)+$", 'a', 20000, NULL, true);
    pathological(f, "(a|aa)+$", 'a', 20000, "b", false);
    pathological(f, "(a+)+b", 'a', 20000, NULL, false);
    pathological(f, "(x+x+)+y", 'x', 20000, NULL, false);
    pathological(f, "(.*a){20}", 'a', 20000, "b", false);
    pathological(f, "(.*)*(.*)*(.*)*z", 'y', 5000, NULL, false);
    pathological(f, "(a?){30}a{30}", 'a', 30, NULL, true);
    pathological(f, "(a?){100}a{100}", 'a', 100, NULL, true);
    pathological(f, "(a?){100}a{100}", 'a', 99, NULL, false);
    pathological(f, "((a|b|ab)*)*c", 'a', 20000, "b", false);
    pathological(f, "(\\w+\\s?)+$", 'w', 20000, "!", false);
}

static void test_regex__steps_grow_linearly_with_subject(void **state)
{
    fixture *f = *state;
    ecs_regex *re = compile_ok(f, "(a|aa)*b", 8);
    char *s1 = repeat_char('a', 1000, NULL), *s2 = repeat_char('a', 4000, NULL);
    size_t st1, st2;

    assert_false(ecs_regex__match(re, s1, 1000));
    st1 = ecs_regex__last_steps(re);
    assert_false(ecs_regex__match(re, s2, 4000));
    st2 = ecs_regex__last_steps(re);
    /* Four times the subject: about four times the steps, never 2^n. */
    assert_true(st2 <= 4u * st1 + ecs_regex__program_size(re) * 4u);
    assert_true(st2 >= 3u * st1);
    ecs_regex__free(f->ctx, re);
    free(s1);
    free(s2);
}

static void test_regex__matching_does_not_allocate_and_is_repeatable(void **state)
{
    fixture *f = *state;
    ecs_regex *re = compile_ok(f, "t2\\.(micro|small)|m5\\..*", 24);
    size_t i, calls;

    test_alloc_fail_at(&f->ta, 0, false);
    calls = f->ta.calls;
    for (i = 0; i < 1000; i++) {
        assert_true(ecs_regex__match(re, "t2.micro", 8));
        assert_false(ecs_regex__match(re, "t2.large", 8));
        assert_true(ecs_regex__match(re, "m5.24xlarge", 11));
        assert_false(ecs_regex__match(re, "", 0));
    }
    assert_int_equal(f->ta.calls, calls);
    ecs_regex__free(f->ctx, re);
}

static void test_regex__marks_restart_before_generation_wraps(void **state)
{
    fixture *f = *state;
    ecs_regex *re = compile_ok(f, "(ab)*", 5);

    assert_true(ecs_regex__match(re, "abab", 4));
    re->gen = SIZE_MAX - 3u; /* next match would wrap */
    assert_true(ecs_regex__match(re, "abab", 4));
    assert_true(re->gen < 100u);
    assert_false(ecs_regex__match(re, "aba", 3));
    re->gen = SIZE_MAX;
    assert_true(ecs_regex__match(re, "", 0));
    assert_false(ecs_regex__match(re, "b", 1));
    ecs_regex__free(f->ctx, re);
}

/* ------------------------------------------------------------------------ */
/* Differential test against POSIX extended regular expressions              */

static uint32_t rnd(uint64_t *st, uint32_t n)
{
    *st = *st * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (uint32_t)((*st >> 33) % n);
}

typedef struct gen_buf {
    char s[256];
    size_t n;
} gen_buf;

static void gen_put(gen_buf *b, const char *t)
{
    size_t l = strlen(t);
    assert_true(b->n + l < sizeof b->s);
    memcpy(b->s + b->n, t, l);
    b->n += l;
    b->s[b->n] = '\0';
}

static void gen_alt(gen_buf *b, uint64_t *st, unsigned depth);

static void gen_atom(gen_buf *b, uint64_t *st, unsigned depth)
{
    static const char *const atoms[] = { "a", "b", "c", ".", "[ab]", "[^a]", "[a-b]" };
    uint32_t k = rnd(st, depth > 0 ? 9u : 7u);

    if (k < 7) {
        gen_put(b, atoms[k]);
    } else {
        gen_put(b, "(");
        gen_alt(b, st, depth - 1);
        gen_put(b, ")");
    }
}

static void gen_repeat(gen_buf *b, uint64_t *st, unsigned depth)
{
    static const char *const quants[] = {
        "", "", "", "*", "+", "?", "{2}", "{0,2}", "{1,}", "{2,3}"
    };

    gen_atom(b, st, depth);
    gen_put(b, quants[rnd(st, 10)]);
}

static void gen_alt(gen_buf *b, uint64_t *st, unsigned depth)
{
    uint32_t branches = 1 + rnd(st, 2), i, j;

    for (i = 0; i < branches; i++) {
        uint32_t items = 1 + rnd(st, 3);
        if (i > 0)
            gen_put(b, "|");
        for (j = 0; j < items; j++)
            gen_repeat(b, st, depth);
    }
}

static void test_regex__agrees_with_posix_ere_on_random_patterns(void **state)
{
    fixture *f = *state;
    uint64_t st = 42;
    size_t round, checked = 0;

    for (round = 0; round < 1500; round++) {
        gen_buf pat;
        char anchored[300];
        regex_t posix;
        ecs_regex *re;
        size_t k;

        pat.n = 0;
        pat.s[0] = '\0';
        gen_alt(&pat, &st, 2);
        snprintf(anchored, sizeof anchored, "^(%s)$", pat.s);
        if (regcomp(&posix, anchored, REG_EXTENDED | REG_NOSUB) != 0) {
            print_error("POSIX refused %s\n", anchored);
            fail();
        }
        re = compile_ok(f, pat.s, pat.n);
        for (k = 0; k < 12; k++) {
            char subj[8];
            size_t len = rnd(&st, 7), i;
            bool want, got;

            for (i = 0; i < len; i++)
                subj[i] = "abc"[rnd(&st, 3)];
            subj[len] = '\0';
            want = regexec(&posix, subj, 0, NULL, 0) == 0;
            got = match_checked(re, subj, len);
            if (want != got) {
                print_error("/%s/ on \"%s\": POSIX %d, ours %d\n", pat.s, subj, (int)want,
                            (int)got);
                fail();
            }
            checked++;
        }
        ecs_regex__free(f->ctx, re);
        regfree(&posix);
    }
    assert_int_equal(checked, 1500u * 12u);
}

/* ------------------------------------------------------------------------ */
/* Allocation failure and misuse                                             */

static void test_regex__oom_at_each_allocation_leaks_nothing(void **state)
{
    fixture *f = *state;
    static const char pattern[] = "(t2|m5)\\.(micro|small|[0-9]+xlarge)|[^a-z]{2,5}|x*y?z+";
    size_t n, base = f->ta.live_blocks;
    bool fail_all;

    for (fail_all = false;; fail_all = true) {
        for (n = 1;; n++) {
            ecs_regex *re = NULL;
            ecs_status rc;

            test_alloc_fail_at(&f->ta, n, fail_all);
            rc = ecs_regex__compile(f->ctx, pattern, sizeof pattern - 1, &re);
            if (f->ta.calls < n) {
                assert_int_equal(rc, ECS_OK);
                assert_true(ecs_regex__match(re, "m5.24xlarge", 11));
                assert_false(ecs_regex__match(re, "m5.large", 8));
                ecs_regex__free(f->ctx, re);
                break;
            }
            if (rc != ECS_E_NOMEM) {
                print_error("failing allocation %zu: got %s\n", n, ecs_status_str(rc));
                fail();
            }
            assert_null(re);
            assert_int_equal(ecs_ctx_errcode(f->ctx), ECS_E_NOMEM);
            assert_int_equal(f->ta.live_blocks, base);
            assert_int_equal(f->ta.errors, 0);
            assert_true(n < 1000);
        }
        if (fail_all)
            break;
    }
    test_alloc_fail_at(&f->ta, 0, false);
    assert_int_equal(f->ta.live_blocks, base);
}

static void test_regex__misuse_returns_status(void **state)
{
    fixture *f = *state;
    ecs_regex *re = NULL;

    assert_int_equal(ecs_regex__compile(NULL, "a", 1, &re), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_regex__compile(f->ctx, "a", 1, NULL), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_regex__compile(f->ctx, NULL, 1, &re), ECS_E_INVALID_ARG);
    assert_null(re);
    /* A NULL pattern of length 0 is the empty pattern. */
    assert_int_equal(ecs_regex__compile(f->ctx, NULL, 0, &re), ECS_OK);
    assert_true(ecs_regex__match(re, NULL, 0));
    assert_false(ecs_regex__match(re, NULL, 5));
    assert_false(ecs_regex__match(re, "a", 1));
    ecs_regex__free(f->ctx, re);
    assert_false(ecs_regex__match(NULL, "a", 1));
    assert_int_equal(ecs_regex__last_steps(NULL), 0);
    assert_int_equal(ecs_regex__program_size(NULL), 0);
    ecs_regex__free(f->ctx, NULL);
    ecs_regex__free(NULL, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_regex__literals_match_whole_subject_only),
        T(test_regex__dot_matches_any_single_byte),
        T(test_regex__classes_ranges_negation_and_escapes),
        T(test_regex__escapes),
        T(test_regex__anchors_are_positions),
        T(test_regex__quantifiers),
        T(test_regex__alternation_and_groups),
        T(test_regex__errors_name_position_and_reason),
        T(test_regex__error_message_has_line_and_column),
        T(test_regex__compile_in_reports_offsets_in_the_whole_input),
        T(test_regex__program_size_limit),
        T(test_regex__program_size_of_exact_boundary),
        T(test_regex__group_nesting_limit),
        T(test_regex__backtracking_killers_run_in_linear_steps),
        T(test_regex__steps_grow_linearly_with_subject),
        T(test_regex__matching_does_not_allocate_and_is_repeatable),
        T(test_regex__marks_restart_before_generation_wraps),
        T(test_regex__agrees_with_posix_ere_on_random_patterns),
        T(test_regex__oom_at_each_allocation_leaks_nothing),
        T(test_regex__misuse_returns_status),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
