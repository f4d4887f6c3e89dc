/*
 * Small helpers of ecs-sim's views (--pretty, --timeline, --cluster-map):
 * a growable text buffer and allocation that ends the program when memory
 * runs out (ecs-sim is a tool, not the library: it may exit).
 */
#ifndef ECS_SIM_TEXTBUF_H
#define ECS_SIM_TEXTBUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#if defined(__GNUC__) || defined(__clang__)
#define TB_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TB_PRINTF(f, a)
#endif

typedef struct textbuf {
    char *p;     /* NUL-terminated once anything was written (else NULL) */
    size_t len;
    size_t cap;
} textbuf;

#define TEXTBUF_INIT { NULL, 0, 0 }

void tb_reset(textbuf *b);
void tb_free(textbuf *b);
void tb_putn(textbuf *b, const char *s, size_t n);
void tb_puts(textbuf *b, const char *s);
void tb_putc(textbuf *b, char c);
void tb_printf(textbuf *b, const char *fmt, ...) TB_PRINTF(2, 3);
/* s with &, <, >, " and ' escaped for XML text and attribute values. */
void tb_xml(textbuf *b, const char *s);
/* The text so far ("" when empty). */
const char *tb_str(const textbuf *b);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Grow *arr (of elements of size `size`) so that it holds at least need. */
void xgrow(void *arr, size_t *cap, size_t need, size_t size);

#endif
