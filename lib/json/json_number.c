/*
 * Numbers between JSON text and IEEE doubles, without the C library's
 * locale-dependent strtod.
 *
 * Text to double: the decimal digits D and exponent E of the text are
 * gathered (leading zeros dropped, more than KEEP_DIGITS significant digits
 * truncated with a sticky digit, which cannot move a rounding decision since
 * no halfway point between doubles needs more than 767 digits). When D fits
 * in 53 bits and |E| <= 22 both D and 10^E are exact doubles and one IEEE
 * multiplication or division gives the correctly rounded result (Clinger's
 * fast path). Otherwise the value D * 10^E is formed exactly as a ratio of
 * big integers N / M, scaled by a power of two so that the integer quotient
 * has 63 or 64 bits, and that quotient plus a sticky bit for the remainder is
 * rounded to 53 bits (or fewer for subnormals), ties to even.
 *
 * Double to text: the shortest of 15, 16 or 17 significant digits (1 to 17
 * for subnormals) that reads back to the same bits, checked with the reader above; digits come from
 * snprintf, whose decimal point (which depends on the locale) is rewritten.
 */
#include <float.h>
#include <stdio.h>
#include <string.h>

#include "json/json_internal.h"
#include "json/json_pow5_table.h"

#define KEEP_DIGITS 780

/* Clinger's fast path needs each double operation rounded once, to double. */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0
#define FAST_PATH_OK 0
#else
#define FAST_PATH_OK 1
#endif
#define BIG_WORDS 132 /* 4224 bits: room for 10^1105 shifted by 127 bits */

typedef struct big {
    uint32_t w[BIG_WORDS];
    size_t n; /* words in use; w[n-1] != 0 unless n == 0 */
} big;

static void big_set_u32(big *b, uint32_t v)
{
    b->n = v != 0;
    b->w[0] = v;
}

