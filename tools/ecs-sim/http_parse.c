/*
 * HTTP/1.1 request heads as RFC 9112 frames them: a request line
 * (method SP request-target SP HTTP-version), header fields (name ":" OWS
 * value OWS), an empty line. Lines end with CRLF; a bare LF is taken as a
 * line end too, a bare CR anywhere else is an error, as are control bytes,
 * whitespace before a field's colon and obsolete line folding (the forms
 * that let two parsers disagree on where a request ends). The body is
 * framed by Content-Length only: a Transfer-Encoding is answered 501, since
 * the AWS SDKs send JSON bodies with a length.
 */
#include "http_parse.h"

#include <string.h>

static bool is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

bool sim_http_eq_nocase(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++) {
        if (lower((unsigned char)a[i]) != (unsigned char)b[i])
            return false;
    }
    return true;
}

size_t sim_http_head_end(const char *buf, size_t len, size_t *scan_from)
{
    size_t i = *scan_from;
    /* An empty line is "\n\n" or "\n\r\n"; resume two bytes back so that a
     * terminator split across reads is still seen. */
    i = i >= 2 ? i - 2 : 0;
    for (; i < len; i++) {
        if (buf[i] != '\n')
            continue;
        if (i + 1 < len && buf[i + 1] == '\n')
            return i + 2;
        if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
            return i + 3;
    }
    *scan_from = len;
    return 0;
}

/* One line of the head starting at *pos: sets [*line, *line_len) without
 * its terminator and moves *pos past it. False on a bare CR, a NUL or
 * another control byte other than HTAB. */
static bool next_line(const char *buf, size_t end, size_t *pos, const char **line,
                      size_t *line_len)
{
    size_t i = *pos;
    *line = buf + i;
    for (; i < end; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c == '\n') {
            *line_len = i - *pos;
            *pos = i + 1;
            return true;
        }
        if (c == '\r') {
            if (i + 1 < end && buf[i + 1] == '\n') {
                *line_len = i - *pos;
                *pos = i + 2;
                return true;
            }
            return false;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return false;
    }
    return false;
}

static int parse_request_line(const char *s, size_t n, sim_http_request *r, const char **why)
{
    size_t i = 0, t0;

    while (i < n && is_tchar((unsigned char)s[i]))
        i++;
    if (i == 0 || i >= n || s[i] != ' ') {
        *why = "malformed request line: expected METHOD SP TARGET SP HTTP/1.1";
        return 400;
    }
    if (i > SIM_HTTP_MAX_METHOD) {
        *why = "method name too long";
        return 400;
    }
    r->method = s;
    r->method_len = i;
    t0 = ++i;
    while (i < n && s[i] != ' ' && s[i] != '\t')
        i++;
    if (i == t0 || i >= n || s[i] != ' ') {
        *why = "malformed request line: expected METHOD SP TARGET SP HTTP/1.1";
        return 400;
    }
    if (i - t0 > SIM_HTTP_MAX_TARGET) {
        *why = "request-target too long";
        return 414;
    }
    r->target = s + t0;
    r->target_len = i - t0;
    i++;
    if (n - i != 8 || memcmp(s + i, "HTTP/", 5) != 0 || s[i + 6] != '.' ||
        s[i + 5] < '0' || s[i + 5] > '9' || s[i + 7] < '0' || s[i + 7] > '9') {
        *why = "malformed request line: expected HTTP/1.1 after the target";
        return 400;
    }
    if (s[i + 5] != '1') {
        *why = "only HTTP/1.0 and HTTP/1.1 are served";
        return 505;
    }
    r->version_minor = (unsigned)(s[i + 7] - '0');
    return 0;
}

/* Split the request-target into path and query. Origin form "/p?q",
 * absolute form "http://authority/p?q", asterisk form "*". */
static int split_target(sim_http_request *r, const char **why)
{
    const char *t = r->target, *end = r->target + r->target_len, *p = t, *q;

    for (const char *c = t; c < end; c++) {
        if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f) {
            *why = "request-target holds a byte outside visible ASCII";
            return 400;
        }
    }
    if (r->target_len == 1 && t[0] == '*') {
        r->path = t;
        r->path_len = 1;
        return 0;
    }
    if (t[0] != '/') {
        size_t slen = 0;
        if (r->target_len >= 7 && sim_http_eq_nocase(t, 7, "http://"))
            slen = 7;
        else if (r->target_len >= 8 && sim_http_eq_nocase(t, 8, "https://"))
            slen = 8;
        if (slen == 0) {
            *why = "request-target must start with '/'";
            return 400;
        }
        p = t + slen;
        while (p < end && *p != '/' && *p != '?')
            p++;
    }
    q = memchr(p, '?', (size_t)(end - p));
    if (p == end || *p == '?') {
        static const char root[] = "/";
        r->path = root;
        r->path_len = 1;
    } else {
        r->path = p;
        r->path_len = (size_t)((q != NULL ? q : end) - p);
    }
    if (q != NULL) {
        r->query = q + 1;
        r->query_len = (size_t)(end - q - 1);
    }
    return 0;
}

