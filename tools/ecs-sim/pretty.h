/*
 * ecs-sim --pretty: the human view. One aligned line per event,
 *
 *   00:01:05  deploy    checkout            ecs-svc/…4431586  checkout:2  ...
 *   TIME      KIND      SUBJECT             DETAIL
 *
 * with the time from the scenario's start, coloured with ANSI escapes when
 * asked (pretty_color_wanted decides: --color=always|never|auto, where auto
 * means standard output is a terminal and NO_COLOR is unset or empty).
 */
#ifndef ECS_SIM_PRETTY_H
#define ECS_SIM_PRETTY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "progress.h"
#include "textbuf.h"

typedef enum pretty_kind {
    PK_CALL,
    PK_ADVANCE,
    PK_ERROR,
    PK_FAILURE,
    PK_INSTANCE,
    PK_PLACE,
    PK_TASK,
    PK_DEPLOY,
    PK_EVENT,
    PK_COMPLETED,
    PK_STEADY,
    PK_BREAKER,
    PK_ALARM,
    PK_ROLLBACK,
    PK_UNPLACED
} pretty_kind;

/* SGR colours used in details. */
#define PC_NONE NULL
#define PC_DIM "2"
#define PC_BOLD "1"
#define PC_RED "31"
#define PC_GREEN "32"
#define PC_YELLOW "33"
#define PC_BLUE "34"
#define PC_MAGENTA "35"
#define PC_CYAN "36"

typedef enum pretty_color_mode { PRETTY_COLOR_AUTO, PRETTY_COLOR_ALWAYS, PRETTY_COLOR_NEVER } pretty_color_mode;

typedef struct pretty {
    FILE *out;
    bool color;
    int64_t start_ms;
    progress *prog;
} pretty;

/* Parse "always", "never" or "auto"; false for anything else. */
bool pretty_parse_color(const char *s, pretty_color_mode *out);
/* Whether to colour standard output: always, never, or auto (a terminal,
 * and NO_COLOR unset or empty, as no-color.org asks). */
bool pretty_color_wanted(pretty_color_mode mode);

/* Append "hh:mm:ss" of ms from the start (negative counts as 0). */
void pretty_clock(textbuf *b, int64_t ms);
/* Append external text (messages, names) with control characters as '?'. */
void pretty_text(textbuf *b, const char *text);
/* Append text in colour `sgr` (when colouring; PC_NONE: plain). */
void pretty_paint(const pretty *p, textbuf *b, const char *sgr, const char *text);
/* One event line at time now_ms, appended to b (newline included). detail
 * may hold colour escapes made with pretty_paint. */
void pretty_format(const pretty *p, textbuf *b, int64_t now_ms, pretty_kind kind, const char *subject,
                   const char *detail);
/* Write formatted lines to the output (the progress line erased first). */
void pretty_write(pretty *p, const char *text, size_t len);
/* Both. */
void pretty_line(pretty *p, int64_t now_ms, pretty_kind kind, const char *subject, const char *detail);

#endif
