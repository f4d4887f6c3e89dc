/*
 * The event loop of ecs-sim's server: one thread around poll(), POSIX
 * sockets only. Every socket is non-blocking; each connection has its own
 * input and output buffers, so a slow or hostile client costs the others
 * nothing but its bounded share:
 *   - a request head may hold SIM_MAX_HEAD_BYTES, a body SIM_MAX_BODY_BYTES
 *     (431 and 413 beyond, then the connection closes);
 *   - at most SIM_MAX_CONNECTIONS connections; one more is answered 503
 *     and closed at once;
 *   - a connection idle for SIM_IDLE_MS, or a request still incomplete
 *     after that long, is closed (with 408 when a request was begun);
 *   - each connection runs at most a few requests per turn of the loop,
 *     and one that does not read its answers stops being read.
 * Requests on a connection are answered in order (keep-alive, pipelining).
 * A request that cannot be framed is answered, then the connection is
 * half-closed and drained briefly so that the answer is not lost to a reset.
 */
#define _POSIX_C_SOURCE 200809L
#include "serve_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define REQUESTS_PER_TURN 8
#define OUT_HIGH_WATER ((size_t)1024 * 1024)
#define READ_CHUNK ((size_t)16 * 1024)
#define READS_PER_TURN 4
#define DRAIN_MS 2000
#define DRAIN_BYTES ((size_t)1024 * 1024)
#define MAX_LEADING_BLANKS 8

typedef struct conn {
    int fd;
    char *in;
    size_t in_len, in_cap;
    size_t scan;          /* sim_http_head_end's resume point */
    size_t head_len;      /* 0 until the head of the current request is in */
    size_t body_len;      /* its Content-Length */
    bool continue_sent;
    char *out;
    size_t out_len, out_off, out_cap;
    bool close_after;     /* close once out is flushed */
    bool peer_closed;     /* the client sent EOF */
    bool draining;        /* write side shut, reading to discard */
    bool dead;
    size_t drained;
    int64_t last_ms;      /* last progress (monotonic) */
    int64_t req_start_ms; /* first byte of the current request, 0: none */
    int64_t drain_until_ms;
} conn;

typedef struct loop {
    sim_server *srv;
    int lfd;
    conn *conns[SIM_MAX_CONNECTIONS];
    size_t nconns;
    struct pollfd pfds[SIM_MAX_CONNECTIONS + 1];
    uint64_t request_seq;
    uint64_t id_seed;
    int64_t accept_pause_until; /* out of descriptors: stop accepting briefly */
} loop;

/* Set by SIGINT and SIGTERM; the only thing the handler touches. */
static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
    (void)sig;
    g_stop = 1;
}

int64_t sim_serve_wall_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000 + (int64_t)(ts.tv_nsec / 1000000);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (int64_t)ts.tv_sec * 1000 + (int64_t)(ts.tv_nsec / 1000000);
}

/* ---------------------------------------------------------------------- */
/* Buffers                                                                  */

static bool reserve(char **p, size_t *cap, size_t need)
{
    size_t c = *cap ? *cap : 4096;
    char *np;
    if (need <= *cap)
        return true;
    while (c < need)
        c *= 2;
    np = realloc(*p, c);
    if (np == NULL)
        return false;
    *p = np;
    *cap = c;
    return true;
}

static void out_put(conn *c, const char *s, size_t n)
{
    if (c->dead)
        return;
    if (c->out_off > 0 && c->out_off == c->out_len)
        c->out_off = c->out_len = 0;
    if (!reserve(&c->out, &c->out_cap, c->out_len + n)) {
        c->dead = true; /* cannot answer: drop this client, not the server */
        return;
    }
    memcpy(c->out + c->out_len, s, n);
    c->out_len += n;
}

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

/* Frame an answer: status line, x-amzn-RequestId, Date, length, body. */
static void put_reply(loop *lp, conn *c, const sim_reply *r)
{
    char head[512], date[64];
    uint64_t a = mix64(lp->id_seed ^ ++lp->request_seq), b = mix64(a);
    time_t now = (time_t)(sim_serve_wall_ms() / 1000);
    struct tm tm;
    int n;

    if (gmtime_r(&now, &tm) == NULL || strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT",
                                                &tm) == 0)
        date[0] = '\0';
    n = snprintf(head, sizeof head,
                 "HTTP/1.1 %d %s\r\n"
                 "x-amzn-RequestId: %08x-%04x-4%03x-%04x-%012llx\r\n"
                 "Date: %s\r\n"
                 "Content-Type: application/x-amz-json-1.1\r\n"
                 "Content-Length: %zu\r\n"
                 "%s%s\r\n",
                 r->status, sim_http_reason(r->status), (unsigned)(a >> 32),
                 (unsigned)(a >> 16) & 0xffffu, (unsigned)a & 0xfffu,
                 (unsigned)(0x8000u | ((b >> 48) & 0x3fffu)),
                 (unsigned long long)(b & 0xffffffffffffull), date, r->body_len,
                 r->allow_post ? "Allow: POST\r\n" : "",
                 r->close ? "Connection: close\r\n" : "");
    if (n < 0 || (size_t)n >= sizeof head) {
        c->dead = true;
        return;
    }
    out_put(c, head, (size_t)n);
    if (!r->head_only)
        out_put(c, r->body, r->body_len);
    if (r->close)
        c->close_after = true;
}

