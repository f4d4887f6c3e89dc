/* Helpers of ecs-sim's views; see textbuf.h. */
#include "textbuf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void oom(void)
{
    fputs("ecs-sim: out of memory\n", stderr);
    exit(1);
}

void *xmalloc(size_t n)
{
    void *p = malloc(n != 0 ? n : 1);
    if (p == NULL)
        oom();
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n != 0 ? n : 1, size != 0 ? size : 1);
    if (p == NULL)
        oom();
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n != 0 ? n : 1);
    if (q == NULL)
        oom();
    return q;
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

void xgrow(void *arr, size_t *cap, size_t need, size_t size)
{
    void **pp = (void **)arr;
    size_t c = *cap;
    if (need <= c)
        return;
    if (c < 8)
        c = 8;
    while (c < need) {
        if (c > SIZE_MAX / 2 / size)
            oom();
        c *= 2;
    }
    *pp = xrealloc(*pp, c * size);
    *cap = c;
}

void tb_reset(textbuf *b)
{
    b->len = 0;
    if (b->p != NULL)
        b->p[0] = '\0';
}

void tb_free(textbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void tb_putn(textbuf *b, const char *s, size_t n)
{
    xgrow(&b->p, &b->cap, b->len + n + 1, 1);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void tb_puts(textbuf *b, const char *s)
{
    tb_putn(b, s, strlen(s));
}

void tb_putc(textbuf *b, char c)
{
    tb_putn(b, &c, 1);
}

void tb_printf(textbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    xgrow(&b->p, &b->cap, b->len + (size_t)n + 1, 1);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void tb_xml(textbuf *b, const char *s)
{
    for (; *s != '\0'; s++) {
        switch (*s) {
        case '&': tb_puts(b, "&amp;"); break;
        case '<': tb_puts(b, "&lt;"); break;
        case '>': tb_puts(b, "&gt;"); break;
        case '"': tb_puts(b, "&quot;"); break;
        case '\'': tb_puts(b, "&apos;"); break;
        default:
            /* control characters other than tab and newline are not XML */
            if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
                tb_putc(b, '?');
            else
                tb_putc(b, *s);
        }
    }
}

const char *tb_str(const textbuf *b)
{
    return b->p != NULL ? b->p : "";
}
