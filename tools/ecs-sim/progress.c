/* ecs-sim's progress line; see progress.h. */
#define _POSIX_C_SOURCE 200809L
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

double progress_clock(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(progress *p, bool enabled)
{
    p->enabled = enabled && isatty(STDERR_FILENO) == 1;
    p->stdout_tty = isatty(STDOUT_FILENO) == 1;
    p->shown = false;
    p->start = progress_clock();
    p->last_draw = 0;
    p->calls = 0;
    /* ECS_SIM_PROGRESS_AFTER: seconds before the line shows (default 1;
     * tests set 0 so that they need not take a second) */
    p->after = 1.0;
    {
        const char *e = getenv("ECS_SIM_PROGRESS_AFTER");
        char *end = NULL;
        double v = e != NULL ? strtod(e, &end) : -1;
        if (e != NULL && end != e && v >= 0 && v <= 3600)
            p->after = v;
    }
}

static void erase(progress *p)
{
    if (p->shown) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->shown = false;
    }
}

void progress_tick(progress *p, int64_t sim_ms)
{
    double now;
    long long s;
    if (!p->enabled)
        return;
    now = progress_clock();
    if (now - p->start < p->after || (p->shown && now - p->last_draw < 0.1))
        return;
    s = (long long)(sim_ms / 1000);
    fprintf(stderr, "\r\033[Kecs-sim: %llu call%s, simulated %02lld:%02lld:%02lld",
            (unsigned long long)p->calls, p->calls == 1 ? "" : "s", s / 3600, s / 60 % 60, s % 60);
    fflush(stderr);
    p->shown = true;
    p->last_draw = now;
}

void progress_call(progress *p, int64_t sim_ms)
{
    p->calls++;
    progress_tick(p, sim_ms);
}

void progress_before_output(progress *p)
{
    if (p->stdout_tty)
        erase(p);
}

void progress_end(progress *p)
{
    erase(p);
}
