/*
 * ecs-sim --serve: the control plane behind an HTTP/1.1 endpoint that
 * speaks the AWS JSON 1.1 protocol of Amazon ECS, so the AWS CLI and the
 * SDKs can drive it with --endpoint-url.
 */
#ifndef ECS_SIM_SERVE_H
#define ECS_SIM_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#include <ecs/ecs.h>

typedef struct sim_serve_options {
    const char *listen;           /**< "[ADDR:]PORT"; ADDR defaults to 127.0.0.1. */
    bool frozen_time;             /**< Time moves only through AdvanceTime. */
    const char *credentials;      /**< "ACCESS_KEY:SECRET", or NULL. */
    const char *credentials_file; /**< Lines of ACCESS_KEY:SECRET, or NULL. */
    const char *region;           /**< Region signatures must name; NULL: us-east-1. */
} sim_serve_options;

/** The wall clock in milliseconds since the Unix epoch. */
int64_t sim_serve_wall_ms(void);

/**
 * Serve until SIGINT or SIGTERM. Messages go to standard error, beginning
 * with "ecs-sim: listening on ADDR:PORT".
 * @return The exit status: 0 after a signal, 2 when the server cannot start.
 */
int sim_serve_run(const sim_serve_options *opts, ecs_ctx *ctx, ecs_plane *plane);

#endif
