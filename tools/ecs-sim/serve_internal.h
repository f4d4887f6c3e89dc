/*
 * What the files of ecs-sim's server share: the server state, one
 * connection, and the request handler's answer.
 */
#ifndef ECS_SIM_SERVE_INTERNAL_H
#define ECS_SIM_SERVE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ecs/ecs.h>

#include "http_parse.h"
#include "serve.h"
#include "sigv4.h"

/* Limits: what one client may hold of the server. */
#define SIM_MAX_HEAD_BYTES ((size_t)16 * 1024)
#define SIM_MAX_BODY_BYTES ((size_t)1024 * 1024)
#define SIM_MAX_CONNECTIONS 256u
#define SIM_IDLE_MS 60000
#define SIM_MAX_SKEW_S 900
#define SIM_MAX_CREDENTIALS 64u

/** The answer to one request, before it is framed. */
typedef struct sim_reply {
    int status;
    const char *body; /**< Borrowed until the next handler call. */
    size_t body_len;
    bool allow_post;  /**< Add "Allow: POST" (405). */
    bool close;       /**< Close the connection after this answer. */
    bool head_only;   /**< HEAD: headers (with the body's length) but no body. */
} sim_reply;

typedef struct sim_server {
    ecs_ctx *ctx;
    ecs_plane *plane;
    ecs_json_writer *w;      /* error documents */
    bool frozen_time;
    int64_t offset_ms;       /* simulated minus wall clock (AdvanceTime) */
    bool auth;               /* signatures required */
    sim_sigv4_config sigv4;
    sim_credential creds[SIM_MAX_CREDENTIALS];
    const char *regions[1];
    char *cred_text;         /* owns the strings of creds */
    size_t cred_len;
    char advance_buf[96];    /* AdvanceTime's response */
} sim_server;

/** Run one complete request and describe the answer. */
void sim_serve_handle(sim_server *srv, const sim_http_request *req, const char *body,
                      size_t body_len, sim_reply *out);

/** An error answer {"__type": code, "message": message}. */
void sim_serve_error(sim_server *srv, int status, const char *code, const char *message,
                     sim_reply *out);

/**
 * Open the listening socket for "[ADDR:]PORT" (ADDR: 127.0.0.1 when absent;
 * an IPv6 address in brackets). Non-blocking.
 * @param shown     Receives "ADDR:PORT" as bound (the port chosen for 0).
 * @param loopback  Receives whether the address is a loopback one.
 * @return The socket, or -1 after a message on standard error.
 */
int sim_serve_listen(const char *spec, char *shown, size_t shown_cap, bool *loopback);

/** Fill srv->creds from --credentials and --credentials-file (and set
 *  srv->auth and srv->sigv4); false after a message on standard error. */
bool sim_serve_load_credentials(sim_server *srv, const sim_serve_options *opts);

/** Say on standard error where the server listens, how time moves, whether
 *  signatures are required, and warn when the address is not loopback. */
void sim_serve_banner(const sim_server *srv, const char *shown, bool loopback);

#endif