static void big_mul_add(big *b, uint32_t m, uint32_t add)
{
    uint64_t carry = add;
    for (size_t i = 0; i < b->n; i++) {
        uint64_t t = (uint64_t)b->w[i] * m + carry;
        b->w[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry != 0 && b->n < BIG_WORDS)
        b->w[b->n++] = (uint32_t)carry;
}

static void big_mul_pow10(big *b, unsigned e)
{
    static const uint32_t pow10[10] = { 1u,      10u,      100u,      1000u,      10000u,
                                        100000u, 1000000u, 10000000u, 100000000u, 1000000000u };
    while (e >= 9) {
        big_mul_add(b, pow10[9], 0);
        e -= 9;
    }
    if (e > 0)
        big_mul_add(b, pow10[e], 0);
}

static size_t big_bitlen(const big *b)
{
    if (b->n == 0)
        return 0;
    uint32_t top = b->w[b->n - 1];
    size_t bits = 0;
    while (top != 0) {
        bits++;
        top >>= 1;
    }
    return (b->n - 1) * 32 + bits;
}

static void big_shl(big *b, size_t bits)
{
    size_t words = bits / 32, r = bits % 32;
    if (b->n == 0)
        return;
    if (r != 0) {
        uint32_t carry = 0;
        for (size_t i = 0; i < b->n; i++) {
            uint32_t w = b->w[i];
            b->w[i] = (w << r) | carry;
            carry = w >> (32 - r);
        }
        if (carry != 0)
            b->w[b->n++] = carry;
    }
    if (words != 0) {
        memmove(b->w + words, b->w, b->n * sizeof b->w[0]);
        memset(b->w, 0, words * sizeof b->w[0]);
        b->n += words;
    }
}

static void big_shr1(big *b)
{
    for (size_t i = 0; i < b->n; i++) {
        uint32_t next = i + 1 < b->n ? b->w[i + 1] : 0;
        b->w[i] = (b->w[i] >> 1) | (next << 31);
    }
    while (b->n > 0 && b->w[b->n - 1] == 0)
        b->n--;
}

static int big_cmp(const big *a, const big *b)
{
    if (a->n != b->n)
        return a->n < b->n ? -1 : 1;
    for (size_t i = a->n; i-- > 0;) {
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    }
    return 0;
}

static void big_sub(big *a, const big *b) /* a -= b, a >= b */
{
    uint64_t borrow = 0;
    for (size_t i = 0; i < a->n; i++) {
        uint64_t bw = (i < b->n ? b->w[i] : 0) + borrow;
        borrow = a->w[i] < bw;
        a->w[i] = (uint32_t)((uint64_t)a->w[i] - bw);
    }
    while (a->n > 0 && a->w[a->n - 1] == 0)
        a->n--;
}

static int bitlen64(uint64_t v)
{
#if defined(__GNUC__)
    return v == 0 ? 0 : 64 - __builtin_clzll(v);
#else
    int b = 0;
    while (v != 0) {
        b++;
        v >>= 1;
    }
    return b;
#endif
}

/* Round q * 2^s (q in [2^62, 2^64), sticky: more nonzero bits below q) to a
 * double. Returns false on overflow. */
static bool round_to_double(uint64_t q, long s, bool sticky, double *out)
{
    int b = bitlen64(q);
    long e2 = s + b - 1;
    long shift = b - 53;
    bool subnormal = e2 < -1022;
    uint64_t mant, bits;

    if (subnormal)
        shift += -1022 - e2;
    if (shift > 64) {
        mant = 0;
    } else if (shift == 64) {
        uint64_t half = (uint64_t)1 << 63;
        mant = (q > half || (q == half && sticky)) ? 1 : 0;
    } else {
        uint64_t rem = q & (((uint64_t)1 << shift) - 1);
        uint64_t half = (uint64_t)1 << (shift - 1);
        mant = q >> shift;
        if (rem > half || (rem == half && (sticky || (mant & 1u))))
            mant++;
    }
    if (subnormal) {
        bits = mant; /* 2^52 here is the smallest normal, encoded right */
    } else {
        if (mant == ((uint64_t)1 << 53)) {
            mant >>= 1;
            e2++;
        }
        if (e2 > 1023)
            return false;
        bits = ((uint64_t)(e2 + 1023) << 52) | (mant & (((uint64_t)1 << 52) - 1));
    }
    memcpy(out, &bits, sizeof bits);
    return true;
}

#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 u128;

/*
 * Eisel-Lemire: D * 10^E for an exact D < 2^64, from a 128-bit
 * approximation of 5^E (table) and one or two 64x64 products. Lemire (2021)
 * and Mushtak and Lemire (2023) show the truncated product always has enough
 * bits to round correctly when D is exact, halfway cases being detected
 * explicitly; so no fallback is needed here. Returns false on overflow.
 */
static bool eisel_lemire(uint64_t w, long q, double *out)
{
    uint64_t bits, mant, hi, lo;
    long power2;
    int lz, upper;
    u128 prod;

    if (q < ECS_POW5_MIN_Q) {
        *out = 0.0;
        return true;
    }
    if (q > ECS_POW5_MAX_Q)
        return false;
    lz = 64 - bitlen64(w);
    w <<= lz;
    {
        const uint64_t *t = ecs_pow5_128[q - ECS_POW5_MIN_Q];
        prod = (u128)w * t[0];
        hi = (uint64_t)(prod >> 64);
        lo = (uint64_t)prod;
        if ((hi & 0x1FFu) == 0x1FFu) {
            u128 second = (u128)w * t[1];
            uint64_t sh = (uint64_t)(second >> 64);
            lo += sh;
            if (sh > lo)
                hi++;
        }
    }
    upper = (int)(hi >> 63);
    mant = hi >> (upper + 9);
    power2 = ((217706L * q) >> 16) + 63 + upper - lz + 1023;
    if (power2 <= 0) {
        if (-power2 + 1 >= 64) {
            mant = 0;
        } else {
            mant >>= -power2 + 1;
            mant += mant & 1u;
            mant >>= 1;
        }
        bits = mant; /* a carry into bit 52 makes the smallest normal */
        memcpy(out, &bits, sizeof bits);
        return true;
    }
    if (lo <= 1 && q >= -4 && q <= 23 && (mant & 3u) == 1u &&
        (mant << (upper + 9)) == hi)
        mant &= ~(uint64_t)1; /* exactly halfway: ties to even */
    mant += mant & 1u;
    mant >>= 1;
    if (mant >= ((uint64_t)2 << 52)) {
        mant = (uint64_t)1 << 52;
        power2++;
    }
    mant &= ~((uint64_t)1 << 52);
    if (power2 >= 0x7FF)
        return false;
    bits = mant | ((uint64_t)power2 << 52);
    memcpy(out, &bits, sizeof bits);
    return true;
}
#endif

/* Exact conversion of D * 10^E, D given as decimal digits. */
static bool slow_path(const unsigned char *digits, size_t nd, long e10, double *out)
{
    big n, m, d;
    uint64_t q = 0;
    long s;

    big_set_u32(&n, 0);
    for (size_t i = 0; i < nd;) {
        /* feed up to 9 digits at a time */
        uint32_t chunk = 0, mul = 1;
        for (size_t k = 0; k < 9 && i < nd; k++, i++) {
            chunk = chunk * 10 + digits[i];
            mul *= 10;
        }
        if (n.n == 0)
            big_set_u32(&n, chunk);
        else
            big_mul_add(&n, mul, chunk);
    }
    big_set_u32(&m, 1);
    if (e10 >= 0)
        big_mul_pow10(&n, (unsigned)e10);
    else
        big_mul_pow10(&m, (unsigned)-e10);

    s = (long)big_bitlen(&n) - (long)big_bitlen(&m) - 63;
    if (s >= 0)
        big_shl(&m, (size_t)s);
    else
        big_shl(&n, (size_t)-s);
    d = m;
    big_shl(&d, 63);
    for (int i = 63; i >= 0; i--) {
        if (big_cmp(&n, &d) >= 0) {
            big_sub(&n, &d);
            q |= (uint64_t)1 << i;
        }
        big_shr1(&d);
    }
    return round_to_double(q, s, n.n != 0, out);
}

bool ecs_json__number_to_double(const char *text, size_t len, double *out)
{
    static const double exact_pow10[23] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                            1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
    unsigned char digits[KEEP_DIGITS + 1];
    size_t nd = 0, i = 0;
    long e10 = 0, exp_val = 0;
    bool neg = false, in_frac = false, truncated = false;
    double v;

    if (i < len && text[i] == '-') {
        neg = true;
        i++;
    }
    for (; i < len; i++) {
        char c = text[i];
        if (c == '.') {
            in_frac = true;
            continue;
        }
        if (c < '0' || c > '9')
            break;
        unsigned char dgt = (unsigned char)(c - '0');
        if (nd == 0 && dgt == 0) {
            if (in_frac)
                e10--;
            continue;
        }
        if (nd < KEEP_DIGITS) {
            digits[nd++] = dgt;
            if (in_frac)
                e10--;
        } else {
            truncated |= dgt != 0;
            if (!in_frac)
                e10++;
        }
    }
    if (i < len && (text[i] == 'e' || text[i] == 'E')) {
        bool eneg = false;
        i++;
        if (i < len && (text[i] == '+' || text[i] == '-')) {
            eneg = text[i] == '-';
            i++;
        }
        for (; i < len && text[i] >= '0' && text[i] <= '9'; i++) {
            if (exp_val < 1000000)
                exp_val = exp_val * 10 + (text[i] - '0');
        }
        if (eneg)
            exp_val = -exp_val;
    }
    e10 += exp_val;
    if (truncated) {
        digits[nd++] = 1;
        e10--;
    }
    while (nd > 0 && digits[nd - 1] == 0) {
        nd--;
        e10++;
    }

    if (nd == 0) {
        v = 0.0;
    } else if ((long)nd - 1 + e10 >= 309) {
        return false;
    } else if ((long)nd + e10 < -324) {
        v = 0.0;
    } else {
        bool fast = false;
        if (FAST_PATH_OK && nd <= 19) {
            uint64_t mant = 0;
            for (size_t k = 0; k < nd; k++)
                mant = mant * 10 + digits[k];
            if (mant <= ((uint64_t)1 << 53)) {
                if (e10 >= 0 && e10 <= 22) {
                    v = (double)mant * exact_pow10[e10];
                    fast = true;
                } else if (e10 < 0 && e10 >= -22) {
                    v = (double)mant / exact_pow10[-e10];
                    fast = true;
                } else if (e10 > 22 && e10 <= 22 + 15) {
                    /* mant * 10^(e10-22) may still be exact */
                    uint64_t m2 = mant;
                    long k = e10 - 22;
                    while (k > 0 && m2 <= ((uint64_t)1 << 53) / 10) {
                        m2 *= 10;
                        k--;
                    }
                    if (k == 0) {
                        v = (double)m2 * exact_pow10[22];
                        fast = true;
                    }
                }
            }
        }
#if defined(__SIZEOF_INT128__)
        if (!fast && nd <= 19) {
            uint64_t mant = 0;
            for (size_t k = 0; k < nd; k++)
                mant = mant * 10 + digits[k];
            if (!eisel_lemire(mant, e10, &v))
                return false;
            fast = true;
        }
#endif
        if (!fast && !slow_path(digits, nd, e10, &v))
            return false;
    }
    *out = neg ? -v : v;
    return true;
}

size_t ecs_json__format_double(double v, char *buf)
{
    char tmp[64];
    size_t n = 0;

    /* For normal doubles the shortest form, if under 15 digits, is what
     * %.15g gives (the 15-digit grid is finer than half a unit in the last
     * place); subnormals have fewer bits and may need as little as one. */
    int first = (v != 0.0 && v > -2.2250738585072014e-308 && v < 2.2250738585072014e-308) ? 1 : 15;
    for (int prec = first; prec <= 17; prec++) {
        int r = snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        bool has_point = false, has_exp = false, in_other = false;
        double back;

        n = 0;
        for (int k = 0; k < r && tmp[k] != '\0' && n < 30; k++) {
            char c = tmp[k];
            if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e' || c == 'E') {
                if (c == 'e' || c == 'E') {
                    has_exp = true;
                    c = 'e';
                }
                buf[n++] = c;
                in_other = false;
            } else if (!in_other) {
                /* the locale's decimal point, whatever bytes it has */
                buf[n++] = '.';
                has_point = true;
                in_other = true;
            }
        }
        if (!has_point && !has_exp) {
            buf[n++] = '.';
            buf[n++] = '0';
        }
        if (ecs_json__number_to_double(buf, n, &back) && memcmp(&back, &v, sizeof v) == 0)
            break;
    }
    return n;
}
