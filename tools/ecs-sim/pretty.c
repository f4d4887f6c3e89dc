/* ecs-sim --pretty: line layout and colour rules; see pretty.h. */
#define _POSIX_C_SOURCE 200809L
#include "pretty.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define KIND_WIDTH 10    /* "completed" and a space */
#define SUBJECT_WIDTH 20

bool pretty_parse_color(const char *s, pretty_color_mode *out)
{
    if (strcmp(s, "auto") == 0)
        *out = PRETTY_COLOR_AUTO;
    else if (strcmp(s, "always") == 0)
        *out = PRETTY_COLOR_ALWAYS;
    else if (strcmp(s, "never") == 0)
        *out = PRETTY_COLOR_NEVER;
    else
        return false;
    return true;
}

bool pretty_color_wanted(pretty_color_mode mode)
{
    const char *nc;
    switch (mode) {
    case PRETTY_COLOR_ALWAYS:
        return true;
    case PRETTY_COLOR_NEVER:
        return false;
    case PRETTY_COLOR_AUTO:
        break;
    }
    nc = getenv("NO_COLOR");
    if (nc != NULL && nc[0] != '\0')
        return false;
    return isatty(STDOUT_FILENO) == 1;
}

void pretty_clock(textbuf *b, int64_t ms)
{
    long long s = ms > 0 ? (long long)(ms / 1000) : 0;
    tb_printf(b, "%02lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
}

void pretty_text(textbuf *b, const char *text)
{
    for (; *text != '\0'; text++)
        tb_putc(b, (unsigned char)*text < 0x20 || *text == 0x7f ? '?' : *text);
}

void pretty_paint(const pretty *p, textbuf *b, const char *sgr, const char *text)
{
    if (p->color && sgr != NULL) {
        tb_printf(b, "\033[%sm", sgr);
        pretty_text(b, text);
        tb_puts(b, "\033[0m");
    } else {
        pretty_text(b, text);
    }
}

static const char *kind_name(pretty_kind k)
{
    switch (k) {
    case PK_CALL: return "call";
    case PK_ADVANCE: return "advance";
    case PK_ERROR: return "error";
    case PK_FAILURE: return "failure";
    case PK_INSTANCE: return "instance";
    case PK_PLACE: return "place";
    case PK_TASK: return "task";
    case PK_DEPLOY: return "deploy";
    case PK_EVENT: return "event";
    case PK_COMPLETED: return "completed";
    case PK_STEADY: return "steady";
    case PK_BREAKER: return "breaker";
    case PK_ALARM: return "alarm";
    case PK_ROLLBACK: return "rollback";
    case PK_UNPLACED: return "unplaced";
    }
    return "?";
}

static const char *kind_color(pretty_kind k)
{
    switch (k) {
    case PK_CALL: return PC_CYAN;
    case PK_ADVANCE: return "1;36";
    case PK_ERROR: return "1;31";
    case PK_FAILURE: return PC_RED;
    case PK_INSTANCE: return PC_BLUE;
    case PK_PLACE: return PC_BLUE;
    case PK_TASK: return PC_NONE;
    case PK_DEPLOY: return PC_MAGENTA;
    case PK_EVENT: return PC_NONE;
    case PK_COMPLETED: return "1;32";
    case PK_STEADY: return PC_GREEN;
    case PK_BREAKER: return "1;31";
    case PK_ALARM: return "1;31";
    case PK_ROLLBACK: return "1;33";
    case PK_UNPLACED: return PC_YELLOW;
    }
    return PC_NONE;
}

static void pad(textbuf *b, size_t used, size_t width)
{
    do
        tb_putc(b, ' ');
    while (++used < width);
}

void pretty_format(const pretty *p, textbuf *b, int64_t now_ms, pretty_kind kind, const char *subject,
                   const char *detail)
{
    textbuf t = TEXTBUF_INIT;
    const char *kn = kind_name(kind);
    pretty_clock(&t, now_ms - p->start_ms);
    pretty_paint(p, b, PC_DIM, tb_str(&t));
    tb_puts(b, "  ");
    pretty_paint(p, b, kind_color(kind), kn);
    pad(b, strlen(kn), KIND_WIDTH);
    pretty_paint(p, b, PC_BOLD, subject);
    if (detail != NULL && detail[0] != '\0') {
        pad(b, strlen(subject), SUBJECT_WIDTH);
        tb_puts(b, detail);
    }
    tb_putc(b, '\n');
    tb_free(&t);
}

void pretty_write(pretty *p, const char *text, size_t len)
{
    if (p->prog != NULL)
        progress_before_output(p->prog);
    fwrite(text, 1, len, p->out);
}

void pretty_line(pretty *p, int64_t now_ms, pretty_kind kind, const char *subject, const char *detail)
{
    textbuf b = TEXTBUF_INIT;
    pretty_format(p, &b, now_ms, kind, subject, detail);
    pretty_write(p, b.p, b.len);
    tb_free(&b);
}
