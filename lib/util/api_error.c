/* ECS errors with messages, and JSON paths for those messages. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/api_error.h"

ecs_status ecs_api__fail(ecs_api_error *err, ecs_status status, const char *code,
                         const char *fmt, ...)
{
    va_list ap;
    if (err == NULL)
        return status;
    err->code = code;
    va_start(ap, fmt);
    if (vsnprintf(err->message, sizeof err->message, fmt, ap) < 0)
        err->message[0] = '\0';
    va_end(ap);
    return status;
}

void ecs_path__init(ecs_path *p)
{
    p->buf[0] = '\0';
    p->len = 0;
}

static size_t append(ecs_path *p, const char *s, size_t n)
{
    size_t mark = p->len;
    size_t room = sizeof p->buf - 1 - p->len;
    if (n > room) {
        /* keep the path readable: mark the cut */
        if (room >= 3) {
            memcpy(p->buf + p->len, "...", 3);
            p->len += 3;
        }
    } else {
        memcpy(p->buf + p->len, s, n);
        p->len += n;
    }
    p->buf[p->len] = '\0';
    return mark;
}

size_t ecs_path__key(ecs_path *p, const char *key, size_t key_len)
{
    size_t mark = p->len;
    if (p->len > 0)
        append(p, ".", 1);
    append(p, key, key_len);
    return mark;
}

size_t ecs_path__index(ecs_path *p, size_t index)
{
    /* digits written backwards from the end: no printf on this path, which
     * readers take once per element of a list */
    char tmp[32];
    size_t at = sizeof tmp;
    tmp[--at] = ']';
    do {
        tmp[--at] = (char)('0' + index % 10);
        index /= 10;
    } while (index > 0);
    tmp[--at] = '[';
    return append(p, tmp + at, sizeof tmp - at);
}

void ecs_path__pop(ecs_path *p, size_t mark)
{
    if (mark <= p->len) {
        p->len = mark;
        p->buf[mark] = '\0';
    }
}
