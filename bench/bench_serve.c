/*
 * bench_serve: requests per second and latency of `ecs-sim --serve` on
 * loopback, with 50 keep-alive clients each sending one request at a time.
 *
 * It starts ecs-sim --serve 127.0.0.1:0 --frozen-time, learns the port from
 * the "listening on" line, makes a cluster, subnets and the Fargate
 * task definition of examples/my-api-taskdef.json's shape, then drives the
 * clients from one thread around poll() (so the client side stays light on a
 * small machine) until the bounded number of requests is answered. The mix
 * is a quarter each of DescribeClusters, ListTasks (maxResults 10),
 * ListClusters and RunTask (one Fargate task). Latency is measured from the
 * first byte sent to the last byte of the answer. Any answer other than 200
 * counts as an error.
 *
 *   bench_serve [--sim PATH] [--clients N] [--requests N] [--quick]
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#ifndef ECS_SIM_PATH
#define ECS_SIM_PATH "ecs-sim"
#endif

#define MAX_CLIENTS 1000
#define TARGET "AmazonEC2ContainerServiceV20141113."

static const char k_taskdef[] =
    "{\"family\":\"my-api\",\"networkMode\":\"awsvpc\",\"requiresCompatibilities\":[\"FARGATE\"],"
    "\"cpu\":\"256\",\"memory\":\"512\","
    "\"executionRoleArn\":\"arn:aws:iam::123456789012:role/ecsTaskExecutionRole\","
    "\"containerDefinitions\":[{\"name\":\"api-container\","
    "\"image\":\"123456789012.dkr.ecr.us-east-1.amazonaws.com/my-api:latest\",\"essential\":true,"
    "\"portMappings\":[{\"containerPort\":8080,\"protocol\":\"tcp\"}]}]}";

typedef struct client {
    int fd;
    char req[1024];
    size_t req_len, sent;
    char resp[65536];
    size_t got;
    int64_t t0;
    bool busy;
} client;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static size_t build(char *buf, size_t cap, const char *action, const char *body)
{
    int n = snprintf(buf, cap,
                     "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: " TARGET "%s\r\n"
                     "Content-Type: application/x-amz-json-1.1\r\nContent-Length: %zu\r\n\r\n%s",
                     action, strlen(body), body);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static int connect_to(int port)
{
    struct sockaddr_in a;
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* Length of a complete answer at the start of buf, 0 if incomplete, and
 * its status through *status. */
static size_t complete_answer(const char *buf, size_t len, int *status)
{
    const char *end = NULL, *cl;
    size_t head, body = 0;
    for (size_t i = 0; i + 3 < len; i++) {
        if (memcmp(buf + i, "\r\n\r\n", 4) == 0) {
            end = buf + i + 4;
            break;
        }
    }
    if (end == NULL)
        return 0;
    head = (size_t)(end - buf);
    *status = len >= 12 ? atoi(buf + 9) : 0;
    for (cl = buf; cl < end - 16; cl++) {
        if (memcmp(cl, "Content-Length: ", 16) == 0) {
            body = (size_t)strtoul(cl + 16, NULL, 10);
            break;
        }
    }
    return len >= head + body ? head + body : 0;
}

/* One blocking request for the setup steps. */
static bool setup_call(int port, const char *action, const char *body)
{
    client c;
    int st = 0, fd = connect_to(port);
    size_t n;
    if (fd < 0)
        return false;
    n = build(c.req, sizeof c.req, action, body);
    if (n == 0 || write(fd, c.req, n) != (ssize_t)n) {
        close(fd);
        return false;
    }
    c.got = 0;
    while (complete_answer(c.resp, c.got, &st) == 0) {
        ssize_t r = read(fd, c.resp + c.got, sizeof c.resp - c.got);
        if (r <= 0)
            break;
        c.got += (size_t)r;
    }
    close(fd);
    return st == 200;
}

static pid_t start_server(const char *sim, int *port)
{
    int pipefd[2];
    pid_t pid;
    char line[512];
    size_t len = 0;

    if (pipe(pipefd) != 0)
        return -1;
    pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], 2);
        close(pipefd[0]);
        close(pipefd[1]);
        execl(sim, sim, "--serve", "127.0.0.1:0", "--frozen-time", (char *)NULL);
        _exit(127);
    }
    close(pipefd[1]);
    *port = 0;
    while (pid > 0 && *port == 0 && len < sizeof line - 1) {
        ssize_t r = read(pipefd[0], line + len, 1);
        if (r <= 0)
            break;
        if (line[len] == '\n') {
            const char *p;
            line[len] = '\0';
            p = strstr(line, "listening on 127.0.0.1:");
            if (p != NULL)
                *port = atoi(p + strlen("listening on 127.0.0.1:"));
            len = 0;
        } else {
            len++;
        }
    }
    /* The rest of the banner is not read; the pipe's buffer holds it. */
    if (*port == 0 && pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        return -1;
    }
    return pid;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void next_request(client *c, uint64_t k)
{
    static const char run[] =
        "{\"cluster\":\"bench\",\"taskDefinition\":\"my-api\",\"launchType\":\"FARGATE\","
        "\"networkConfiguration\":{\"awsvpcConfiguration\":{\"subnets\":[\"subnet-a\","
        "\"subnet-b\"]}}}";
    switch (k % 4) {
    case 0: c->req_len = build(c->req, sizeof c->req, "DescribeClusters", "{\"clusters\":[\"bench\"]}"); break;
    case 1: c->req_len = build(c->req, sizeof c->req, "ListTasks", "{\"cluster\":\"bench\",\"maxResults\":10}"); break;
    case 2: c->req_len = build(c->req, sizeof c->req, "ListClusters", "{}"); break;
    default: c->req_len = build(c->req, sizeof c->req, "RunTask", run); break;
    }
    c->sent = 0;
    c->got = 0;
    c->busy = true;
    c->t0 = now_ns();
}

