/*
 * The canonical request of AWS Signature Version 4, rebuilt from a parsed
 * request: METHOD, canonical URI, canonical query, the signed headers as
 * "name:value" lines (values trimmed, inner runs of whitespace made one
 * space, repeats joined with ','), a blank line, the signed header list and
 * the hex SHA-256 of the body. The URI is the path as sent with dot segments
 * removed, percent-encoded once more (services other than S3 encode twice);
 * the query's names and values are decoded, encoded again and sorted.
 */
#include "sigv4.h"

#include <stdlib.h>
#include <string.h>

#define MAX_QUERY_PARAMS 64u

typedef struct buf {
    char *p;
    size_t len, cap;
    bool failed;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (b->cap - b->len < n) {
        size_t cap = b->cap ? b->cap : 256;
        char *np;
        while (cap - b->len < n) {
            if (cap > ((size_t)1 << 28)) {
                b->failed = true;
                return;
            }
            cap *= 2;
        }
        np = realloc(b->p, cap);
        if (np == NULL) {
            b->failed = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void puts_(buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static bool unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

static void put_encoded(buf *b, const char *s, size_t n, bool keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (unreserved(c) || (keep_slash && c == '/')) {
            put(b, (const char *)&s[i], 1);
        } else {
            char e[3] = { '%', hex[c >> 4], hex[c & 15u] };
            put(b, e, 3);
        }
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decode s into out (which has room for n bytes); '+' stays '+'. */
static size_t pct_decode(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int h, l;
        if (s[i] == '%' && i + 2 < n && (h = hexval(s[i + 1])) >= 0 &&
            (l = hexval(s[i + 2])) >= 0) {
            out[o++] = (char)(h * 16 + l);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    return o;
}

/* The path with "." and ".." segments removed (empty segments kept). */
static void put_canonical_uri(buf *b, const char *path, size_t n)
{
    size_t starts[256], lens[256], k = 0, i = 0;
    bool lead = n > 0 && path[0] == '/', trail = false;

    if (n == 0 || (n == 1 && path[0] == '/') || (n == 1 && path[0] == '*')) {
        put(b, "/", 1);
        return;
    }
    while (i <= n) {
        size_t a = i;
        while (i < n && path[i] != '/')
            i++;
        if (!(a == 0 && lead)) {
            size_t l = i - a;
            trail = false;
            if (l == 1 && path[a] == '.') {
                trail = true;
            } else if (l == 2 && path[a] == '.' && path[a + 1] == '.') {
                if (k > 0)
                    k--;
                trail = true;
            } else if (k < 256) {
                starts[k] = a;
                lens[k] = l;
                k++;
            }
        }
        i++;
    }
    for (size_t s = 0; s < k; s++) {
        put(b, "/", 1);
        put_encoded(b, path + starts[s], lens[s], false);
    }
    if (k == 0 || trail)
        put(b, "/", 1);
}

typedef struct qparam {
    size_t koff, klen, voff, vlen; /* offsets into the encoded text */
} qparam;

static int cmp_bytes(const char *x, size_t xl, const char *y, size_t yl)
{
    int c = memcmp(x, y, xl < yl ? xl : yl);
    if (c != 0)
        return c;
    return xl == yl ? 0 : (xl < yl ? -1 : 1);
}

/* Insertion sort by name then value: at most MAX_QUERY_PARAMS items, and no
 * qsort context pointer in C11. */
static void sort_params(qparam *ps, size_t np, const char *text)
{
    for (size_t i = 1; i < np; i++) {
        qparam x = ps[i];
        size_t j = i;
        while (j > 0) {
            const qparam *y = &ps[j - 1];
            int c = cmp_bytes(text + y->koff, y->klen, text + x.koff, x.klen);
            if (c == 0)
                c = cmp_bytes(text + y->voff, y->vlen, text + x.voff, x.vlen);
            if (c <= 0)
                break;
            ps[j] = ps[j - 1];
            j--;
        }
        ps[j] = x;
    }
}

/* Each name and value decoded then encoded again, sorted. */
static bool put_canonical_query(buf *b, const char *q, size_t n)
{
    qparam ps[MAX_QUERY_PARAMS];
    size_t np = 0, i = 0;
    char *scratch;
    buf enc = { NULL, 0, 0, false };

    if (q == NULL || n == 0)
        return true;
    scratch = malloc(n);
    if (scratch == NULL)
        return false;
    while (i < n) {
        size_t a = i, eq, dl;
        while (i < n && q[i] != '&')
            i++;
        if (i == a) {
            i++;
            continue;
        }
        if (np == MAX_QUERY_PARAMS) {
            enc.failed = true;
            break;
        }
        eq = a;
        while (eq < i && q[eq] != '=')
            eq++;
        ps[np].koff = enc.len;
        dl = pct_decode(q + a, eq - a, scratch);
        put_encoded(&enc, scratch, dl, false);
        ps[np].klen = enc.len - ps[np].koff;
        ps[np].voff = enc.len;
        if (eq < i) {
            dl = pct_decode(q + eq + 1, i - eq - 1, scratch);
            put_encoded(&enc, scratch, dl, false);
        }
        ps[np].vlen = enc.len - ps[np].voff;
        np++;
        i++;
    }
    free(scratch);
    if (enc.failed) {
        free(enc.p);
        return false;
    }
    sort_params(ps, np, enc.p);
    for (size_t k = 0; k < np; k++) {
        if (k > 0)
            put(b, "&", 1);
        put(b, enc.p + ps[k].koff, ps[k].klen);
        put(b, "=", 1);
        put(b, enc.p + ps[k].voff, ps[k].vlen);
    }
    free(enc.p);
    return true;
}

/* A header value trimmed, with runs of spaces and tabs made one space. */
static void put_header_value(buf *b, const char *v, size_t n)
{
    bool space = false;
    for (size_t i = 0; i < n; i++) {
        if (v[i] == ' ' || v[i] == '\t') {
            space = true;
            continue;
        }
        if (space)
            put(b, " ", 1);
        space = false;
        put(b, &v[i], 1);
    }
}

static bool valid_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
           c == '.';
}

char *sim_sigv4_canonical_request(const sim_http_request *req, const char *signed_headers,
                                  size_t signed_len, const char *payload_hex, size_t *out_len)
{
    buf b = { NULL, 0, 0, false };
    size_t i = 0;
    const char *prev = NULL;
    size_t prev_len = 0;

    put(&b, req->method, req->method_len);
    put(&b, "\n", 1);
    put_canonical_uri(&b, req->path, req->path_len);
    put(&b, "\n", 1);
    if (!put_canonical_query(&b, req->query, req->query_len))
        goto fail;
    put(&b, "\n", 1);
    if (signed_len == 0)
        goto fail;
    while (i <= signed_len) {
        size_t a = i, n, found = 0;
        int c;
        while (i < signed_len && signed_headers[i] != ';')
            i++;
        n = i - a;
        if (n == 0)
            goto fail;
        for (size_t k = a; k < i; k++) {
            if (!valid_name_char(signed_headers[k]))
                goto fail;
        }
        if (prev != NULL) {
            c = memcmp(prev, signed_headers + a, prev_len < n ? prev_len : n);
            if (c > 0 || (c == 0 && prev_len >= n))
                goto fail; /* not strictly ascending */
        }
        prev = signed_headers + a;
        prev_len = n;
        put(&b, signed_headers + a, n);
        put(&b, ":", 1);
        for (size_t f = 0; f < req->nfields; f++) {
            const sim_http_field *fl = &req->fields[f];
            bool same = fl->name_len == n;
            for (size_t k = 0; same && k < n; k++) {
                char x = fl->name[k];
                if (x >= 'A' && x <= 'Z')
                    x = (char)(x + 32);
                same = x == signed_headers[a + k];
            }
            if (!same)
                continue;
            if (found++ > 0)
                put(&b, ",", 1);
            put_header_value(&b, fl->value, fl->value_len);
        }
        if (found == 0)
            goto fail;
        put(&b, "\n", 1);
        i++;
    }
    put(&b, "\n", 1);
    put(&b, signed_headers, signed_len);
    put(&b, "\n", 1);
    puts_(&b, payload_hex);
    put(&b, "", 1); /* NUL, not counted */
    if (b.failed)
        goto fail;
    *out_len = b.len - 1;
    return b.p;
fail:
    free(b.p);
    return NULL;
}