static void reply_error(loop *lp, conn *c, int status, const char *code, const char *msg,
                        bool close)
{
    sim_reply r;
    sim_serve_error(lp->srv, status, code, msg, &r);
    r.close = close;
    put_reply(lp, c, &r);
}

/* ---------------------------------------------------------------------- */
/* Requests                                                                 */

static void consume(conn *c, size_t n)
{
    memmove(c->in, c->in + n, c->in_len - n);
    c->in_len -= n;
    c->scan = 0;
    c->head_len = 0;
    c->body_len = 0;
    c->continue_sent = false;
}

static const char *framing_code(int status)
{
    switch (status) {
    case 413: return "RequestEntityTooLargeException";
    case 431: return "RequestHeaderFieldsTooLargeException";
    case 501: return "NotImplementedException";
    case 505: return "HttpVersionNotSupportedException";
    default: return "BadRequestException";
    }
}

/* Run what the input buffer holds, a few requests at most. Returns true
 * when a complete request is still waiting (more work without new bytes). */
static bool process(loop *lp, conn *c, int64_t now)
{
    for (int k = 0; k < REQUESTS_PER_TURN; k++) {
        sim_http_request req;
        const char *why;
        int st;

        if (c->close_after || c->dead || c->out_len - c->out_off > OUT_HIGH_WATER)
            return false;
        if (c->head_len == 0) {
            size_t skip = 0, end, lim;
            while (skip < c->in_len && skip < MAX_LEADING_BLANKS &&
                   (c->in[skip] == '\r' || c->in[skip] == '\n'))
                skip++;
            if (skip > 0)
                consume(c, skip);
            if (c->in_len == 0) {
                c->req_start_ms = 0;
                return false;
            }
            if (c->req_start_ms == 0)
                c->req_start_ms = now;
            lim = c->in_len < SIM_MAX_HEAD_BYTES ? c->in_len : SIM_MAX_HEAD_BYTES;
            end = sim_http_head_end(c->in, lim, &c->scan);
            if (end == 0) {
                if (c->in_len >= SIM_MAX_HEAD_BYTES)
                    reply_error(lp, c, 431, framing_code(431),
                                "the request line and header fields exceed 16384 bytes", true);
                return false;
            }
            st = sim_http_parse_head(c->in, end, &req, &why);
            if (st == 0 && req.content_length > SIM_MAX_BODY_BYTES) {
                st = 413;
                why = "the request body exceeds 1048576 bytes";
            }
            if (st != 0) {
                reply_error(lp, c, st, framing_code(st), why, true);
                return false;
            }
            c->head_len = end;
            c->body_len = (size_t)req.content_length;
            if (req.expect_continue && c->in_len == end && c->body_len > 0) {
                static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
                out_put(c, cont, sizeof cont - 1);
                c->continue_sent = true;
            }
        }
        if (c->in_len < c->head_len + c->body_len)
            return false;
        /* Parsed again: the buffer may have moved since the head came in. */
        st = sim_http_parse_head(c->in, c->head_len, &req, &why);
        if (st != 0) {
            reply_error(lp, c, st, framing_code(st), why, true);
            return false;
        }
        {
            sim_reply r;
            sim_serve_handle(lp->srv, &req, c->in + c->head_len, c->body_len, &r);
            r.close = r.close || !req.keep_alive;
            r.head_only = sim_http_eq_nocase(req.method, req.method_len, "head");
            put_reply(lp, c, &r);
        }
        consume(c, c->head_len + c->body_len);
        c->req_start_ms = c->in_len > 0 ? now : 0;
    }
    return c->in_len > 0 && !c->close_after;
}

/* ---------------------------------------------------------------------- */
/* Socket I/O                                                               */

static bool transient(int e)
{
#if EAGAIN != EWOULDBLOCK
    if (e == EWOULDBLOCK)
        return true;
#endif
    return e == EAGAIN || e == EINTR;
}

