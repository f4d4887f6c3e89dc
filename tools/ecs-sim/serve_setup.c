/*
 * Setting the server up: the listening socket for "[ADDR:]PORT" (loopback
 * unless an address is given), the access keys whose signatures it
 * accepts, from --credentials ACCESS_KEY:SECRET or a file of such lines,
 * and the banner that says all this on standard error.
 */
#define _POSIX_C_SOURCE 200809L
#include "serve_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CREDENTIALS_FILE ((size_t)64 * 1024)

static bool split_spec(const char *spec, char *host, size_t hcap, char *port, size_t pcap)
{
    const char *colon, *p;
    size_t hl;

    if (spec[0] == '[') {
        const char *rb = strchr(spec, ']');
        if (rb == NULL || rb[1] != ':')
            return false;
        hl = (size_t)(rb - spec - 1);
        if (hl == 0 || hl >= hcap)
            return false;
        memcpy(host, spec + 1, hl);
        host[hl] = '\0';
        p = rb + 2;
    } else if ((colon = strrchr(spec, ':')) != NULL) {
        hl = (size_t)(colon - spec);
        if (hl >= hcap || memchr(spec, ':', hl) != NULL)
            return false; /* a bare IPv6 address needs brackets */
        memcpy(host, spec, hl);
        host[hl] = '\0';
        if (hl == 0)
            snprintf(host, hcap, "127.0.0.1");
        p = colon + 1;
    } else {
        snprintf(host, hcap, "127.0.0.1");
        p = spec;
    }
    if (*p == '\0' || strlen(p) > 5 || strlen(p) >= pcap)
        return false;
    for (const char *d = p; *d != '\0'; d++) {
        if (*d < '0' || *d > '9')
            return false;
    }
    if (atoi(p) > 65535)
        return false;
    snprintf(port, pcap, "%s", p);
    return true;
}

static bool is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        static const unsigned char lo[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
        static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
        const unsigned char *a = in6->sin6_addr.s6_addr;
        return memcmp(a, lo, 16) == 0 || (memcmp(a, mapped, 12) == 0 && a[12] == 127);
    }
    return false;
}

int sim_serve_listen(const char *spec, char *shown, size_t shown_cap, bool *loopback)
{
    char host[256], port[8], nh[256], ns[32];
    struct addrinfo hints, *res = NULL, *ai;
    struct sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    int fd = -1, rc, err = 0;

    if (spec == NULL || !split_spec(spec, host, sizeof host, port, sizeof port)) {
        fprintf(stderr, "ecs-sim: --serve takes [ADDR:]PORT, such as 8080, 127.0.0.1:8080 or "
                        "[::1]:8080 (got %s)\n", spec != NULL ? spec : "nothing");
        return -1;
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "ecs-sim: cannot listen on %s: %s\n", spec, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        int one = 1;
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0)
            break;
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        fprintf(stderr, "ecs-sim: cannot listen on %s: %s\n", spec, strerror(err));
        return -1;
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL, 0) | O_NONBLOCK) != 0 ||
        getsockname(fd, (struct sockaddr *)&bound, &blen) != 0 ||
        getnameinfo((struct sockaddr *)&bound, blen, nh, sizeof nh, ns, sizeof ns,
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        fprintf(stderr, "ecs-sim: cannot listen on %s: %s\n", spec, strerror(errno));
        close(fd);
        return -1;
    }
    *loopback = is_loopback((struct sockaddr *)&bound);
    if (bound.ss_family == AF_INET6)
        snprintf(shown, shown_cap, "[%s]:%s", nh, ns);
    else
        snprintf(shown, shown_cap, "%s:%s", nh, ns);
    return fd;
}

/* ---------------------------------------------------------------------- */
/* Credentials                                                              */

static bool key_char(char c, bool secret)
{
    if (c <= ' ' || c >= 0x7f)
        return false;
    return secret || (c != '/' && c != ',' && c != '=' && c != ':');
}

