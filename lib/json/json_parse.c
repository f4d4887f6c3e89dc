/*
 * The strict JSON parser: one pass over the input, no recursion. Open
 * containers sit on a heap stack bounded by the depth limit; values are
 * appended to the document's slot array (see json_internal.h) and string
 * bytes are decoded straight into the pool, which is sized to the input up
 * front: a string never decodes to more bytes than its quoted text, so the
 * hot loop needs no capacity checks. Runs of plain string bytes are copied
 * eight at a time.
 */
#include <stdio.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "json/json_internal.h"
#include "util/ckd.h"

typedef struct parser {
    ecs_ctx *ctx;
    const unsigned char *in;
    size_t len;
    size_t pos;
    ecs_json_doc *doc;
    ecs_json_frame *stack; /* each open container */
    size_t depth;
    size_t stack_cap;
    uint32_t max_depth;
    uint32_t depth_base;          /* containers open around the input (ecs_json_elems) */
    const char *const *lazy_keys; /* ecs_json__parse_lazy(); else NULL */
    uint32_t lazy_depth;
    bool one_value;               /* stop after one value (ecs_json_elems) */
} parser;

static ecs_status fail(parser *p, ecs_status st, size_t at, const char *fmt, ...)
    ECS_PRINTF(4, 5);

static ecs_status fail(parser *p, ecs_status st, size_t at, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
        msg[0] = '\0';
    va_end(ap);
    return ecs_ctx__fail_at(p->ctx, st, (const char *)p->in, at, "%s", msg);
}

/* Describe the byte at `at` for an error message. */
static const char *describe(parser *p, size_t at, char buf[16])
{
    if (at >= p->len)
        return "end of input";
    unsigned char c = p->in[at];
    if (c >= 0x21 && c < 0x7F)
        snprintf(buf, 16, "'%c'", c);
    else
        snprintf(buf, 16, "byte 0x%02X", (unsigned)c);
    return buf;
}

static size_t skip_ws(const unsigned char *in, size_t i, size_t n)
{
    while (i < n && (in[i] == ' ' || in[i] == '\n' || in[i] == '\r' || in[i] == '\t'))
        i++;
    return i;
}

static ecs_status grow_slots(parser *p, size_t need);

static inline ecs_status reserve_slots(parser *p, size_t need)
{
    return p->doc->slots_cap - p->doc->nslots >= need ? ECS_OK : grow_slots(p, need);
}

static ecs_status grow_slots(parser *p, size_t need)
{
    ecs_json_doc *d = p->doc;
    size_t cap, bytes;
    void *grown;

    cap = d->slots_cap + d->slots_cap / 2 + need + 16;
    if (!ecs_ckd_mul_size(&bytes, cap, sizeof(ecs_json_val)))
        return fail(p, ECS_E_LIMIT, p->pos, "document too large");
    grown = ecs_ctx__resize(p->ctx, d->slots, d->slots_cap * sizeof(ecs_json_val), bytes);
    if (grown == NULL)
        return ECS_E_NOMEM;
    d->slots = grown;
    d->slots_cap = cap;
    return ECS_OK;
}

static inline void put(parser *p, uint64_t w)
{
    p->doc->slots[p->doc->nslots++].w = w;
}

static ecs_status push_container(parser *p, ecs_json_type type)
{
    if (p->depth + p->depth_base >= p->max_depth)
        return fail(p, ECS_E_LIMIT, p->pos, "nesting deeper than the limit of %u",
                    (unsigned)p->max_depth);
    if (p->depth == p->stack_cap) {
        size_t cap = p->stack_cap == 0 ? 32 : p->stack_cap * 2;
        void *grown;
        if (cap > p->max_depth)
            cap = p->max_depth;
        if (p->stack == NULL)
            grown = ecs_ctx__alloc(p->ctx, cap * sizeof(ecs_json_frame));
        else
            grown = ecs_ctx__resize(p->ctx, p->stack, p->stack_cap * sizeof(ecs_json_frame),
                                    cap * sizeof(ecs_json_frame));
        if (grown == NULL)
            return ECS_E_NOMEM;
        p->stack = grown;
        p->stack_cap = cap;
    }
    p->stack[p->depth].slot = p->doc->nslots;
    p->stack[p->depth].count = 0;
    p->stack[p->depth].is_obj = type == ECS_JSON_OBJECT;
    p->depth++;
    put(p, (uint64_t)type);
    put(p, 0);
    return ECS_OK;
}

