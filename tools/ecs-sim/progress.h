/*
 * ecs-sim's progress line: when standard error is a terminal and a run has
 * taken more than a second, one line on standard error (calls processed,
 * simulated time) that is redrawn in place at most ten times a second and
 * erased at the end. Never anything when standard error is not a terminal.
 */
#ifndef ECS_SIM_PROGRESS_H
#define ECS_SIM_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct progress {
    bool enabled;      /* standard error is a terminal */
    bool stdout_tty;   /* standard output is one too: erase before output */
    bool shown;        /* a line is on the screen */
    double start;      /* monotonic seconds at progress_init */
    double last_draw;
    double after;        /* seconds before the line shows (1, or ECS_SIM_PROGRESS_AFTER) */
    uint64_t calls;
} progress;

/* Monotonic seconds. */
double progress_clock(void);
/* enabled: false turns progress off whatever the terminals (--serve). */
void progress_init(progress *p, bool enabled);
/* One call done (counts it), clock at sim_ms from the start: maybe redraw. */
void progress_call(progress *p, int64_t sim_ms);
/* During a long call (an AdvanceTime in steps): maybe redraw. */
void progress_tick(progress *p, int64_t sim_ms);
/* Erase the line before something is written to standard output. */
void progress_before_output(progress *p);
/* Erase the line for good. */
void progress_end(progress *p);

#endif