/* One "ACCESS_KEY:SECRET" in place: split it and record it. */
static bool add_credential(sim_server *srv, char *text, const char *where)
{
    char *colon = strchr(text, ':');
    size_t n = srv->sigv4.ncreds;
    bool ok = colon != NULL && colon != text && colon[1] != '\0';

    for (const char *p = text; ok && p < colon; p++)
        ok = key_char(*p, false);
    for (const char *p = colon != NULL ? colon + 1 : text; ok && *p != '\0'; p++)
        ok = key_char(*p, true);
    if (!ok) {
        fprintf(stderr, "ecs-sim: %s: credentials are ACCESS_KEY:SECRET, without spaces\n",
                where);
        return false;
    }
    if (n == SIM_MAX_CREDENTIALS) {
        fprintf(stderr, "ecs-sim: %s: at most %u access keys\n", where,
                (unsigned)SIM_MAX_CREDENTIALS);
        return false;
    }
    *colon = '\0';
    srv->creds[n].access_key = text;
    srv->creds[n].secret = colon + 1;
    srv->sigv4.ncreds = n + 1;
    return true;
}

static char *read_small_file(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    size_t n;
    if (f == NULL) {
        fprintf(stderr, "ecs-sim: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    buf = malloc(MAX_CREDENTIALS_FILE + 1);
    if (buf == NULL) {
        fclose(f);
        return NULL;
    }
    n = fread(buf, 1, MAX_CREDENTIALS_FILE + 1, f);
    fclose(f);
    if (n > MAX_CREDENTIALS_FILE) {
        fprintf(stderr, "ecs-sim: %s is larger than 64 KiB\n", path);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    *out_len = n;
    return buf;
}

bool sim_serve_load_credentials(sim_server *srv, const sim_serve_options *opts)
{
    size_t cl = opts->credentials != NULL ? strlen(opts->credentials) : 0, fl = 0;
    char *file = NULL, *text, *line;

    srv->sigv4.creds = srv->creds;
    srv->sigv4.ncreds = 0;
    srv->sigv4.regions = srv->regions;
    srv->sigv4.nregions = 1;
    srv->sigv4.service = "ecs";
    srv->sigv4.max_skew_s = SIM_MAX_SKEW_S;
    if (opts->credentials == NULL && opts->credentials_file == NULL)
        return true;
    if (opts->credentials_file != NULL &&
        (file = read_small_file(opts->credentials_file, &fl)) == NULL)
        return false;
    /* One buffer owns every key: the option's text, a NUL, the file's. */
    text = malloc(cl + 1 + fl + 1);
    if (text == NULL) {
        free(file);
        fprintf(stderr, "ecs-sim: out of memory\n");
        return false;
    }
    memcpy(text, opts->credentials != NULL ? opts->credentials : "", cl + 1);
    memcpy(text + cl + 1, file != NULL ? file : "", fl + 1);
    free(file);
    srv->cred_text = text;
    srv->cred_len = cl + 1 + fl + 1;
    if (opts->credentials != NULL && !add_credential(srv, text, "--credentials"))
        return false;
    line = text + cl + 1;
    while (*line != '\0') {
        char *end = line + strcspn(line, "\r\n"), *next = *end != '\0' ? end + 1 : end;
        *end = '\0';
        while (*line == ' ' || *line == '\t')
            line++;
        for (char *t = end; t > line && (t[-1] == ' ' || t[-1] == '\t'); t--)
            t[-1] = '\0';
        if (*line != '\0' && *line != '#' && !add_credential(srv, line, opts->credentials_file))
            return false;
        line = next;
    }
    if (srv->sigv4.ncreds == 0) {
        fprintf(stderr, "ecs-sim: %s holds no ACCESS_KEY:SECRET line\n", opts->credentials_file);
        return false;
    }
    srv->auth = true;
    return true;
}

void sim_serve_banner(const sim_server *srv, const char *shown, bool loopback)
{
    fprintf(stderr, "ecs-sim: listening on %s\n", shown);
    fprintf(stderr, "ecs-sim: AWS JSON 1.1 endpoint for ECS: use --endpoint-url http://%s\n",
            shown);
    if (srv->frozen_time)
        fprintf(stderr, "ecs-sim: time is frozen; it moves only with the AdvanceTime action\n");
    else
        fprintf(stderr, "ecs-sim: time follows the wall clock (AdvanceTime moves it ahead)\n");
    if (srv->auth)
        fprintf(stderr,
                "ecs-sim: requests must carry AWS Signature Version 4 by one of %zu access "
                "key(s), service ecs, region %s\n",
                srv->sigv4.ncreds, srv->regions[0]);
    else
        fprintf(stderr, "ecs-sim: requests are not authenticated (--credentials requires "
                        "signatures)\n");
    if (!loopback)
        fprintf(stderr, "ecs-sim: warning: %s is not a loopback address: other machines can "
                        "reach this server\n", shown);
}
