/*
 * Typed literals of the query language: whole numbers (runningTasksCount),
 * dates and times (registeredAt), dotted versions (agentVersion) and
 * decimal numbers (ordering of attribute values). All read pointer +
 * length text without allocating and without the C library's locale-bound
 * conversions; the readers used while evaluating are cheap enough for the
 * hot path.
 */
#include <string.h>

#include "query/query_internal.h"

#define MS_PER_DAY INT64_C(86400000)
/* Days from 0001-01-01 to 1970-01-01 in the proleptic Gregorian calendar. */
#define DAYS_0001_TO_1970 INT64_C(719162)

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* n digits at s as a number; false unless all are digits. */
static bool digits(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    size_t i;

    for (i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return false;
        v = v * 10u + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

bool ecs_query__parse_uint(const char *s, size_t len, uint64_t *out)
{
    uint64_t v = 0;
    size_t i;

    if (len == 0 || len > 19)
        return false;
    for (i = 0; i < len; i++) {
        if (!is_digit(s[i]))
            return false;
        v = v * 10u + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

static bool is_leap(unsigned y)
{
    return (y % 4u == 0 && y % 100u != 0) || y % 400u == 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned char dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29u : dim[m - 1];
}

/* Days from 1970-01-01 to y-m-d (a valid date with y >= 1). */
static int64_t days_from_epoch(unsigned y, unsigned m, unsigned d)
{
    static const unsigned short before[12] = {
        0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334
    };
    int64_t years = (int64_t)y - 1; /* whole years since 0001-01-01 */
    int64_t days = years * 365 + years / 4 - years / 100 + years / 400;

    days += before[m - 1] + ((m > 2 && is_leap(y)) ? 1 : 0) + (int64_t)d - 1;
    return days - DAYS_0001_TO_1970;
}

/* The zone at s[0..len): "", "Z", +HH:MM, -HH:MM, +HHMM or -HHMM, as
 * minutes east of UTC. */
static bool parse_zone(const char *s, size_t len, int64_t *out_min)
{
    unsigned h, m;
    size_t mpos;

    *out_min = 0;
    if (len == 0 || (len == 1 && s[0] == 'Z'))
        return true;
    if ((s[0] != '+' && s[0] != '-') || (len != 6 && len != 5))
        return false;
    if (len == 6 && s[3] != ':')
        return false;
    mpos = len == 6 ? 4 : 3;
    if (!digits(s + 1, 2, &h) || !digits(s + mpos, 2, &m) || h > 23 || m > 59)
        return false;
    *out_min = (int64_t)(h * 60u + m);
    if (s[0] == '-')
        *out_min = -*out_min;
    return true;
}

bool ecs_query__parse_time(const char *s, size_t len, int64_t *out_ms, int64_t *out_unit_ms)
{
    unsigned y, mo, d, h, mi, sec, frac = 0, scale = 100;
    int64_t ms, zone_min, unit = 1000;
    size_t i;

    if (len < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) || s[7] != '-' ||
        !digits(s + 8, 2, &d))
        return false;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
        return false;
    ms = days_from_epoch(y, mo, d) * MS_PER_DAY;
    if (len == 10) {
        *out_ms = ms;
        *out_unit_ms = MS_PER_DAY;
        return true;
    }
    if (len < 19 || s[10] != 'T' || !digits(s + 11, 2, &h) || s[13] != ':' ||
        !digits(s + 14, 2, &mi) || s[16] != ':' || !digits(s + 17, 2, &sec))
        return false;
    if (h > 23 || mi > 59 || sec > 59)
        return false;
    i = 19;
    if (i < len && s[i] == '.') {
        size_t first = ++i;
        while (i < len && is_digit(s[i]) && i - first < 9) {
            frac += (unsigned)(s[i] - '0') * scale; /* milliseconds; later digits drop out */
            scale /= 10u;
            i++;
        }
        if (i == first)
            return false;
        unit = 1;
    }
    if (!parse_zone(s + i, len - i, &zone_min))
        return false;
    ms += ((int64_t)h * 3600 + (int64_t)mi * 60 + (int64_t)sec) * 1000 + (int64_t)frac;
    *out_ms = ms - zone_min * 60000;
    *out_unit_ms = unit;
    return true;
}

bool ecs_query__parse_version(const char *s, size_t len, uint32_t *parts, uint32_t *out_n)
{
    uint32_t n = 0;
    size_t i = 0;

    for (;;) {
        uint64_t v = 0;
        size_t start = i;

        while (i < len && is_digit(s[i])) {
            v = v * 10u + (uint64_t)(s[i] - '0');
            if (v > UINT32_MAX)
                return false;
            i++;
        }
        if (i == start || n == ECS_QUERY_MAX_VERSION_PARTS)
            return false;
        parts[n++] = (uint32_t)v;
        if (i == len)
            break;
        if (s[i] != '.')
            return false;
        i++;
    }
    *out_n = n;
    return true;
}

bool ecs_query__version_cmp(const char *s, size_t len, const uint32_t *parts, uint32_t n, int *out)
{
    size_t i = 0;
    uint32_t k;
    bool has_part = true; /* the instance's version has part k */

    if (len == 0 || !is_digit(s[0]))
        return false;
    for (k = 0; has_part || k < n; k++) {
        uint64_t have = 0, want = k < n ? parts[k] : 0;

        if (has_part) {
            while (i < len && is_digit(s[i])) {
                if (have <= UINT32_MAX) /* saturates above every literal part */
                    have = have * 10u + (uint64_t)(s[i] - '0');
                i++;
            }
            has_part = i + 1 < len && s[i] == '.' && is_digit(s[i + 1]);
            if (has_part)
                i++;
        }
        if (have != want) {
            *out = have < want ? -1 : 1;
            return true;
        }
    }
    *out = 0;
    return true;
}

bool ecs_query__parse_decimal(const char *s, size_t len, q_decimal *out)
{
    size_t i = 0, start;
    q_decimal d;

    memset(&d, 0, sizeof d);
    if (i < len && (s[i] == '+' || s[i] == '-')) {
        d.neg = s[i] == '-';
        i++;
    }
    start = i;
    while (i < len && is_digit(s[i]))
        i++;
    if (i == start)
        return false;
    d.ip = s + start;
    d.il = i - start;
    if (i < len) {
        if (s[i] != '.')
            return false;
        start = ++i;
        while (i < len && is_digit(s[i]))
            i++;
        if (i == start || i != len)
            return false;
        d.fp = s + start;
        d.fl = i - start;
    }
    while (d.il > 0 && d.ip[0] == '0') {
        d.ip++;
        d.il--;
    }
    while (d.fl > 0 && d.fp[d.fl - 1] == '0')
        d.fl--;
    if (d.il == 0 && d.fl == 0)
        d.neg = false;
    *out = d;
    return true;
}

static int sign_of(int c)
{
    return (c > 0) - (c < 0);
}

int ecs_query__decimal_cmp(const q_decimal *a, const q_decimal *b)
{
    int c;
    size_t n;

    if (a->neg != b->neg)
        return a->neg ? -1 : 1;
    if (a->il != b->il) {
        c = a->il < b->il ? -1 : 1;
    } else {
        c = a->il > 0 ? sign_of(memcmp(a->ip, b->ip, a->il)) : 0;
        if (c == 0) {
            n = a->fl < b->fl ? a->fl : b->fl;
            c = n > 0 ? sign_of(memcmp(a->fp, b->fp, n)) : 0;
            if (c == 0 && a->fl != b->fl)
                c = a->fl < b->fl ? -1 : 1; /* the longer has a non-zero digit more */
        }
    }
    return a->neg ? -c : c;
}

int64_t ecs_query__floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && a < 0) ? q - 1 : q;
}