static void do_read(conn *c, int64_t now)
{
    for (int i = 0; i < READS_PER_TURN; i++) {
        ssize_t n;
        size_t room;
        char scratch[4096];

        if (c->draining) {
            n = recv(c->fd, scratch, sizeof scratch, 0);
            if (n > 0) {
                c->drained += (size_t)n;
                if (c->drained > DRAIN_BYTES)
                    c->dead = true;
                continue;
            }
            if (n == 0 || !transient(errno))
                c->dead = true;
            return;
        }
        if (c->close_after || c->peer_closed)
            return;
        if (c->in_len >= SIM_MAX_HEAD_BYTES + SIM_MAX_BODY_BYTES)
            return;
        if (!reserve(&c->in, &c->in_cap, c->in_len + READ_CHUNK)) {
            c->dead = true;
            return;
        }
        room = c->in_cap - c->in_len;
        if (room > SIM_MAX_HEAD_BYTES + SIM_MAX_BODY_BYTES - c->in_len)
            room = SIM_MAX_HEAD_BYTES + SIM_MAX_BODY_BYTES - c->in_len;
        n = recv(c->fd, c->in + c->in_len, room, 0);
        if (n > 0) {
            c->in_len += (size_t)n;
            c->last_ms = now;
            continue;
        }
        if (n == 0) {
            /* The client is gone or half-closed: what it sent in full is
             * still answered; a request cut short never will be. */
            c->peer_closed = true;
            return;
        }
        if (!transient(errno))
            c->dead = true;
        return;
    }
}

static void do_write(conn *c, int64_t now)
{
    while (!c->dead && c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n > 0) {
            c->out_off += (size_t)n;
            c->last_ms = now;
            continue;
        }
        if (n < 0 && transient(errno))
            return;
        c->dead = true;
        return;
    }
    if (c->out_off == c->out_len) {
        c->out_off = c->out_len = 0;
        if (c->close_after && !c->draining && !c->dead) {
            /* Half-close, then read what the client still sends for a
             * moment, so that unread input does not turn into a reset
             * that destroys the answer in flight. */
            shutdown(c->fd, SHUT_WR);
            c->draining = true;
            c->drain_until_ms = now + DRAIN_MS;
        }
    }
}

static void conn_free(conn *c)
{
    if (c == NULL)
        return;
    close(c->fd);
    free(c->in);
    free(c->out);
    free(c);
}

static bool set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL, 0);
    return fl >= 0 && fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0;
}

static void accept_all(loop *lp, int64_t now)
{
    for (int i = 0; i < 64; i++) {
        int one = 1;
        int fd = accept(lp->lfd, NULL, NULL);
        conn *c;
        if (fd < 0) {
            /* Out of descriptors: the pending connection stays queued and the
             * listening socket stays readable; wait instead of spinning. */
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                lp->accept_pause_until = now + 100;
            return; /* EAGAIN, or a connection that died in the queue */
        }
        if (!set_nonblocking(fd)) {
            close(fd);
            continue;
        }
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (lp->nconns == SIM_MAX_CONNECTIONS) {
            conn tmp;
            sim_reply r;
            memset(&tmp, 0, sizeof tmp);
            tmp.fd = fd;
            sim_serve_error(lp->srv, 503, "ServiceUnavailableException",
                            "too many connections: ecs-sim serves 256 at once; retry later", &r);
            r.close = true;
            put_reply(lp, &tmp, &r);
            if (!tmp.dead)
                (void)send(fd, tmp.out, tmp.out_len, MSG_NOSIGNAL);
            free(tmp.out);
            close(fd);
            continue;
        }
        c = calloc(1, sizeof *c);
        if (c == NULL) {
            close(fd);
            continue;
        }
        c->fd = fd;
        c->last_ms = now;
        lp->conns[lp->nconns++] = c;
    }
}

/* Idle and slow clients; returns the next deadline's distance in ms. */
static int64_t check_timeouts(loop *lp, conn *c, int64_t now)
{
    int64_t limit;
    if (c->draining) {
        if (now >= c->drain_until_ms)
            c->dead = true;
        return c->drain_until_ms - now;
    }
    limit = c->last_ms + SIM_IDLE_MS;
    if (c->req_start_ms != 0 && c->req_start_ms + SIM_IDLE_MS < limit)
        limit = c->req_start_ms + SIM_IDLE_MS;
    if (now < limit)
        return limit - now;
    if (c->req_start_ms != 0 && !c->close_after && c->out_len == c->out_off) {
        reply_error(lp, c, 408, "RequestTimeoutException",
                    "the request did not arrive in full within 60 seconds", true);
        c->last_ms = now;
        do_write(c, now);
        return 100;
    }
    c->dead = true;
    return 0;
}

/* ---------------------------------------------------------------------- */
/* The loop                                                                 */

static short wanted_events(const conn *c)
{
    short ev = 0;
    if (c->draining)
        return POLLIN;
    if (!c->close_after && !c->peer_closed && c->out_len - c->out_off <= OUT_HIGH_WATER &&
        c->in_len < SIM_MAX_HEAD_BYTES + SIM_MAX_BODY_BYTES)
        ev |= POLLIN;
    if (c->out_off < c->out_len)
        ev |= POLLOUT;
    return ev;
}