int main(int argc, char **argv)
{
    const char *sim = ECS_SIM_PATH;
    size_t nclients = 50, total = 20000, issued = 0, done = 0, errors = 0;
    static client clients[MAX_CLIENTS];
    static struct pollfd pfds[MAX_CLIENTS];
    int64_t *lat, t_start, t_end;
    int port, status = 0;
    pid_t pid;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--sim") == 0 && i + 1 < argc)
            sim = argv[++i];
        else if (strcmp(argv[i], "--clients") == 0 && i + 1 < argc)
            nclients = (size_t)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--requests") == 0 && i + 1 < argc)
            total = (size_t)strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--quick") == 0)
            total = 2000;
        else {
            fprintf(stderr, "usage: bench_serve [--sim PATH] [--clients N] [--requests N] "
                            "[--quick]\n");
            return 2;
        }
    }
    if (nclients == 0 || nclients > MAX_CLIENTS || total == 0 || total > 10000000) {
        fprintf(stderr, "bench_serve: 1..1000 clients and 1..10000000 requests\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    pid = start_server(sim, &port);
    if (pid < 0) {
        fprintf(stderr, "bench_serve: cannot start %s --serve\n", sim);
        return 1;
    }
    lat = calloc(total, sizeof *lat);
    if (lat == NULL || !setup_call(port, "CreateCluster", "{\"clusterName\":\"bench\"}") ||
        !setup_call(port, "RegisterSubnets",
                    "{\"subnets\":[{\"subnetId\":\"subnet-a\",\"availabilityZone\":\"us-east-1a\"},"
                    "{\"subnetId\":\"subnet-b\",\"availabilityZone\":\"us-east-1b\"}]}") ||
        !setup_call(port, "RegisterTaskDefinition", k_taskdef)) {
        fprintf(stderr, "bench_serve: setup calls (CreateCluster, RegisterSubnets, "
                        "RegisterTaskDefinition) failed\n");
        status = 1;
        goto out;
    }
    for (size_t i = 0; i < nclients; i++) {
        clients[i].fd = connect_to(port);
        if (clients[i].fd < 0) {
            fprintf(stderr, "bench_serve: connect: %s\n", strerror(errno));
            status = 1;
            goto out;
        }
    }
    t_start = now_ns();
    for (size_t i = 0; i < nclients && issued < total; i++)
        next_request(&clients[i], issued++);
    while (done < total) {
        int n;
        for (size_t i = 0; i < nclients; i++) {
            pfds[i].fd = clients[i].busy ? clients[i].fd : -1;
            pfds[i].events = clients[i].sent < clients[i].req_len ? POLLOUT : POLLIN;
            pfds[i].revents = 0;
        }
        n = poll(pfds, (nfds_t)nclients, 10000);
        if (n <= 0) {
            fprintf(stderr, "bench_serve: no progress for 10 s\n");
            status = 1;
            goto out;
        }
        for (size_t i = 0; i < nclients; i++) {
            client *c = &clients[i];
            int st = 0;
            size_t len;
            if (!c->busy || pfds[i].revents == 0)
                continue;
            if (c->sent < c->req_len) {
                ssize_t w = send(c->fd, c->req + c->sent, c->req_len - c->sent, 0);
                if (w > 0)
                    c->sent += (size_t)w;
                else if (w < 0 && errno != EAGAIN && errno != EINTR) {
                    fprintf(stderr, "bench_serve: send: %s\n", strerror(errno));
                    status = 1;
                    goto out;
                }
                continue;
            }
            {
                ssize_t r = recv(c->fd, c->resp + c->got, sizeof c->resp - c->got, 0);
                if (r <= 0) {
                    fprintf(stderr, "bench_serve: connection closed by the server\n");
                    status = 1;
                    goto out;
                }
                c->got += (size_t)r;
            }
            len = complete_answer(c->resp, c->got, &st);
            if (len == 0)
                continue;
            lat[done++] = now_ns() - c->t0;
            if (st != 200)
                errors++;
            c->busy = false;
            if (issued < total)
                next_request(c, issued++);
        }
    }
    t_end = now_ns();
    qsort(lat, total, sizeof *lat, cmp_i64);
    {
        double secs = (double)(t_end - t_start) / 1e9;
        printf("bench_serve: %zu requests, %zu keep-alive clients, loopback, mix of "
               "DescribeClusters/ListTasks/ListClusters/RunTask\n", total, nclients);
        printf("  %.0f requests/s over %.2f s; errors: %zu\n", (double)total / secs, secs, errors);
        printf("  latency p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n",
               (double)lat[total / 2] / 1e6, (double)lat[total * 9 / 10] / 1e6,
               (double)lat[total * 99 / 100] / 1e6, (double)lat[total - 1] / 1e6);
    }
    if (errors > 0)
        status = 1;
out:
    for (size_t i = 0; i < nclients; i++) {
        if (clients[i].fd > 0)
            close(clients[i].fd);
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    free(lat);
    return status;
}