static void close_container(parser *p)
{
    const ecs_json_frame *f = &p->stack[--p->depth];
    ecs_json_val *v = &p->doc->slots[f->slot];
    v[0].w = (uint64_t)(f->is_obj ? ECS_JSON_OBJECT : ECS_JSON_ARRAY) | ((uint64_t)f->count << 3);
    v[1].w = (uint64_t)(p->doc->nslots - f->slot - 2);
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Four hex digits at in[i..i+4), or -1. */
static long hex4(const unsigned char *in, size_t i, size_t n)
{
    long v = 0;
    if (n - i < 4)
        return -1;
    for (size_t k = 0; k < 4; k++) {
        int h = hexval(in[i + k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

static size_t put_utf8(char *dst, uint32_t cp)
{
    if (cp < 0x80) {
        dst[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        dst[0] = (char)(0xC0 | (cp >> 6));
        dst[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        dst[0] = (char)(0xE0 | (cp >> 12));
        dst[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        dst[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    dst[0] = (char)(0xF0 | (cp >> 18));
    dst[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    dst[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    dst[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

#define ONES 0x0101010101010101u
#define HIGHS 0x8080808080808080u

/* Nonzero when any of the 8 bytes in x needs attention inside a string:
 * '"', '\\', a control character or a non-ASCII byte. */
static inline uint64_t special8(uint64_t x)
{
    uint64_t q = x ^ (ONES * '"');
    uint64_t b = x ^ (ONES * '\\');
    uint64_t has_q = (q - ONES) & ~q;
    uint64_t has_b = (b - ONES) & ~b;
    uint64_t has_ctl = x - ONES * 0x20u;
    return (has_q | has_b | has_ctl | x) & HIGHS;
}

/* Index of the first byte that special8() flagged. Flags above a truly
 * special byte can be false, those below it never are, so the lowest flag
 * is exact. */
static inline size_t first_flagged(uint64_t mask, const unsigned char *bytes)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    (void)bytes;
    return (size_t)__builtin_ctzll(mask) >> 3;
#else
    size_t k = 0;
    (void)mask;
    while (k < 8 && bytes[k] >= 0x20 && bytes[k] < 0x80 && bytes[k] != '"' && bytes[k] != '\\')
        k++;
    return k;
#endif
}

/* Make the pool hold at least `need` more bytes after `used`. */
static ecs_status grow_pool(parser *p, size_t used, size_t need)
{
    ecs_json_doc *d = p->doc;
    size_t cap = d->pool_cap * 2;
    void *grown;
    if (cap - used < need)
        cap = used + need;
    grown = ecs_ctx__resize(p->ctx, d->pool, d->pool_cap, cap);
    if (grown == NULL)
        return ECS_E_NOMEM;
    d->pool = grown;
    d->pool_cap = cap;
    return ECS_OK;
}

/*
 * Decode the string whose opening quote is at p->pos into the pool.
 *
 * A string never decodes to more bytes than its quoted text, so a pool
 * with room for the rest of the input (as a whole-document parse sizes it)
 * never needs a check: `lim` is then the input's end. A smaller pool (the
 * element documents of lazy arrays) sets lim where the input consumed so
 * far could fill it; the fast loops stop there, and the pool grows.
 */
static ecs_status parse_string(parser *p, uint64_t *out)
{
    const unsigned char *in = p->in;
    size_t n = p->len, i = p->pos + 1;
    char *pool = p->doc->pool;
    size_t start = p->doc->pool_len, dst = start, slen, lim;
    unsigned char c;

    lim = p->doc->pool_cap - dst >= n - i ? n : i + (p->doc->pool_cap - dst);
    for (;;) {
        if (lim < n && lim - i < 16) {
            size_t want = n - i < 65536 ? n - i : 65536;
            ecs_status rc = grow_pool(p, dst, want + 16);
            if (rc != ECS_OK)
                return rc;
            pool = p->doc->pool;
            lim = p->doc->pool_cap - dst >= n - i ? n : i + (p->doc->pool_cap - dst);
        }
#if defined(__SSE2__)
        while (lim - i >= 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(in + i));
            /* signed x < 0x20 catches control characters and non-ASCII */
            __m128i sp = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
                             _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
                _mm_cmplt_epi8(x, _mm_set1_epi8(0x20)));
            unsigned m = (unsigned)_mm_movemask_epi8(sp);
            _mm_storeu_si128((__m128i *)(void *)(pool + dst), x);
            if (m != 0) {
                unsigned k = (unsigned)__builtin_ctz(m);
                i += k;
                dst += k;
                goto special;
            }
            i += 16;
            dst += 16;
        }
#endif
        while (lim - i >= 8) {
            uint64_t x, m;
            memcpy(&x, in + i, 8);
            /* Copy all eight at once; only the plain prefix is kept. */
            memcpy(pool + dst, &x, 8);
            m = special8(x);
            if (m != 0) {
                size_t k = first_flagged(m, in + i);
                i += k;
                dst += k;
                break;
            }
            i += 8;
            dst += 8;
        }
        if (i >= n)
            return fail(p, ECS_E_PARSE, p->pos, "unterminated string");
#if defined(__SSE2__)
    special:
#endif
        if (lim < n && lim - i < 16)
            continue; /* the pool grows first: an escape writes up to 4 bytes */
        c = in[i];
        if (c == '"')
            break;
        if (c == '\\') {
            unsigned char e;
            if (i + 1 >= n)
                return fail(p, ECS_E_PARSE, p->pos, "unterminated string");
            e = in[i + 1];
            switch (e) {
            case '"': pool[dst++] = '"'; break;
            case '\\': pool[dst++] = '\\'; break;
            case '/': pool[dst++] = '/'; break;
            case 'b': pool[dst++] = '\b'; break;
            case 'f': pool[dst++] = '\f'; break;
            case 'n': pool[dst++] = '\n'; break;
            case 'r': pool[dst++] = '\r'; break;
            case 't': pool[dst++] = '\t'; break;
            case 'u': {
                long cp = hex4(in, i + 2, n);
                if (cp < 0)
                    return fail(p, ECS_E_PARSE, i, "invalid \\u escape: expected four hex digits");
                if (cp >= 0xDC00 && cp <= 0xDFFF)
                    return fail(p, ECS_E_PARSE, i,
                                "lone low surrogate \\u%04lX (it must follow a high surrogate)",
                                (unsigned long)cp);
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    long lo = -1;
                    if (n - i >= 12 && in[i + 6] == '\\' && in[i + 7] == 'u')
                        lo = hex4(in, i + 8, n);
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        return fail(p, ECS_E_PARSE, i,
                                    "lone high surrogate \\u%04lX (it must be followed by a "
                                    "\\u escape of a low surrogate)",
                                    (unsigned long)cp);
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                }
                dst += put_utf8(pool + dst, (uint32_t)cp);
                i += 4;
                break;
            }
            default: {
                char d[16];
                return fail(p, ECS_E_PARSE, i + 1, "invalid escape: %s after '\\'",
                            describe(p, i + 1, d));
            }
            }
            i += 2;
        } else if (c < 0x20) {
            return fail(p, ECS_E_PARSE, i,
                        "control character U+%04X in a string must be escaped", (unsigned)c);
        } else if (c < 0x80) {
            pool[dst++] = (char)c;
            i++;
        } else {
            /* non-ASCII text tends to come in runs: stay here for the run */
            do {
                size_t k = ecs_json__utf8_seq(in + i, n - i);
                if (k == 0)
                    return fail(p, ECS_E_PARSE, i, "invalid UTF-8 (byte 0x%02X) in a string",
                                (unsigned)in[i]);
                /* k <= 4 and a closing quote must still follow, so four
                 * bytes fit in the input and in the pool (dst < i) */
                if (n - i >= 4)
                    memcpy(pool + dst, in + i, 4);
                else
                    memcpy(pool + dst, in + i, k);
                dst += k;
                i += k;
            } while (i < n && in[i] >= 0x80 && (lim == n || lim - i >= 16));
        }
    }
    slen = dst - start;
    if (slen > ECS_JSON_MAX_STRING_BYTES)
        return fail(p, ECS_E_LIMIT, p->pos, "string of %zu bytes exceeds the limit of %zu",
                    slen, (size_t)ECS_JSON_MAX_STRING_BYTES);
    pool[dst++] = '\0';
    p->doc->pool_len = dst;
    p->pos = i + 1;
    *out = (uint64_t)ECS_JSON_STRING | ((uint64_t)slen << 3) | ((uint64_t)start << 32);
    return ECS_OK;
}

static bool is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static ecs_status parse_number(parser *p)
{
    const unsigned char *in = p->in;
    size_t n = p->len, start = p->pos, i = start, ndig = 0;
    bool neg = false, is_int = true, overflow = false;
    uint64_t mant = 0;

    if (in[i] == '-') {
        neg = true;
        i++;
    }
    if (i >= n || !is_digit(in[i]))
        return fail(p, ECS_E_PARSE, i, "invalid number: expected a digit after '-'");
    if (in[i] == '0') {
        i++;
        ndig = 1;
        if (i < n && is_digit(in[i]))
            return fail(p, ECS_E_PARSE, i - 1, "invalid number: leading zeros are not allowed");
    } else {
        for (; i < n && is_digit(in[i]); i++, ndig++) {
            unsigned d = (unsigned)(in[i] - '0');
            if (ndig >= 18 && mant > (UINT64_MAX - d) / 10)
                overflow = true;
            else
                mant = mant * 10 + d;
        }
    }
    if (i < n && in[i] == '.') {
        is_int = false;
        i++;
        if (i >= n || !is_digit(in[i]))
            return fail(p, ECS_E_PARSE, i, "invalid number: expected a digit after '.'");
        while (i < n && is_digit(in[i]))
            i++;
    }
    if (i < n && (in[i] == 'e' || in[i] == 'E')) {
        is_int = false;
        i++;
        if (i < n && (in[i] == '+' || in[i] == '-'))
            i++;
        if (i >= n || !is_digit(in[i]))
            return fail(p, ECS_E_PARSE, i, "invalid number: expected a digit in the exponent");
        while (i < n && is_digit(in[i]))
            i++;
    }
    if (is_int && !overflow && mant <= (uint64_t)INT64_MAX + (neg ? 1u : 0u)) {
        int64_t v = neg ? (int64_t)(0u - mant) : (int64_t)mant;
        if (neg && mant == (uint64_t)INT64_MAX + 1u)
            v = INT64_MIN;
        if (v >= JV_INLINE_INT_MIN && v <= JV_INLINE_INT_MAX) {
            put(p, (uint64_t)ECS_JSON_INT | ((uint64_t)v << 4));
        } else {
            put(p, (uint64_t)ECS_JSON_INT | JV_FLAG);
            put(p, (uint64_t)v);
        }
    } else {
        double d;
        uint64_t bits;
        if (!ecs_json__number_to_double((const char *)in + start, i - start, &d))
            return fail(p, ECS_E_LIMIT, start, "number %.*s is beyond the range of a double",
                        (int)(i - start > 40 ? 40 : i - start), (const char *)in + start);
        memcpy(&bits, &d, sizeof bits);
        put(p, (uint64_t)ECS_JSON_DOUBLE | (is_int ? JV_FLAG : 0u));
        put(p, bits);
    }
    p->pos = i;
    return ECS_OK;
}

static ecs_status parse_literal(parser *p, const char *word, size_t wlen, ecs_json_type type)
{
    if (p->len - p->pos < wlen || memcmp(p->in + p->pos, word, wlen) != 0)
        return fail(p, ECS_E_PARSE, p->pos, "invalid literal: expected %s", word);
    put(p, (uint64_t)type);
    p->pos += wlen;
    return ECS_OK;
}

/* Is the value about to be parsed that of a member named one of the lazy
 * keys? (The member's name is the last slot written.) */
static bool is_lazy_key(const parser *p)
{
    const ecs_json_doc *d = p->doc;
    uint64_t w;
    size_t n, off;
    if (p->depth == 0 || !p->stack[p->depth - 1].is_obj ||
        d->nslots == 0 || JV_TYPE(&d->slots[d->nslots - 1]) != ECS_JSON_STRING)
        return false;
    w = d->slots[d->nslots - 1].w;
    n = (size_t)((w >> 3) & 0x1FFFFFFFu);
    off = (size_t)(w >> 32);
    for (const char *const *k = p->lazy_keys; *k != NULL; k++) {
        if (strlen(*k) == n && memcmp(d->pool + off, *k, n) == 0)
            return true;
    }
    return false;
}

/* Bytes the lazy scan must look at: brackets, quotes and commas. */
static const unsigned char lazy_class[256] = {
    ['"'] = 1, ['['] = 2, ['{'] = 2, [']'] = 3, ['}'] = 3, [','] = 4,
};

typedef struct lazy_scan {
    size_t i;                     /* next byte */
    size_t depth;                 /* open brackets, the lazy array's own included */
    size_t commas;                /* at depth 1 */
    bool in_str;
} lazy_scan;

/* Byte by byte up to `stop` (an escape may carry it one byte further).
 * True when the lazy array's closing bracket was passed. */
static bool scan_bytes(const unsigned char *in, size_t stop, lazy_scan *st)
{
    size_t i = st->i;
    while (i < stop) {
        unsigned char c = in[i++];
        if (st->in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                st->in_str = false;
            continue;
        }
        switch (lazy_class[c]) {
        case 1: st->in_str = true; break;
        case 2: st->depth++; break;
        case 3:
            if (--st->depth == 0) {
                st->i = i;
                return true;
            }
            break;
        case 4: st->commas += st->depth == 1; break;
        default: break;
        }
    }
    st->i = i;
    return false;
}

#if defined(__SSE2__) && defined(__GNUC__)
static inline uint64_t mask16(__m128i x, __m128i c)
{
    return (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, c));
}

/* 64 bytes at a time: bit masks of quotes, backslashes, brackets and
 * commas; the bytes inside strings are the prefix XOR of the quotes (a
 * block with a backslash goes byte by byte instead). Only the brackets are
 * visited one by one; commas are counted by popcount. */
static bool scan_blocks(const unsigned char *in, size_t n, lazy_scan *st)
{
    const __m128i q = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), cm = _mm_set1_epi8(',');
    const __m128i lower = _mm_set1_epi8(0x20), op = _mm_set1_epi8('{'), cl = _mm_set1_epi8('}');
    while (n - st->i >= 64) {
        const unsigned char *p = in + st->i;
        uint64_t mq = 0, mb = 0, mo = 0, mc = 0, mm = 0, s, br;
        for (int k = 0; k < 4; k++) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
            __m128i xl = _mm_or_si128(x, lower); /* '[' -> '{', ']' -> '}' */
            mq |= mask16(x, q) << (16 * k);
            mb |= mask16(x, bs) << (16 * k);
            mm |= mask16(x, cm) << (16 * k);
            mo |= mask16(xl, op) << (16 * k);
            mc |= mask16(xl, cl) << (16 * k);
        }
        if (mb != 0) {
            if (scan_bytes(in, st->i + 64, st))
                return true;
            if (st->i > n)
                return false;
            continue;
        }
        s = mq;
        s ^= s << 1;
        s ^= s << 2;
        s ^= s << 4;
        s ^= s << 8;
        s ^= s << 16;
        s ^= s << 32;
        if (st->in_str)
            s = ~s;
        st->in_str = (s >> 63) != 0;
        mo &= ~s;
        mc &= ~s;
        mm &= ~s;
        for (br = mo | mc; br != 0; br &= br - 1) {
            unsigned b = (unsigned)__builtin_ctzll(br);
            uint64_t below = ((uint64_t)1 << b) - 1;
            if (st->depth == 1)
                st->commas += (size_t)__builtin_popcountll(mm & below);
            mm &= ~below;
            if ((mo >> b) & 1) {
                st->depth++;
            } else if (--st->depth == 0) {
                st->i += (size_t)b + 1;
                return true;
            }
        }
        if (st->depth == 1)
            st->commas += (size_t)__builtin_popcountll(mm);
        st->i += 64;
    }
    return false;
}
#endif

/* The array at p->pos, which is lazy: find its end (strings skipped,
 * brackets of both kinds counted) and count its top-level elements; put an
 * empty array in the tree and remember where the text is. Whether the text
 * is valid JSON is left to ecs_json_elems, which parses it strictly. */
static ecs_status skip_lazy(parser *p)
{
    const unsigned char *in = p->in;
    size_t n = p->len, j = skip_ws(in, p->pos + 1, n);
    bool empty = j < n && in[j] == ']', closed;
    lazy_scan st = { p->pos + 1, 1, 0, false };
    ecs_json_doc *d = p->doc;
    ecs_json_lazy *lz;

    if (p->depth >= p->max_depth)
        return fail(p, ECS_E_LIMIT, p->pos, "nesting deeper than the limit of %u",
                    (unsigned)p->max_depth);
#if defined(__SSE2__) && defined(__GNUC__)
    closed = scan_blocks(in, n, &st);
#else
    closed = false;
#endif
    if (!closed && st.i <= n)
        closed = scan_bytes(in, n, &st);
    if (!closed || st.i > n)
        return fail(p, ECS_E_PARSE, p->pos, "unterminated array");
    if (in[st.i - 1] != ']') {
        char b[16];
        return fail(p, ECS_E_PARSE, st.i - 1, "expected ']' to close the array, found %s",
                    describe(p, st.i - 1, b));
    }
    if (d->nlazy == d->lazy_cap) {
        size_t cap = d->lazy_cap == 0 ? 8 : d->lazy_cap * 2;
        void *grown = d->lazy == NULL
                          ? ecs_ctx__alloc(p->ctx, cap * sizeof(ecs_json_lazy))
                          : ecs_ctx__resize(p->ctx, d->lazy, d->lazy_cap * sizeof(ecs_json_lazy),
                                            cap * sizeof(ecs_json_lazy));
        if (grown == NULL)
            return ECS_E_NOMEM;
        d->lazy = grown;
        d->lazy_cap = cap;
    }
    lz = &d->lazy[d->nlazy++];
    lz->slot = d->nslots;
    lz->off = p->pos;
    lz->len = st.i - p->pos;
    lz->count = empty ? 0 : st.commas + 1;
    lz->depth = (uint32_t)p->depth + 1;
    put(p, (uint64_t)ECS_JSON_ARRAY);
    put(p, 0);
    p->pos = st.i;
    return ECS_OK;
}

/* Parse one value at p->pos (whitespace already skipped). Containers are
 * only opened here; run() closes them. */
static ecs_status parse_value(parser *p)
{
    ecs_status rc;
    uint64_t w;
    char d[16];

    if ((rc = reserve_slots(p, 2)) != ECS_OK)
        return rc;
    if (p->pos >= p->len)
        return fail(p, ECS_E_PARSE, p->pos, "expected a JSON value, found end of input");
    switch (p->in[p->pos]) {
    case '{':
        rc = push_container(p, ECS_JSON_OBJECT);
        p->pos++;
        return rc;
    case '[':
        if (p->lazy_keys != NULL && p->depth == p->lazy_depth && is_lazy_key(p))
            return skip_lazy(p);
        rc = push_container(p, ECS_JSON_ARRAY);
        p->pos++;
        return rc;
    case '"':
        if ((rc = parse_string(p, &w)) == ECS_OK)
            put(p, w);
        return rc;
    case 't': return parse_literal(p, "true", 4, ECS_JSON_TRUE);
    case 'f': return parse_literal(p, "false", 5, ECS_JSON_FALSE);
    case 'n': return parse_literal(p, "null", 4, ECS_JSON_NULL);
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        return parse_number(p);
    default:
        return fail(p, ECS_E_PARSE, p->pos, "expected a JSON value, found %s",
                    describe(p, p->pos, d));
    }
}

/* An object member name and its ':' at p->pos; the count of the object on
 * top of the stack grows by one. */
static ecs_status parse_member_name(parser *p)
{
    ecs_status rc;
    uint64_t w;
    char d[16];

    if (p->pos >= p->len || p->in[p->pos] != '"')
        return fail(p, ECS_E_PARSE, p->pos, "expected '\"' to begin an object member name, found %s",
                    describe(p, p->pos, d));
    if ((rc = reserve_slots(p, 1)) != ECS_OK || (rc = parse_string(p, &w)) != ECS_OK)
        return rc;
    put(p, w);
    p->stack[p->depth - 1].count++;
    p->pos = skip_ws(p->in, p->pos, p->len);
    if (p->pos >= p->len || p->in[p->pos] != ':')
        return fail(p, ECS_E_PARSE, p->pos, "expected ':' after an object member name, found %s",
                    describe(p, p->pos, d));
    p->pos = skip_ws(p->in, p->pos + 1, p->len);
    return ECS_OK;
}

static ecs_status run(parser *p)
{
    const unsigned char *in = p->in;
    size_t n = p->len;
    ecs_status rc;
    char d[16];

    p->pos = skip_ws(in, p->pos, n);
value:
    if ((rc = parse_value(p)) != ECS_OK)
        return rc;
    if (in[p->pos - 1] == '{' || in[p->pos - 1] == '[') {
        /* just opened a container (a string or number never ends in these) */
        bool is_obj = in[p->pos - 1] == '{';
        p->pos = skip_ws(in, p->pos, n);
        if (p->pos < n && in[p->pos] == (is_obj ? '}' : ']')) {
            p->pos++;
            close_container(p);
        } else if (is_obj) {
            if ((rc = parse_member_name(p)) != ECS_OK)
                return rc;
            goto value;
        } else {
            p->stack[p->depth - 1].count++;
            goto value;
        }
    }
    for (;;) {
        ecs_json_frame *top;
        bool is_obj;
        if (p->depth == 0)
            break;
        p->pos = skip_ws(in, p->pos, n);
        top = &p->stack[p->depth - 1];
        is_obj = top->is_obj;
        if (p->pos < n && in[p->pos] == ',') {
            p->pos = skip_ws(in, p->pos + 1, n);
            if (is_obj) {
                if ((rc = parse_member_name(p)) != ECS_OK)
                    return rc;
            } else {
                top->count++;
            }
            goto value;
        }
        if (p->pos < n && in[p->pos] == (is_obj ? '}' : ']')) {
            p->pos++;
            close_container(p);
            continue;
        }
        return fail(p, ECS_E_PARSE, p->pos,
                    is_obj ? "expected ',' or '}' after an object member, found %s"
                           : "expected ',' or ']' after an array element, found %s",
                    describe(p, p->pos, d));
    }
    p->pos = skip_ws(in, p->pos, n);
    if (p->pos != n && !p->one_value)
        return fail(p, ECS_E_PARSE, p->pos, "unexpected %s after the JSON value",
                    describe(p, p->pos, d));
    return ECS_OK;
}

/* Give back what the finished document does not use, when that is at
 * least an eighth of the block (a smaller gain is not worth a resize, and
 * keeping the block lets a malloc-based allocator reuse it for the next
 * document of the same size). A refused shrink keeps the larger block:
 * that is not an error. */
static void shrink(ecs_ctx *ctx, void **block, size_t *cap, size_t used)
{
    if (used == 0)
        used = 1;
    if (*cap - used >= *cap / 8 && *cap > used) {
        void *s = ctx->alloc.resize(ctx->alloc.user, *block, *cap, used);
        if (s != NULL) {
            *block = s;
            *cap = used;
        }
    }
}

/* A fresh document of data[0..len): both public and lazy parsing. */
static ecs_status parse_doc(ecs_ctx *ctx, const char *data, size_t len, uint32_t max_depth,
                            const char *const *lazy_keys, uint32_t lazy_depth, ecs_json_doc **out)
{
    parser p;
    ecs_json_doc *doc;
    ecs_status rc;
    size_t est, bytes;

    doc = ecs_ctx__alloc(ctx, sizeof *doc);
    if (doc == NULL)
        return ECS_E_NOMEM;
    memset(doc, 0, sizeof *doc);
    doc->ctx = ctx;
    memset(&p, 0, sizeof p);
    p.ctx = ctx;
    p.in = (const unsigned char *)data;
    p.len = len;
    p.doc = doc;
    p.max_depth = max_depth;
    p.lazy_keys = lazy_keys;
    p.lazy_depth = lazy_depth;

    /* Slots: start at one per 32 input bytes and grow by half; starting
     * high would touch (and fault in) memory that a string-heavy document
     * never uses. A lazy parse skips most of its input: start small. */
    est = (lazy_keys != NULL ? len / 1024 : len / 32) + 16;
    rc = ECS_E_NOMEM;
    if (!ecs_ckd_mul_size(&bytes, est, sizeof(ecs_json_val)))
        goto done;
    doc->slots = ecs_ctx__alloc(ctx, bytes);
    if (doc->slots == NULL)
        goto done;
    doc->slots_cap = est;
    /* The pool holds every string of the document, so sized to the input
     * it never grows; a lazy parse leaves most strings in the input: start
     * small and let the pool grow (parse_string). */
    doc->pool_cap = len > 0 ? len : 1;
    if (lazy_keys != NULL && doc->pool_cap > 65536)
        doc->pool_cap = 65536;
    doc->pool = ecs_ctx__alloc(ctx, doc->pool_cap);
    if (doc->pool == NULL)
        goto done;

    rc = run(&p);
done:
    if (p.stack != NULL)
        ecs_ctx__release(ctx, p.stack, p.stack_cap * sizeof(ecs_json_frame));
    if (rc != ECS_OK) {
        ecs_json_doc_free(doc);
        return rc;
    }
    {
        void *blk = doc->slots;
        size_t cap_bytes = doc->slots_cap * sizeof(ecs_json_val);
        shrink(ctx, &blk, &cap_bytes, doc->nslots * sizeof(ecs_json_val));
        doc->slots = blk;
        doc->slots_cap = cap_bytes / sizeof(ecs_json_val);
        blk = doc->pool;
        shrink(ctx, &blk, &doc->pool_cap, doc->pool_len);
        doc->pool = blk;
    }
    *out = doc;
    return ECS_OK;
}

ecs_status ecs_json_parse(ecs_ctx *ctx, const char *data, size_t len,
                          const ecs_json_parse_options *opts, ecs_json_doc **out)
{
    size_t max_bytes;
    uint32_t max_depth;

    if (ctx == NULL)
        return ECS_E_INVALID_ARG;
    if (out == NULL || (data == NULL && len != 0))
        return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG, "ecs_json_parse: %s is NULL",
                             out == NULL ? "out" : "data");
    max_depth = ctx->max_json_depth;
    max_bytes = ctx->max_json_bytes;
    if (opts != NULL) {
        if (opts->struct_size < sizeof(uint32_t))
            return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG,
                                 "ecs_json_parse: opts->struct_size is not set");
        if (opts->struct_size >= offsetof(ecs_json_parse_options, max_depth) + sizeof(uint32_t) &&
            opts->max_depth != 0)
            max_depth = opts->max_depth;
        if (opts->struct_size >= offsetof(ecs_json_parse_options, max_bytes) + sizeof(size_t) &&
            opts->max_bytes != 0) {
            if (opts->max_bytes > ECS_MAX_JSON_BYTES)
                return ecs_ctx__fail(ctx, ECS_E_INVALID_ARG,
                                     "ecs_json_parse: opts->max_bytes %zu exceeds ECS_MAX_JSON_BYTES",
                                     opts->max_bytes);
            max_bytes = opts->max_bytes;
        }
    }
    if (len > max_bytes)
        return ecs_ctx__fail(ctx, ECS_E_LIMIT, "JSON input of %zu bytes exceeds the limit of %zu bytes",
                             len, max_bytes);
    return parse_doc(ctx, data, len, max_depth, NULL, 0, out);
}

ecs_status ecs_json__parse_lazy(ecs_ctx *ctx, const char *data, size_t len, size_t max_bytes,
                                const char *const *keys, uint32_t depth, ecs_json_doc **out)
{
    if (len > max_bytes)
        return ecs_ctx__fail(ctx, ECS_E_LIMIT, "JSON input of %zu bytes exceeds the limit of %zu bytes",
                             len, max_bytes);
    return parse_doc(ctx, data, len, ctx->max_json_depth, keys, depth, out);
}

ecs_status ecs_json__elems_begin(ecs_ctx *ctx, const char *input, const ecs_json_lazy *lz,
                                 ecs_json_elems *it)
{
    ecs_json_doc *doc;
    memset(it, 0, sizeof *it);
    it->ctx = ctx;
    it->in = (const unsigned char *)input;
    it->pos = lz->off + 1;
    it->end = lz->off + lz->len;
    it->max_depth = ctx->max_json_depth;
    it->depth_base = lz->depth;
    doc = ecs_ctx__alloc(ctx, sizeof *doc);
    if (doc == NULL)
        return ECS_E_NOMEM;
    memset(doc, 0, sizeof *doc);
    doc->ctx = ctx;
    it->doc = doc;
    /* The pool grows to the largest element's strings (parse_string). */
    doc->pool_cap = lz->len < 4096 ? lz->len + 1 : 4096;
    doc->pool = ecs_ctx__alloc(ctx, doc->pool_cap);
    doc->slots_cap = 256;
    doc->slots = ecs_ctx__alloc(ctx, doc->slots_cap * sizeof(ecs_json_val));
    if (doc->pool == NULL || doc->slots == NULL)
        return ECS_E_NOMEM;
    return ECS_OK;
}

ecs_status ecs_json__elems_next(ecs_json_elems *it, const ecs_json_doc **doc,
                                const ecs_json_val **out)
{
    parser p;
    ecs_status rc;
    char d[16];
    bool first = it->pos == 0 || it->in[it->pos - 1] == '[';

    *out = NULL;
    *doc = it->doc;
    if (it->done)
        return ECS_OK;
    memset(&p, 0, sizeof p);
    p.ctx = it->ctx;
    p.in = it->in;
    p.len = it->end;
    p.doc = it->doc;
    p.stack = it->stack;
    p.stack_cap = it->stack_cap;
    p.max_depth = it->max_depth;
    p.depth_base = it->depth_base;
    p.one_value = true;
    p.pos = skip_ws(it->in, it->pos, it->end);
    if (first && p.pos + 1 == it->end) {
        it->done = true;            /* [] */
        return ECS_OK;
    }
    it->doc->nslots = 0;
    it->doc->pool_len = 0;
    rc = run(&p);
    it->stack = p.stack;
    it->stack_cap = p.stack_cap;
    if (rc != ECS_OK)
        return rc;
    /* run() left p.pos at the next non-blank byte */
    if (p.pos + 1 == it->end) {
        it->done = true;
    } else if (p.pos < it->end && it->in[p.pos] == ',') {
        it->pos = p.pos + 1;
    } else {
        return fail(&p, ECS_E_PARSE, p.pos, "expected ',' or ']' after an array element, found %s",
                    describe(&p, p.pos, d));
    }
    *out = &it->doc->slots[0];
    return ECS_OK;
}

void ecs_json__elems_end(ecs_json_elems *it)
{
    if (it->stack != NULL)
        ecs_ctx__release(it->ctx, it->stack, it->stack_cap * sizeof(ecs_json_frame));
    ecs_json_doc_free(it->doc);
    memset(it, 0, sizeof *it);
}
