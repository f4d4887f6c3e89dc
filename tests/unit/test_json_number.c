/*
 * Numbers: the reader's decimal-to-double conversion against the C
 * library's strtod (in the "C" locale) as an oracle, over hundreds of
 * thousands of generated decimal texts that cover every path (Clinger's
 * fast path, Eisel-Lemire, the big-integer path for long mantissas,
 * subnormals, overflow, halfway cases); and the writer's shortest form.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ecs/ecs.h"
#include "json/json_internal.h"

static uint64_t bits_of(double d)
{
    uint64_t b;
    memcpy(&b, &d, sizeof b);
    return b;
}

/* Compare our conversion of text with strtod's; fail with the text. */
static void check_against_strtod(const char *text)
{
    double ours = 0, theirs = strtod(text, NULL);
    bool ok = ecs_json__number_to_double(text, strlen(text), &ours);
    bool finite = theirs - theirs == 0.0;
    if (ok != finite || (ok && bits_of(ours) != bits_of(theirs))) {
        fail_msg("%s: libecs %s %.17g (0x%016llx), strtod %.17g (0x%016llx)", text,
                 ok ? "gives" : "rejects", ours, (unsigned long long)bits_of(ours), theirs,
                 (unsigned long long)bits_of(theirs));
    }
}

static void put_digits(char *buf, size_t *n, ecs_rng *rng, size_t count, bool lead_nonzero)
{
    for (size_t i = 0; i < count; i++) {
        uint64_t d = ecs_rng_below(rng, 10);
        if (i == 0 && lead_nonzero && d == 0)
            d = 1 + ecs_rng_below(rng, 9);
        buf[(*n)++] = (char)('0' + d);
    }
}

static void test_json_number__random_texts_match_strtod(void **state)
{
    ecs_rng rng;
    char buf[1200];
    (void)state;
    ecs_rng_seed(&rng, 20261125u);
    for (int iter = 0; iter < 300000; iter++) {
        size_t n = 0, ndig;
        uint64_t kind = ecs_rng_below(&rng, 8);
        if (ecs_rng_below(&rng, 2))
            buf[n++] = '-';
        /* mostly up to 19 digits (fast paths), sometimes many more */
        ndig = kind == 7 ? 20 + ecs_rng_below(&rng, 800) : 1 + ecs_rng_below(&rng, 19);
        put_digits(buf, &n, &rng, 1, true);
        if (ndig > 1) {
            buf[n++] = '.';
            put_digits(buf, &n, &rng, ndig - 1, false);
        }
        if (kind >= 2) {
            long e = (long)ecs_rng_below(&rng, 700) - 350;
            if (kind == 3)
                e = (long)ecs_rng_below(&rng, 60) - 30;
            if (kind == 4)
                e = -300 - (long)ecs_rng_below(&rng, 30); /* subnormals */
            n += (size_t)snprintf(buf + n, sizeof buf - n, "e%ld", e);
        }
        buf[n] = '\0';
        check_against_strtod(buf);
    }
}

/* Exactly halfway between two doubles, and one unit either side of it in
 * the 20th digit: the rounding rule decides. */
static void test_json_number__halfway_cases_round_to_even(void **state)
{
    static const char *const texts[] = {
        "9007199254740993",     /* 2^53 + 1: halfway, even is 2^53 */
        "9007199254740993.0", "9007199254740995", "9007199254740993.00000000000000000001",
        "9007199254740992.99999999999999999999", "2.2250738585072011e-308",
        "2.2250738585072014e-308", "2.2250738585072012e-308", "4.9406564584124654e-324",
        "2.4703282292062327e-324", "2.4703282292062328e-324", "1.7976931348623157e308",
        "1.7976931348623158e308", "1.7976931348623159e308", "1e23", "8.98846567431158e307",
        "0.1000000000000000055511151231257827021181583404541015625",
        "0.1000000000000000055511151231257827021181583404541015624",
        "0.1000000000000000055511151231257827021181583404541015626",
        "7.2057594037927933e16", "123456789012345678901234567890e-10", "1e-400", "1e400",
        "0e999999999", "-0.0", "5e-324", "3e-324", "2e-324",
    };
    (void)state;
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        check_against_strtod(texts[i]);
}

static void test_json_number__shortest_form_round_trips(void **state)
{
    ecs_rng rng;
    char buf[32], check[64];
    (void)state;
    ecs_rng_seed(&rng, 7);
    for (int i = 0; i < 200000; i++) {
        uint64_t b = ecs_rng_next(&rng);
        double d, back = 0;
        size_t n;
        memcpy(&d, &b, sizeof d);
        if (d - d != 0.0)
            continue; /* inf, nan */
        n = ecs_json__format_double(d, buf);
        assert_true(n > 0 && n < 32);
        assert_true(ecs_json__number_to_double(buf, n, &back));
        assert_int_equal(bits_of(back), bits_of(d));
        /* never longer than 17 significant digits, and it reads as a double */
        assert_true(memchr(buf, '.', n) != NULL || memchr(buf, 'e', n) != NULL);
        snprintf(check, sizeof check, "%.*s", (int)n, buf);
        check_against_strtod(check);
    }
}

static void test_json_number__shortest_form_is_short(void **state)
{
    struct {
        double v;
        const char *text;
    } cases[] = {
        { 0.1, "0.1" },       { 5e-324, "5e-324" }, { 1e23, "1e+23" },   { 100.0, "100.0" },
        { -0.0, "-0.0" },     { 0.3, "0.3" },       { 1.5, "1.5" },      { 2e-320, "2e-320" },
        { 123456789.0, "123456789.0" },
    };
    char buf[32];
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t n = ecs_json__format_double(cases[i].v, buf);
        buf[n] = '\0';
        assert_string_equal(buf, cases[i].text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_number__random_texts_match_strtod),
        cmocka_unit_test(test_json_number__halfway_cases_round_to_even),
        cmocka_unit_test(test_json_number__shortest_form_round_trips),
        cmocka_unit_test(test_json_number__shortest_form_is_short),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