/* One turn for one connection after poll() said something (or not). */
static bool service(loop *lp, conn *c, short revents, int64_t now, int64_t *next_ms)
{
    bool more = false;
    int64_t d;

    if (revents & POLLNVAL)
        c->dead = true;
    if (!c->dead && (revents & (POLLIN | POLLHUP | POLLERR)))
        do_read(c, now);
    if (!c->dead && !c->draining) {
        more = process(lp, c, now);
        if (c->peer_closed && !more)
            c->close_after = true; /* answered all that came in full */
    }
    if (!c->dead)
        do_write(c, now);
    if (!c->dead) {
        d = check_timeouts(lp, c, now);
        if (d < *next_ms)
            *next_ms = d;
    }
    return more && !c->dead;
}

static void remove_dead(loop *lp)
{
    size_t j = 0;
    for (size_t i = 0; i < lp->nconns; i++) {
        if (lp->conns[i]->dead)
            conn_free(lp->conns[i]);
        else
            lp->conns[j++] = lp->conns[i];
    }
    lp->nconns = j;
}

static void run_loop(loop *lp)
{
    bool work_pending = false;
    int64_t next_ms = 1000;

    while (!g_stop) {
        size_t nf = 0, old_n = lp->nconns;
        int timeout, n;
        int64_t now;

        lp->pfds[nf].fd = lp->lfd;
        lp->pfds[nf].events = mono_ms() >= lp->accept_pause_until ? POLLIN : 0;
        lp->pfds[nf++].revents = 0;
        for (size_t i = 0; i < old_n; i++) {
            lp->pfds[nf].fd = lp->conns[i]->fd;
            lp->pfds[nf].events = wanted_events(lp->conns[i]);
            lp->pfds[nf++].revents = 0;
        }
        timeout = work_pending ? 0 : (int)(next_ms < 1 ? 1 : (next_ms > 1000 ? 1000 : next_ms));
        n = poll(lp->pfds, (nfds_t)nf, timeout);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "ecs-sim: poll: %s\n", strerror(errno));
            return;
        }
        now = mono_ms();
        work_pending = false;
        next_ms = 1000;
        for (size_t i = 0; i < old_n; i++) {
            if (service(lp, lp->conns[i], lp->pfds[i + 1].revents, now, &next_ms))
                work_pending = true;
        }
        if (lp->pfds[0].revents & POLLIN)
            accept_all(lp, now);
        if (lp->accept_pause_until > now && lp->accept_pause_until - now < next_ms)
            next_ms = lp->accept_pause_until - now;
        remove_dead(lp);
    }
}

int sim_serve_run(const sim_serve_options *opts, ecs_ctx *ctx, ecs_plane *plane)
{
    sim_server srv;
    loop *lp;
    char shown[128];
    bool loopback = true;
    struct sigaction sa;
    int status = 0;

    memset(&srv, 0, sizeof srv);
    srv.ctx = ctx;
    srv.plane = plane;
    srv.frozen_time = opts->frozen_time;
    srv.regions[0] = opts->region != NULL ? opts->region : "us-east-1";
    if (ecs_json_writer_new(ctx, 0, &srv.w) != ECS_OK) {
        fprintf(stderr, "ecs-sim: cannot start: %s\n", ecs_ctx_errmsg(ctx));
        return 2;
    }
    if (!sim_serve_load_credentials(&srv, opts)) {
        free(srv.cred_text);
        ecs_json_writer_free(srv.w);
        return 2;
    }
    lp = calloc(1, sizeof *lp);
    if (lp == NULL) {
        fprintf(stderr, "ecs-sim: cannot start: out of memory\n");
        free(srv.cred_text);
        ecs_json_writer_free(srv.w);
        return 2;
    }
    lp->srv = &srv;
    lp->id_seed = (uint64_t)sim_serve_wall_ms() ^ ((uint64_t)getpid() << 32);
    lp->lfd = sim_serve_listen(opts->listen, shown, sizeof shown, &loopback);
    if (lp->lfd < 0) {
        status = 2;
    } else {
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
        sa.sa_handler = SIG_IGN;
        sigaction(SIGPIPE, &sa, NULL);
        sim_serve_banner(&srv, shown, loopback);
        run_loop(lp);
        for (size_t i = 0; i < lp->nconns; i++)
            conn_free(lp->conns[i]);
        close(lp->lfd);
        fprintf(stderr, "ecs-sim: stopped\n");
    }
    free(lp);
    if (srv.cred_text != NULL)
        memset(srv.cred_text, 0, srv.cred_len);
    free(srv.cred_text);
    ecs_json_writer_free(srv.w);
    return status;
}