static bool parse_length(const char *v, size_t n, uint64_t *out)
{
    uint64_t x = 0;
    if (n == 0 || n > 15)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        x = x * 10u + (uint64_t)(v[i] - '0');
    }
    *out = x;
    return true;
}

/* Each comma-separated token of a Connection value. */
static void connection_tokens(const char *v, size_t n, bool *close, bool *keep)
{
    size_t i = 0;
    while (i < n) {
        size_t a, b;
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        a = i;
        while (i < n && v[i] != ',')
            i++;
        b = i;
        while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t'))
            b--;
        if (sim_http_eq_nocase(v + a, b - a, "close"))
            *close = true;
        else if (sim_http_eq_nocase(v + a, b - a, "keep-alive"))
            *keep = true;
    }
}

static int parse_field(const char *s, size_t n, sim_http_request *r, const char **why)
{
    size_t i = 0, v0, v1;
    sim_http_field *f;

    if (n > 0 && (s[0] == ' ' || s[0] == '\t')) {
        *why = "obsolete line folding is not accepted";
        return 400;
    }
    while (i < n && is_tchar((unsigned char)s[i]))
        i++;
    if (i == 0 || i >= n || s[i] != ':') {
        *why = "malformed header field: expected NAME: VALUE";
        return 400;
    }
    if (r->nfields == SIM_HTTP_MAX_FIELDS) {
        *why = "too many header fields";
        return 431;
    }
    v0 = i + 1;
    while (v0 < n && (s[v0] == ' ' || s[v0] == '\t'))
        v0++;
    v1 = n;
    while (v1 > v0 && (s[v1 - 1] == ' ' || s[v1 - 1] == '\t'))
        v1--;
    f = &r->fields[r->nfields++];
    f->name = s;
    f->name_len = i;
    f->value = s + v0;
    f->value_len = v1 - v0;
    return 0;
}

static int check_fields(sim_http_request *r, const char **why)
{
    bool close = false, keep = false, have_host = false;

    for (size_t k = 0; k < r->nfields; k++) {
        const sim_http_field *f = &r->fields[k];
        if (sim_http_eq_nocase(f->name, f->name_len, "content-length")) {
            uint64_t v;
            if (!parse_length(f->value, f->value_len, &v)) {
                *why = "Content-Length is not a number of bytes";
                return 400;
            }
            if (r->has_content_length && v != r->content_length) {
                *why = "conflicting Content-Length fields";
                return 400;
            }
            r->content_length = v;
            r->has_content_length = true;
        } else if (sim_http_eq_nocase(f->name, f->name_len, "transfer-encoding")) {
            *why = "Transfer-Encoding is not supported: send Content-Length";
            return 501;
        } else if (sim_http_eq_nocase(f->name, f->name_len, "connection")) {
            connection_tokens(f->value, f->value_len, &close, &keep);
        } else if (sim_http_eq_nocase(f->name, f->name_len, "host")) {
            if (have_host) {
                *why = "more than one Host field";
                return 400;
            }
            have_host = true;
        } else if (sim_http_eq_nocase(f->name, f->name_len, "expect")) {
            if (!sim_http_eq_nocase(f->value, f->value_len, "100-continue")) {
                *why = "the only expectation served is 100-continue";
                return 417;
            }
            r->expect_continue = true;
        }
    }
    if (r->version_minor >= 1 && !have_host) {
        *why = "an HTTP/1.1 request needs a Host field";
        return 400;
    }
    r->keep_alive = r->version_minor >= 1 ? !close : (keep && !close);
    return 0;
}

int sim_http_parse_head(const char *buf, size_t head_len, sim_http_request *out, const char **why)
{
    size_t pos = 0;
    const char *line;
    size_t line_len;
    int st;

    memset(out, 0, sizeof *out);
    *why = "";
    if (!next_line(buf, head_len, &pos, &line, &line_len)) {
        *why = "request line holds a control byte or a bare CR";
        return 400;
    }
    if ((st = parse_request_line(line, line_len, out, why)) != 0 ||
        (st = split_target(out, why)) != 0)
        return st;
    for (;;) {
        if (!next_line(buf, head_len, &pos, &line, &line_len)) {
            *why = "header field holds a control byte or a bare CR, or the head is cut short";
            return 400;
        }
        if (line_len == 0)
            break;
        if ((st = parse_field(line, line_len, out, why)) != 0)
            return st;
    }
    if (pos != head_len) {
        *why = "bytes after the end of the header section";
        return 400;
    }
    return check_fields(out, why);
}

const sim_http_field *sim_http_field_get(const sim_http_request *req, const char *name)
{
    for (size_t i = 0; i < req->nfields; i++) {
        if (sim_http_eq_nocase(req->fields[i].name, req->fields[i].name_len, name))
            return &req->fields[i];
    }
    return NULL;
}

size_t sim_http_field_count(const sim_http_request *req, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < req->nfields; i++) {
        if (sim_http_eq_nocase(req->fields[i].name, req->fields[i].name_len, name))
            n++;
    }
    return n;
}

const char *sim_http_reason(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}
