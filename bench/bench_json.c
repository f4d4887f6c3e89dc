/*
 * bench_json: throughput and memory of libecs's JSON parser and writer,
 * compared with cJSON and jansson when they are installed.
 *
 * Three documents are generated in memory, deterministically (ecs_rng, fixed
 * seeds): an ECS DescribeTasks-like response (~50 MB), a number-heavy
 * document (~20 MB) and a string-heavy one (~20 MB). For each document and
 * library:
 *
 *   - a memory pass parses once through a counting allocator (libecs: the
 *     ecs_ctx allocator, which is told every size; cJSON and jansson: their
 *     malloc/free hooks with the size kept in a 16-byte header) and reports
 *     the bytes the tree holds after parsing and the peak during parsing,
 *     then serialises compactly and checks that the output parses again;
 *   - timed passes (default allocators, so that the counting does not
 *     perturb the libraries) parse, and then serialise, repeatedly until at
 *     least 3 runs and --min-time seconds; best and median are reported.
 *
 * MB is 10^6 bytes. Parse MB/s counts input bytes, write MB/s output bytes.
 * Every parse is checked; a failure stops the program with exit status 1.
 *
 * Usage: bench_json [--scale F] [--only ecs|numbers|strings] [--min-time S]
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ecs/context.h"
#include "ecs/json.h"
#include "ecs/rng.h"
#include "ecs/status.h"
#include "ecs/version.h"

#include "bench_stats.h"

#if defined(ECS_BENCH_HAVE_CJSON)
#include <cjson/cJSON.h>
#endif
#if defined(ECS_BENCH_HAVE_JANSSON)
#include <jansson.h>
#endif

#if !defined(ECS_BENCH_BUILD_TYPE)
#define ECS_BENCH_BUILD_TYPE "unknown"
#endif
#if !defined(ECS_BENCH_C_FLAGS)
#define ECS_BENCH_C_FLAGS ""
#endif

#if defined(__GNUC__) || defined(__clang__)
#define BENCH_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define BENCH_NORETURN __attribute__((noreturn))
#else
#define BENCH_PRINTF(f, a)
#define BENCH_NORETURN
#endif

#define MB 1e6
#define MIN_RUNS 3
#define MAX_RUNS 1000
/* Size header of the counting allocators: keeps 16-byte alignment. */
#define HDR 16u

BENCH_NORETURN BENCH_PRINTF(1, 2) static void die(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("bench_json: FATAL: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static double now_sec(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        die("clock_gettime failed");
    }
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------------------ */
/* Growing text buffer for the generators                                   */

typedef struct sbuf {
    char *p;
    size_t len;
    size_t cap;
} sbuf;

static void sb_reserve(sbuf *b, size_t extra)
{
    if (b->cap - b->len >= extra) {
        return;
    }
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < extra) {
        cap *= 2;
    }
    char *p = realloc(b->p, cap);
    if (p == NULL) {
        die("out of memory generating a document (%zu bytes)", cap);
    }
    b->p = p;
    b->cap = cap;
}

static void sb_put(sbuf *b, const char *s, size_t n)
{
    sb_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

/* Append a string literal (its length known at compile time). */
#define SB_LIT(b, lit) sb_put((b), "" lit, sizeof(lit) - 1)

static void sb_puts(sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

static void sb_putc(sbuf *b, char c)
{
    sb_reserve(b, 1);
    b->p[b->len++] = c;
}

static void sb_u64(sbuf *b, uint64_t v)
{
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0u);
    sb_put(b, tmp + i, sizeof tmp - i);
}

static void sb_i64(sbuf *b, int64_t v)
{
    if (v < 0) {
        sb_putc(b, '-');
        sb_u64(b, (uint64_t)0 - (uint64_t)v);
    } else {
        sb_u64(b, (uint64_t)v);
    }
}

/* Zero-padded decimal of exactly `width` digits. */
static void sb_u64w(sbuf *b, uint64_t v, int width)
{
    char tmp[24];
    if (width <= 0 || width > 20) {
        die("sb_u64w: bad width");
    }
    for (int i = width - 1; i >= 0; i--) {
        tmp[i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    }
    sb_put(b, tmp, (size_t)width);
}

static void sb_hex(sbuf *b, ecs_rng *rng, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    sb_reserve(b, n);
    while (n > 0) {
        uint64_t r = ecs_rng_next(rng);
        for (int i = 0; i < 16 && n > 0; i++, n--) {
            b->p[b->len++] = digits[r & 15u];
            r >>= 4;
        }
    }
}

static void sb_uuid(sbuf *b, ecs_rng *rng)
{
    sb_hex(b, rng, 8);
    sb_putc(b, '-');
    sb_hex(b, rng, 4);
    sb_putc(b, '-');
    sb_hex(b, rng, 4);
    sb_putc(b, '-');
    sb_hex(b, rng, 4);
    sb_putc(b, '-');
    sb_hex(b, rng, 12);
}

/* "name": */
static void sb_key(sbuf *b, const char *k)
{
    sb_putc(b, '"');
    sb_puts(b, k);
    SB_LIT(b, "\":");
}

/* "name":"value" (value must need no escaping), with a leading comma. */
static void kv_str(sbuf *b, const char *k, const char *v)
{
    sb_putc(b, ',');
    sb_key(b, k);
    sb_putc(b, '"');
    sb_puts(b, v);
    sb_putc(b, '"');
}

static void kv_int(sbuf *b, const char *k, int64_t v)
{
    sb_putc(b, ',');
    sb_key(b, k);
    sb_i64(b, v);
}

/* Epoch seconds with a millisecond fraction whose last digit is not 0, so
 * that the text is the shortest form of its double: 1732526400.123 */
static void kv_epoch(sbuf *b, const char *k, uint64_t secs, ecs_rng *rng)
{
    uint64_t ms = ecs_rng_below(rng, 1000);
    if (ms % 10u == 0u) {
        ms += 1u;
    }
    sb_putc(b, ',');
    sb_key(b, k);
    sb_u64(b, secs);
    sb_putc(b, '.');
    sb_u64w(b, ms, 3);
}

static const char *pick(ecs_rng *rng, const char *const *list, size_t n)
{
    return list[ecs_rng_below(rng, (uint64_t)n)];
}

#define PICK(rng, arr) pick((rng), (arr), sizeof(arr) / sizeof((arr)[0]))

/* ------------------------------------------------------------------------ */
/* Generated documents                                                       */

typedef struct gen_doc {
    const char *name;   /* "ecs", "numbers", "strings" */
    const char *arr_key; /* the top-level member holding the items */
    char *text;
    size_t len;
    size_t items; /* elements of root[arr_key] */
} gen_doc;

/* (a) ECS DescribeTasks-like response. */

#define ARN_PREFIX "arn:aws:ecs:us-east-1:123456789012:"

static const char *const k_services[] = {"my-api", "web", "worker", "billing", "auth",
                                         "search", "orders", "gateway"};
static const char *const k_sidecars[] = {"envoy", "log-router", "datadog-agent", "xray-daemon"};
static const char *const k_azs[] = {"us-east-1a", "us-east-1b", "us-east-1c",
                                    "us-east-1d", "us-east-1f"};
static const char *const k_teams[] = {"payments", "platform", "search", "growth", "core"};

static void gen_container(sbuf *b, ecs_rng *rng, const char *cluster, const char *task_id,
                          const char *name, bool main_container, bool stopped,
                          bool ec2, const char *ip)
{
    SB_LIT(b, "{\"containerArn\":\"");
    sb_puts(b, ARN_PREFIX "container/");
    sb_puts(b, cluster);
    sb_putc(b, '/');
    sb_puts(b, task_id);
    sb_putc(b, '/');
    sb_uuid(b, rng);
    sb_putc(b, '"');
    SB_LIT(b, ",\"taskArn\":\"");
    sb_puts(b, ARN_PREFIX "task/");
    sb_puts(b, cluster);
    sb_putc(b, '/');
    sb_puts(b, task_id);
    sb_putc(b, '"');
    kv_str(b, "name", name);
    SB_LIT(b, ",\"image\":\"");
    if (main_container) {
        sb_puts(b, "123456789012.dkr.ecr.us-east-1.amazonaws.com/");
        sb_puts(b, name);
        sb_putc(b, ':');
        sb_u64(b, 1u + ecs_rng_below(rng, 3));
        sb_putc(b, '.');
        sb_u64(b, ecs_rng_below(rng, 20));
        sb_putc(b, '.');
        sb_u64(b, ecs_rng_below(rng, 10));
    } else {
        sb_puts(b, "public.ecr.aws/aws-observability/");
        sb_puts(b, name);
        sb_puts(b, ":latest");
    }
    sb_putc(b, '"');
    SB_LIT(b, ",\"imageDigest\":\"sha256:");
    sb_hex(b, rng, 64);
    sb_putc(b, '"');
    SB_LIT(b, ",\"runtimeId\":\"");
    sb_hex(b, rng, 32);
    sb_putc(b, '-');
    sb_u64w(b, ecs_rng_below(rng, 10000000000u), 10);
    sb_putc(b, '"');
    kv_str(b, "lastStatus", stopped ? "STOPPED" : "RUNNING");
    if (stopped) {
        kv_int(b, "exitCode", main_container ? (int64_t)ecs_rng_below(rng, 3) * 68 : 0);
        kv_str(b, "reason", "Essential container in task exited");
    }
    SB_LIT(b, ",\"networkBindings\":[");
    if (main_container) {
        uint64_t port = 8080u + ecs_rng_below(rng, 4);
        SB_LIT(b, "{\"bindIP\":\"0.0.0.0\"");
        kv_int(b, "containerPort", (int64_t)port);
        kv_int(b, "hostPort", ec2 ? (int64_t)(32768u + ecs_rng_below(rng, 28000)) : (int64_t)port);
        kv_str(b, "protocol", "tcp");
        sb_putc(b, '}');
    }
    sb_putc(b, ']');
    SB_LIT(b, ",\"networkInterfaces\":[{\"attachmentId\":\"");
    sb_uuid(b, rng);
    sb_putc(b, '"');
    kv_str(b, "privateIpv4Address", ip);
    SB_LIT(b, "}]");
    if (!stopped) {
        kv_str(b, "healthStatus", ecs_rng_below(rng, 20) == 0 ? "UNKNOWN" : "HEALTHY");
    }
    kv_str(b, "cpu", main_container ? "192" : "64");
    kv_str(b, "memory", main_container ? "384" : "128");
    sb_putc(b, '}');
}

static void gen_task(sbuf *b, ecs_rng *rng)
{
    const char *service = PICK(rng, k_services);
    const char *cluster = ecs_rng_below(rng, 4) == 0 ? "staging" : "prod";
    bool ec2 = ecs_rng_below(rng, 2) == 0;
    bool stopped = ecs_rng_below(rng, 10) == 0;
    uint64_t created = 1732526400u + ecs_rng_below(rng, 86400u * 30u);
    char task_id[33];
    char ip[32];
    sbuf tmp = {task_id, 0, sizeof task_id};

    sb_hex(&tmp, rng, 32);
    task_id[32] = '\0';
    (void)snprintf(ip, sizeof ip, "10.0.%u.%u", (unsigned)ecs_rng_below(rng, 256),
                   (unsigned)(1u + ecs_rng_below(rng, 254)));

    SB_LIT(b, "{\"attachments\":[");
    if (!ec2) {
        SB_LIT(b, "{\"id\":\"");
        sb_uuid(b, rng);
        sb_putc(b, '"');
        kv_str(b, "type", "ElasticNetworkInterface");
        kv_str(b, "status", stopped ? "DELETED" : "ATTACHED");
        SB_LIT(b, ",\"details\":[{\"name\":\"subnetId\",\"value\":\"subnet-");
        sb_hex(b, rng, 17);
        SB_LIT(b, "\"},{\"name\":\"networkInterfaceId\",\"value\":\"eni-");
        sb_hex(b, rng, 17);
        SB_LIT(b, "\"},{\"name\":\"macAddress\",\"value\":\"");
        for (int i = 0; i < 6; i++) {
            if (i) {
                sb_putc(b, ':');
            }
            sb_hex(b, rng, 2);
        }
        SB_LIT(b, "\"},{\"name\":\"privateIPv4Address\",\"value\":\"");
        sb_puts(b, ip);
        SB_LIT(b, "\"}]}");
    }
    sb_putc(b, ']');
    SB_LIT(b, ",\"attributes\":[{\"name\":\"ecs.cpu-architecture\",\"value\":\"");
    sb_puts(b, ecs_rng_below(rng, 3) == 0 ? "arm64" : "x86_64");
    SB_LIT(b, "\"}]");
    kv_str(b, "availabilityZone", PICK(rng, k_azs));
    SB_LIT(b, ",\"clusterArn\":\"" ARN_PREFIX "cluster/");
    sb_puts(b, cluster);
    sb_putc(b, '"');
    kv_str(b, "connectivity", "CONNECTED");
    kv_epoch(b, "connectivityAt", created + 2u, rng);
    if (ec2) {
        SB_LIT(b, ",\"containerInstanceArn\":\"" ARN_PREFIX "container-instance/");
        sb_puts(b, cluster);
        sb_putc(b, '/');
        sb_hex(b, rng, 32);
        sb_putc(b, '"');
    }
    SB_LIT(b, ",\"containers\":[");
    gen_container(b, rng, cluster, task_id, service, true, stopped, ec2, ip);
    uint64_t sidecars = ecs_rng_below(rng, 3);
    for (uint64_t i = 0; i < sidecars; i++) {
        sb_putc(b, ',');
        gen_container(b, rng, cluster, task_id, k_sidecars[i], false, stopped, ec2, ip);
    }
    sb_putc(b, ']');
    kv_str(b, "cpu", "256");
    kv_epoch(b, "createdAt", created, rng);
    kv_str(b, "desiredStatus", stopped ? "STOPPED" : "RUNNING");
    SB_LIT(b, ",\"enableExecuteCommand\":");
    sb_puts(b, ecs_rng_below(rng, 5) == 0 ? "true" : "false");
    SB_LIT(b, ",\"ephemeralStorage\":{\"sizeInGiB\":20}");
    SB_LIT(b, ",\"group\":\"service:");
    sb_puts(b, service);
    sb_putc(b, '"');
    kv_str(b, "healthStatus", stopped ? "UNKNOWN" : "HEALTHY");
    kv_str(b, "lastStatus", stopped ? "STOPPED" : "RUNNING");
    kv_str(b, "launchType", ec2 ? "EC2" : "FARGATE");
    kv_str(b, "memory", "512");
    SB_LIT(b, ",\"overrides\":{\"containerOverrides\":[{\"name\":\"");
    sb_puts(b, service);
    sb_putc(b, '"');
    if (ecs_rng_below(rng, 4) == 0) {
        SB_LIT(b, ",\"environment\":[{\"name\":\"LOG_LEVEL\",\"value\":\"debug\"}]");
    }
    sb_putc(b, '}');
    for (uint64_t i = 0; i < sidecars; i++) {
        SB_LIT(b, ",{\"name\":\"");
        sb_puts(b, k_sidecars[i]);
        SB_LIT(b, "\"}");
    }
    SB_LIT(b, "],\"inferenceAcceleratorOverrides\":[]}");
    if (!ec2) {
        kv_str(b, "platformFamily", "Linux");
        kv_str(b, "platformVersion", "1.4.0");
    }
    kv_epoch(b, "pullStartedAt", created + 5u, rng);
    kv_epoch(b, "pullStoppedAt", created + 11u, rng);
    kv_epoch(b, "startedAt", created + 14u, rng);
    SB_LIT(b, ",\"startedBy\":\"ecs-svc/");
    sb_u64w(b, ecs_rng_below(rng, 10000000000000000000u), 19);
    sb_putc(b, '"');
    if (stopped) {
        kv_str(b, "stopCode", "EssentialContainerExited");
        kv_epoch(b, "stoppedAt", created + 3600u, rng);
        kv_str(b, "stoppedReason", "Essential container in task exited");
        kv_epoch(b, "stoppingAt", created + 3590u, rng);
    }
    SB_LIT(b, ",\"tags\":[{\"key\":\"env\",\"value\":\"");
    sb_puts(b, cluster);
    SB_LIT(b, "\"},{\"key\":\"team\",\"value\":\"");
    sb_puts(b, PICK(rng, k_teams));
    SB_LIT(b, "\"},{\"key\":\"service\",\"value\":\"");
    sb_puts(b, service);
    SB_LIT(b, "\"}]");
    SB_LIT(b, ",\"taskArn\":\"" ARN_PREFIX "task/");
    sb_puts(b, cluster);
    sb_putc(b, '/');
    sb_puts(b, task_id);
    sb_putc(b, '"');
    SB_LIT(b, ",\"taskDefinitionArn\":\"" ARN_PREFIX "task-definition/");
    sb_puts(b, service);
    sb_putc(b, ':');
    sb_u64(b, 1u + ecs_rng_below(rng, 40));
    sb_putc(b, '"');
    kv_int(b, "version", (int64_t)(1u + ecs_rng_below(rng, 6)));
    sb_putc(b, '}');
}

static void gen_ecs(gen_doc *d, size_t target)
{
    sbuf b = {NULL, 0, 0};
    ecs_rng rng;
    ecs_rng_seed(&rng, 0xEC5u);
    sb_reserve(&b, target + 8192);
    sb_puts(&b, "{\"tasks\":[");
    d->items = 0;
    while (b.len + 16 < target || d->items == 0) {
        if (d->items) {
            sb_putc(&b, ',');
        }
        gen_task(&b, &rng);
        d->items++;
    }
    sb_puts(&b, "],\"failures\":[]}");
    d->name = "ecs";
    d->arr_key = "tasks";
    d->text = b.p;
    d->len = b.len;
}

/* (b) Numbers. */

static void put_digits(sbuf *b, ecs_rng *rng, int n, bool first_nonzero)
{
    sb_reserve(b, (size_t)n);
    for (int i = 0; i < n; i++) {
        uint64_t d = (i == 0 && first_nonzero) ? 1u + ecs_rng_below(rng, 9) : ecs_rng_below(rng, 10);
        b->p[b->len++] = (char)('0' + (int)d);
    }
}

/* A JSON number that is not an integer literal: 1 to 17 significant digits;
 * 40% plain decimals, 20% leading-zero fractions, 40% exponent forms (three
 * in four with |exponent| <= 30, the rest up to 300). All stay well inside
 * the range of a normal double. */
static void put_double(sbuf *b, ecs_rng *rng)
{
    int ndig = 1 + (int)ecs_rng_below(rng, 17);
    uint64_t kind = ecs_rng_below(rng, 10);
    if (ecs_rng_below(rng, 10) < 3) {
        sb_putc(b, '-');
    }
    if (kind < 4) { /* 123.4567 */
        int q = 1 + (int)ecs_rng_below(rng, (uint64_t)ndig);
        put_digits(b, rng, q, true);
        sb_putc(b, '.');
        put_digits(b, rng, ndig - q > 0 ? ndig - q : 1, false);
    } else if (kind < 6) { /* 0.000123 */
        SB_LIT(b, "0.");
        for (uint64_t z = ecs_rng_below(rng, 5); z > 0; z--) {
            sb_putc(b, '0');
        }
        put_digits(b, rng, ndig, true);
    } else if (kind < 9) { /* 1.2345e-300 */
        put_digits(b, rng, 1, true);
        if (ndig > 1) {
            sb_putc(b, '.');
            put_digits(b, rng, ndig - 1, false);
        }
        sb_putc(b, ecs_rng_below(rng, 2) ? 'e' : 'E');
        uint64_t s = ecs_rng_below(rng, 3);
        if (s == 1) {
            sb_putc(b, '+');
        }
        if (s == 2) {
            sb_putc(b, '-');
        }
        /* Mostly the exponents measurements have; one in four anywhere. */
        sb_u64(b, ecs_rng_below(rng, ecs_rng_below(rng, 4) ? 31 : 301));
    } else { /* 12345e10 */
        put_digits(b, rng, ndig, true);
        sb_putc(b, 'e');
        sb_u64(b, ecs_rng_below(rng, ecs_rng_below(rng, 4) ? 31 : 280));
    }
}

static void put_int(sbuf *b, ecs_rng *rng)
{
    static const uint64_t bounds[] = {10u, 1000u, 100000u, 10000000000u, 9000000000000000000u};
    uint64_t v = ecs_rng_below(rng, bounds[ecs_rng_below(rng, 5)]);
    if (ecs_rng_below(rng, 3) == 0) {
        sb_i64(b, -(int64_t)v);
    } else {
        sb_u64(b, v);
    }
}

static void gen_numbers(gen_doc *d, size_t target)
{
    sbuf b = {NULL, 0, 0};
    ecs_rng rng;
    ecs_rng_seed(&rng, 0x4E554Du);
    sb_reserve(&b, target + 8192);
    sb_puts(&b, "{\"series\":[");
    d->items = 0;
    while (b.len + 16 < target || d->items == 0) {
        if (d->items) {
            sb_putc(&b, ',');
        }
        SB_LIT(&b, "{\"id\":");
        sb_u64(&b, d->items + 1u);
        SB_LIT(&b, ",\"ts\":");
        sb_u64(&b, 1732526400000u + ecs_rng_below(&rng, 1000000000u));
        SB_LIT(&b, ",\"delta\":");
        sb_i64(&b, -(int64_t)ecs_rng_below(&rng, 1000000u));
        SB_LIT(&b, ",\"value\":");
        put_double(&b, &rng);
        SB_LIT(&b, ",\"ratio\":");
        put_double(&b, &rng);
        SB_LIT(&b, ",\"valid\":");
        sb_puts(&b, ecs_rng_below(&rng, 8) == 0 ? "false" : "true");
        SB_LIT(&b, ",\"unit\":");
        sb_puts(&b, ecs_rng_below(&rng, 4) == 0 ? "null" : "\"ms\"");
        SB_LIT(&b, ",\"samples\":[");
        for (uint64_t i = 0, n = 8u + ecs_rng_below(&rng, 17); i < n; i++) {
            if (i) {
                sb_putc(&b, ',');
            }
            put_double(&b, &rng);
        }
        SB_LIT(&b, "],\"counts\":[");
        for (uint64_t i = 0, n = 4u + ecs_rng_below(&rng, 9); i < n; i++) {
            if (i) {
                sb_putc(&b, ',');
            }
            put_int(&b, &rng);
        }
        SB_LIT(&b, "],\"matrix\":[[");
        for (int i = 0; i < 9; i++) {
            if (i) {
                sb_puts(&b, i % 3 == 0 ? "],[" : ",");
            }
            if (i % 2) {
                put_int(&b, &rng);
            } else {
                put_double(&b, &rng);
            }
        }
        SB_LIT(&b, "]]}");
        d->items++;
    }
    sb_puts(&b, "]}");
    d->name = "numbers";
    d->arr_key = "series";
    d->text = b.p;
    d->len = b.len;
}

/* (c) Strings. Tokens are JSON string contents (already escaped). */

static const char *const k_ascii_words[] = {
    "the", "quick", "brown", "fox", "container", "task", "cluster", "service", "deployment",
    "scheduler", "placement", "strategy", "binpack", "spread", "memory", "reservation",
    "healthy", "draining", "capacity", "provider", "lorem", "ipsum", "dolor", "sit", "amet",
    "consectetur", "adipiscing", "elit", "rolling", "update", "minimum", "percent", "load",
    "balancer", "target", "group", "instance", "agent", "version", "revision", "a", "of",
    "and", "to", "in", "is", "for", "on", "with", "at", "by", "from", "2024-11-25T12:00:00Z",
    "http://example.com/path?q=1&r=2", "x86_64", "us-east-1"};

static const char *const k_utf8_words[] = {
    "caf\xC3\xA9", "na\xC3\xAFve", "r\xC3\xA9sum\xC3\xA9", "\xC3\xBC" "ber",
    "Stra\xC3\x9F" "e", "\xE4\xB8\xAD\xE6\x96\x87", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",
    "\xE6\x9D\xB1\xE4\xBA\xAC", "\xCE\x95\xCE\xBB\xCE\xBB\xCE\xB7\xCE\xBD\xCE\xB9\xCE\xBA\xCE\xAC",
    "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82", "\xF0\x9F\x98\x80", "\xF0\x9F\x9A\x80",
    "\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD", "\xE2\x82\xAC" "42", "\xC2\xA9" "2024"};

static const char *const k_escaped_words[] = {
    "\\n", "\\\"quoted\\\"", "C:\\\\Program Files\\\\ecs", "\\u00e9t\\u00e9", "\\ud83d\\ude00",
    "\\t", "a\\/b", "\\u4e2d\\u6587", "line\\r\\n", "\\u00e9", "\\\\", "tab\\there",
    "\\ud83d\\ude80 launch"};

static void put_text(sbuf *b, ecs_rng *rng, size_t min_bytes)
{
    size_t start = b->len;
    bool first = true;
    while (b->len - start < min_bytes) {
        if (!first) {
            uint64_t s = ecs_rng_below(rng, 20);
            sb_puts(b, s == 0 ? ". " : (s == 1 ? ", " : " "));
        }
        first = false;
        uint64_t r = ecs_rng_below(rng, 100);
        if (r < 80) {
            sb_puts(b, PICK(rng, k_ascii_words));
        } else if (r < 93) {
            sb_puts(b, PICK(rng, k_utf8_words));
        } else {
            sb_puts(b, PICK(rng, k_escaped_words));
        }
    }
}

static void gen_strings(gen_doc *d, size_t target)
{
    sbuf b = {NULL, 0, 0};
    ecs_rng rng;
    ecs_rng_seed(&rng, 0x535452u);
    sb_reserve(&b, target + 65536);
    sb_puts(&b, "{\"documents\":[");
    d->items = 0;
    while (b.len + 16 < target || d->items == 0) {
        if (d->items) {
            sb_putc(&b, ',');
        }
        SB_LIT(&b, "{\"id\":\"doc-");
        sb_u64w(&b, d->items + 1u, 8);
        SB_LIT(&b, "\",\"title\":\"");
        put_text(&b, &rng, 20u + ecs_rng_below(&rng, 60));
        SB_LIT(&b, "\",\"author\":{\"name\":\"Jos\xC3\xA9 M\xC3\xBCller\",\"email\":\"");
        sb_hex(&b, &rng, 8);
        SB_LIT(&b, "@example.com\"},\"lang\":\"");
        sb_puts(&b, ecs_rng_below(&rng, 2) ? "fr" : "zh");
        SB_LIT(&b, "\",\"body\":\"");
        put_text(&b, &rng, 200u + ecs_rng_below(&rng, 3000));
        SB_LIT(&b, "\",\"summary\":\"");
        put_text(&b, &rng, 50u + ecs_rng_below(&rng, 200));
        SB_LIT(&b, "\",\"keywords\":[");
        for (uint64_t i = 0, n = 1u + ecs_rng_below(&rng, 6); i < n; i++) {
            if (i) {
                sb_putc(&b, ',');
            }
            sb_putc(&b, '"');
            put_text(&b, &rng, 1);
            sb_putc(&b, '"');
        }
        SB_LIT(&b, "],\"path\":\"C:\\\\data\\\\");
        sb_hex(&b, &rng, 12);
        SB_LIT(&b, ".txt\"}");
        d->items++;
    }
    sb_puts(&b, "]}");
    d->name = "strings";
    d->arr_key = "documents";
    d->text = b.p;
    d->len = b.len;
}

/* ------------------------------------------------------------------------ */
/* Measurement                                                               */

typedef struct result {
    const char *doc;
    double size_mb;
    const char *lib;
    bool present;         /* false: library not compiled in */
    double parse_best;    /* MB/s */
    double parse_med;
    double write_best;
    double write_med;
    int parse_runs;
    int write_runs;
    size_t tree_bytes;    /* held by the tree after parsing */
    size_t parse_peak;    /* peak bytes during parsing */
    size_t allocs;        /* allocation calls during parsing */
    size_t out_len;       /* compact output length */
} result;

typedef struct timing {
    double best; /* seconds */
    double median;
    int runs;
} timing;

/* One timed operation; returns seconds. Fails fatally on error. */
typedef double (*run_fn)(void *state);

static double g_min_time = 0.5;

static timing measure(run_fn fn, void *state)
{
    static double times[MAX_RUNS];
    double total = 0.0;
    int n = 0;
    while (n < MAX_RUNS) {
        double t = fn(state);
        times[n++] = t;
        total += t;
        if (n >= MIN_RUNS && total >= g_min_time) {
            break;
        }
    }
    timing tm;
    tm.median = bench_sort_median(times, (size_t)n);
    tm.best = times[0];
    tm.runs = n;
    return tm;
}

static double mbps(size_t bytes, double secs)
{
    return secs > 0.0 ? (double)bytes / MB / secs : 0.0;
}

#if defined(ECS_BENCH_HAVE_CJSON) || defined(ECS_BENCH_HAVE_JANSSON)
/* Header-based counting malloc/free for cJSON and jansson (which do not pass
 * sizes to free). Counts requested bytes, not the header. */
static size_t g_live;
static size_t g_peak;
static size_t g_calls;

static void *hdr_malloc(size_t n)
{
    unsigned char *p = malloc(n + HDR);
    if (p == NULL) {
        return NULL;
    }
    memcpy(p, &n, sizeof n);
    g_live += n;
    g_calls++;
    if (g_live > g_peak) {
        g_peak = g_live;
    }
    return p + HDR;
}

static void hdr_free(void *q)
{
    if (q == NULL) {
        return;
    }
    unsigned char *p = (unsigned char *)q - HDR;
    size_t n;
    memcpy(&n, p, sizeof n);
    g_live -= n;
    free(p);
}

static void reset_counters(void)
{
    g_live = 0;
    g_peak = 0;
    g_calls = 0;
}
#endif

/* ---- libecs -------------------------------------------------------------- */

/* The exact counting allocator: libecs passes sizes, so no header is needed
 * for counting. A header is kept anyway to CHECK the sizes libecs passes to
 * resize and release (a mismatch is a libecs bug and is reported). */
typedef struct count_alloc {
    size_t live;
    size_t peak;
    size_t calls;
    size_t bad_sizes;
} count_alloc;

static void ca_note(count_alloc *c)
{
    if (c->live > c->peak) {
        c->peak = c->live;
    }
}

static void *ca_alloc(void *user, size_t size)
{
    count_alloc *c = user;
    unsigned char *p = malloc(size + HDR);
    if (p == NULL) {
        return NULL;
    }
    memcpy(p, &size, sizeof size);
    c->live += size;
    c->calls++;
    ca_note(c);
    return p + HDR;
}

static void *ca_resize(void *user, void *ptr, size_t old_size, size_t new_size)
{
    count_alloc *c = user;
    unsigned char *base = (unsigned char *)ptr - HDR;
    size_t stored;
    memcpy(&stored, base, sizeof stored);
    if (stored != old_size) {
        c->bad_sizes++;
    }
    unsigned char *p = realloc(base, new_size + HDR);
    if (p == NULL) {
        return NULL;
    }
    memcpy(p, &new_size, sizeof new_size);
    c->live = c->live - stored + new_size;
    c->calls++;
    ca_note(c);
    return p + HDR;
}

static void ca_release(void *user, void *ptr, size_t size)
{
    count_alloc *c = user;
    unsigned char *base = (unsigned char *)ptr - HDR;
    size_t stored;
    memcpy(&stored, base, sizeof stored);
    if (stored != size) {
        c->bad_sizes++;
    }
    c->live -= stored;
    free(base);
}

static ecs_ctx *ecs_make_ctx(const ecs_allocator *a)
{
    ecs_ctx_options o = ECS_CTX_OPTIONS_INIT;
    ecs_ctx *ctx = NULL;
    o.allocator = a;
    o.max_json_bytes = ECS_MAX_JSON_BYTES;
    if (ecs_ctx_new(&o, &ctx) != ECS_OK || ctx == NULL) {
        die("ecs_ctx_new failed");
    }
    return ctx;
}

static ecs_json_doc *ecs_parse_or_die(ecs_ctx *ctx, const char *what, const char *text, size_t len)
{
    ecs_json_doc *doc = NULL;
    ecs_status st = ecs_json_parse(ctx, text, len, NULL, &doc);
    if (st != ECS_OK || doc == NULL) {
        ecs_errpos pos = {0, 0, 0};
        (void)ecs_ctx_errpos(ctx, &pos);
        die("libecs failed to parse %s (status %d at byte %zu): %s", what, (int)st, pos.offset,
            ecs_ctx_errmsg(ctx));
    }
    return doc;
}

static size_t ecs_items(const ecs_json_doc *doc, const char *key)
{
    const ecs_json_val *root = ecs_json_root(doc);
    if (ecs_json_type_of(root) != ECS_JSON_OBJECT) {
        return (size_t)-1;
    }
    const ecs_json_val *arr = ecs_json_obj_get(doc, root, key, strlen(key));
    if (arr == NULL || ecs_json_type_of(arr) != ECS_JSON_ARRAY) {
        return (size_t)-1;
    }
    return ecs_json_len(arr);
}

static void ecs_write_or_die(ecs_ctx *ctx, const ecs_json_doc *doc, char **out, size_t *len)
{
    ecs_status st = ecs_json_write_text(ctx, doc, ecs_json_root(doc), 0u, out, len);
    if (st != ECS_OK || *out == NULL) {
        die("libecs failed to write (status %d): %s", (int)st, ecs_ctx_errmsg(ctx));
    }
}

typedef struct ecs_state {
    const gen_doc *d;
    ecs_ctx *ctx;
    ecs_json_doc *doc;
    size_t out_len;
} ecs_state;

static double ecs_parse_run(void *p)
{
    ecs_state *s = p;
    ecs_json_doc *doc = NULL;
    double t0 = now_sec();
    ecs_status st = ecs_json_parse(s->ctx, s->d->text, s->d->len, NULL, &doc);
    double t1 = now_sec();
    if (st != ECS_OK || doc == NULL) {
        die("libecs parse of %s failed in a timed run: %s", s->d->name, ecs_ctx_errmsg(s->ctx));
    }
    ecs_json_doc_free(doc);
    return t1 - t0;
}

static double ecs_write_run(void *p)
{
    ecs_state *s = p;
    char *out = NULL;
    size_t len = 0;
    double t0 = now_sec();
    ecs_status st = ecs_json_write_text(s->ctx, s->doc, ecs_json_root(s->doc), 0u, &out, &len);
    double t1 = now_sec();
    if (st != ECS_OK || out == NULL || len != s->out_len) {
        die("libecs write of %s failed in a timed run: %s", s->d->name, ecs_ctx_errmsg(s->ctx));
    }
    ecs_json_text_free(s->ctx, out, len);
    return t1 - t0;
}

static void bench_libecs(const gen_doc *d, result *r)
{
    /* Memory pass with the exact counting allocator. */
    count_alloc c = {0, 0, 0, 0};
    ecs_allocator a = {ca_alloc, ca_resize, ca_release, &c};
    ecs_ctx *ctx = ecs_make_ctx(&a);
    size_t base = c.live;
    size_t calls0 = c.calls;
    c.peak = c.live;
    ecs_json_doc *doc = ecs_parse_or_die(ctx, d->name, d->text, d->len);
    r->tree_bytes = c.live - base;
    r->parse_peak = c.peak - base;
    r->allocs = c.calls - calls0;
    size_t items = ecs_items(doc, d->arr_key);
    if (items != d->items) {
        die("libecs: %s: root.%s has %zu elements, expected %zu", d->name, d->arr_key, items,
            d->items);
    }
    size_t doc_mem = ecs_json_doc_memory(doc);
    if (doc_mem != r->tree_bytes) {
        printf("  note: libecs ecs_json_doc_memory() = %zu, counted %zu\n", doc_mem,
               r->tree_bytes);
    }

    char *out = NULL;
    size_t out_len = 0;
    ecs_write_or_die(ctx, doc, &out, &out_len);
    r->out_len = out_len;

    /* The output must parse again, to the same shape, and write identically. */
    ecs_json_doc *doc2 = ecs_parse_or_die(ctx, "its own output", out, out_len);
    if (ecs_items(doc2, d->arr_key) != d->items) {
        die("libecs: %s: re-parsed output has the wrong shape", d->name);
    }
    char *out2 = NULL;
    size_t out2_len = 0;
    ecs_write_or_die(ctx, doc2, &out2, &out2_len);
    if (out2_len != out_len || memcmp(out, out2, out_len) != 0) {
        die("libecs: %s: write(parse(write(doc))) differs from write(doc)", d->name);
    }
    printf("  libecs: output %zu bytes, re-parses and round-trips stably%s\n", out_len,
           (out_len == d->len && memcmp(out, d->text, d->len) == 0) ? "; identical to input"
                                                                    : "");
    ecs_json_text_free(ctx, out2, out2_len);
    ecs_json_doc_free(doc2);
    ecs_json_text_free(ctx, out, out_len);
    ecs_json_doc_free(doc);
    if (c.live != base) {
        die("libecs: %zu bytes still allocated after freeing everything", c.live - base);
    }
    ecs_ctx_free(ctx);
    if (c.live != 0 || c.bad_sizes != 0) {
        die("libecs allocator misuse: %zu bytes leaked, %zu wrong sizes passed", c.live,
            c.bad_sizes);
    }

    /* Timed passes with the default allocator. */
    ecs_state s = {d, ecs_make_ctx(NULL), NULL, out_len};
    timing tp = measure(ecs_parse_run, &s);
    s.doc = ecs_parse_or_die(s.ctx, d->name, d->text, d->len);
    timing tw = measure(ecs_write_run, &s);
    ecs_json_doc_free(s.doc);
    ecs_ctx_free(s.ctx);

    r->present = true;
    r->parse_best = mbps(d->len, tp.best);
    r->parse_med = mbps(d->len, tp.median);
    r->parse_runs = tp.runs;
    r->write_best = mbps(out_len, tw.best);
    r->write_med = mbps(out_len, tw.median);
    r->write_runs = tw.runs;
}

/* ---- cJSON --------------------------------------------------------------- */

#if defined(ECS_BENCH_HAVE_CJSON)

typedef struct cj_state {
    const gen_doc *d;
    cJSON *root;
    size_t out_len;
} cj_state;

static cJSON *cj_parse_or_die(const char *what, const char *text, size_t len)
{
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (root == NULL) {
        const char *e = cJSON_GetErrorPtr();
        die("cJSON failed to parse %s (near byte %td)", what, e ? e - text : (ptrdiff_t)-1);
    }
    return root;
}

static size_t cj_items(const cJSON *root, const char *key)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, key);
    if (!cJSON_IsArray(arr)) {
        return (size_t)-1;
    }
    return (size_t)cJSON_GetArraySize(arr);
}

static double cj_parse_run(void *p)
{
    cj_state *s = p;
    double t0 = now_sec();
    cJSON *root = cJSON_ParseWithLength(s->d->text, s->d->len);
    double t1 = now_sec();
    if (root == NULL) {
        die("cJSON parse of %s failed in a timed run", s->d->name);
    }
    cJSON_Delete(root);
    return t1 - t0;
}

static double cj_write_run(void *p)
{
    cj_state *s = p;
    double t0 = now_sec();
    char *out = cJSON_PrintUnformatted(s->root);
    double t1 = now_sec();
    if (out == NULL || strlen(out) != s->out_len) {
        die("cJSON write of %s failed in a timed run", s->d->name);
    }
    cJSON_free(out);
    return t1 - t0;
}

static void bench_cjson(const gen_doc *d, result *r)
{
    cJSON_Hooks hooks = {hdr_malloc, hdr_free};
    cJSON_InitHooks(&hooks);
    reset_counters();
    cJSON *root = cj_parse_or_die(d->name, d->text, d->len);
    r->tree_bytes = g_live;
    r->parse_peak = g_peak;
    r->allocs = g_calls;
    if (cj_items(root, d->arr_key) != d->items) {
        die("cJSON: %s: root.%s has the wrong number of elements", d->name, d->arr_key);
    }
    char *out = cJSON_PrintUnformatted(root);
    if (out == NULL) {
        die("cJSON failed to write %s", d->name);
    }
    size_t out_len = strlen(out);
    cJSON *root2 = cj_parse_or_die("its own output", out, out_len);
    if (cj_items(root2, d->arr_key) != d->items) {
        die("cJSON: %s: re-parsed output has the wrong shape", d->name);
    }
    printf("  cJSON:  output %zu bytes, re-parses\n", out_len);
    cJSON_Delete(root2);
    cJSON_free(out);
    cJSON_Delete(root);
    if (g_live != 0) {
        die("cJSON: %zu bytes still allocated after freeing everything", g_live);
    }
    cJSON_InitHooks(NULL);

    cj_state s = {d, NULL, out_len};
    timing tp = measure(cj_parse_run, &s);
    s.root = cj_parse_or_die(d->name, d->text, d->len);
    timing tw = measure(cj_write_run, &s);
    cJSON_Delete(s.root);

    r->present = true;
    r->out_len = out_len;
    r->parse_best = mbps(d->len, tp.best);
    r->parse_med = mbps(d->len, tp.median);
    r->parse_runs = tp.runs;
    r->write_best = mbps(out_len, tw.best);
    r->write_med = mbps(out_len, tw.median);
    r->write_runs = tw.runs;
}

#endif /* ECS_BENCH_HAVE_CJSON */

/* ---- jansson ------------------------------------------------------------- */

#if defined(ECS_BENCH_HAVE_JANSSON)

typedef struct jn_state {
    const gen_doc *d;
    json_t *root;
    size_t out_len;
} jn_state;

static json_t *jn_parse_or_die(const char *what, const char *text, size_t len)
{
    json_error_t err;
    json_t *root = json_loadb(text, len, 0, &err);
    if (root == NULL) {
        die("jansson failed to parse %s (byte %d): %s", what, err.position, err.text);
    }
    return root;
}

static size_t jn_items(const json_t *root, const char *key)
{
    const json_t *arr = json_object_get(root, key);
    if (!json_is_array(arr)) {
        return (size_t)-1;
    }
    return json_array_size(arr);
}

static double jn_parse_run(void *p)
{
    jn_state *s = p;
    json_error_t err;
    double t0 = now_sec();
    json_t *root = json_loadb(s->d->text, s->d->len, 0, &err);
    double t1 = now_sec();
    if (root == NULL) {
        die("jansson parse of %s failed in a timed run: %s", s->d->name, err.text);
    }
    json_decref(root);
    return t1 - t0;
}

static double jn_write_run(void *p)
{
    jn_state *s = p;
    double t0 = now_sec();
    char *out = json_dumps(s->root, JSON_COMPACT);
    double t1 = now_sec();
    if (out == NULL || strlen(out) != s->out_len) {
        die("jansson write of %s failed in a timed run", s->d->name);
    }
    free(out); /* default allocator during timed runs */
    return t1 - t0;
}

static void bench_jansson(const gen_doc *d, result *r)
{
    json_set_alloc_funcs(hdr_malloc, hdr_free);
    reset_counters();
    json_t *root = jn_parse_or_die(d->name, d->text, d->len);
    r->tree_bytes = g_live;
    r->parse_peak = g_peak;
    r->allocs = g_calls;
    if (jn_items(root, d->arr_key) != d->items) {
        die("jansson: %s: root.%s has the wrong number of elements", d->name, d->arr_key);
    }
    char *out = json_dumps(root, JSON_COMPACT);
    if (out == NULL) {
        die("jansson failed to write %s", d->name);
    }
    size_t out_len = strlen(out);
    json_t *root2 = jn_parse_or_die("its own output", out, out_len);
    if (jn_items(root2, d->arr_key) != d->items) {
        die("jansson: %s: re-parsed output has the wrong shape", d->name);
    }
    printf("  jansson: output %zu bytes, re-parses\n", out_len);
    json_decref(root2);
    hdr_free(out);
    json_decref(root);
    if (g_live != 0) {
        die("jansson: %zu bytes still allocated after freeing everything", g_live);
    }
    json_set_alloc_funcs(malloc, free);

    jn_state s = {d, NULL, out_len};
    timing tp = measure(jn_parse_run, &s);
    s.root = jn_parse_or_die(d->name, d->text, d->len);
    timing tw = measure(jn_write_run, &s);
    json_decref(s.root);

    r->present = true;
    r->out_len = out_len;
    r->parse_best = mbps(d->len, tp.best);
    r->parse_med = mbps(d->len, tp.median);
    r->parse_runs = tp.runs;
    r->write_best = mbps(out_len, tw.best);
    r->write_med = mbps(out_len, tw.median);
    r->write_runs = tw.runs;
}

#endif /* ECS_BENCH_HAVE_JANSSON */

/* ------------------------------------------------------------------------ */
/* Driver                                                                    */

static void print_machine(double scale)
{
    char model[256] = "unknown";
    char line[512];
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f != NULL) {
        while (fgets(line, sizeof line, f) != NULL) {
            if (strncmp(line, "model name", 10) == 0) {
                const char *v = strchr(line, ':');
                if (v != NULL) {
                    v++;
                    while (*v == ' ' || *v == '\t') {
                        v++;
                    }
                    size_t n = strcspn(v, "\n");
                    if (n >= sizeof model) {
                        n = sizeof model - 1;
                    }
                    memcpy(model, v, n);
                    model[n] = '\0';
                }
                break;
            }
        }
        fclose(f);
    }
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    printf("bench_json: libecs %s JSON parser/writer benchmark\n", ecs_version_string());
    printf("machine:  %s, nproc %ld\n", model, ncpu);
#if defined(__clang__)
    printf("compiler: clang %s\n", __clang_version__);
#elif defined(__GNUC__)
    printf("compiler: gcc %s\n", __VERSION__);
#else
    printf("compiler: unknown\n");
#endif
#if defined(NDEBUG)
    const char *asserts = "off";
#else
    const char *asserts = "on";
#endif
    printf("build:    %s (flags: %s; assertions %s)\n", ECS_BENCH_BUILD_TYPE, ECS_BENCH_C_FLAGS,
           asserts);
    printf("scale:    %g, min time per measurement %.3g s (>= %d runs); MB = 10^6 bytes\n", scale,
           g_min_time, MIN_RUNS);
    printf("method:   parse MB/s = input bytes / time, write MB/s = compact output bytes / time;\n"
           "          timed runs use the default allocators; tree bytes = bytes held after\n"
           "          parsing, peak = most held during parsing (counting allocators)\n");
#if !defined(ECS_BENCH_HAVE_CJSON)
    printf("cJSON: not installed, skipped\n");
#endif
#if !defined(ECS_BENCH_HAVE_JANSSON)
    printf("jansson: not installed, skipped\n");
#endif
    printf("\n");
}

static void usage(FILE *f)
{
    fprintf(f, "usage: bench_json [--scale F] [--only ecs|numbers|strings] [--min-time S]\n"
               "  --scale F     multiply document sizes (1 = 50/20/20 MB; 0.02 for a smoke run)\n"
               "  --only NAME   benchmark one document\n"
               "  --min-time S  seconds per measurement (default 0.5 x min(1, scale))\n");
}

#define NLIBS 3

int main(int argc, char **argv)
{
    double scale = 1.0;
    double min_time = -1.0;
    const char *only = NULL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "--scale") == 0 || strcmp(a, "--min-time") == 0) && i + 1 < argc) {
            char *end = NULL;
            double v = strtod(argv[++i], &end);
            if (end == argv[i] || *end != '\0' || !(v > 0.0) || v > 80.0) {
                fprintf(stderr, "bench_json: bad value for %s: %s\n", a, argv[i]);
                return 2;
            }
            if (a[2] == 's') {
                scale = v;
            } else {
                min_time = v;
            }
        } else if (strcmp(a, "--only") == 0 && i + 1 < argc) {
            only = argv[++i];
            if (strcmp(only, "ecs") != 0 && strcmp(only, "numbers") != 0 &&
                strcmp(only, "strings") != 0) {
                fprintf(stderr, "bench_json: --only takes ecs, numbers or strings\n");
                return 2;
            }
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    g_min_time = min_time > 0.0 ? min_time : 0.5 * (scale < 1.0 ? scale : 1.0);
    print_machine(scale);

    static const char *const names[] = {"ecs", "numbers", "strings"};
    static const double sizes[] = {50e6, 20e6, 20e6};
    result results[3][NLIBS];
    bool done[3] = {false, false, false};
    memset(results, 0, sizeof results);

    for (int k = 0; k < 3; k++) {
        if (only != NULL && strcmp(only, names[k]) != 0) {
            continue;
        }
        gen_doc d;
        size_t target = (size_t)(sizes[k] * scale);
        double t0 = now_sec();
        if (k == 0) {
            gen_ecs(&d, target);
        } else if (k == 1) {
            gen_numbers(&d, target);
        } else {
            gen_strings(&d, target);
        }
        printf("%s: generated %.2f MB (%zu bytes, %zu %s) in %.2f s\n", d.name,
               (double)d.len / MB, d.len, d.items, d.arr_key, now_sec() - t0);
        fflush(stdout);

        for (int l = 0; l < NLIBS; l++) {
            results[k][l].doc = d.name;
            results[k][l].size_mb = (double)d.len / MB;
        }
        results[k][0].lib = "libecs";
        results[k][1].lib = "cJSON";
        results[k][2].lib = "jansson";
        bench_libecs(&d, &results[k][0]);
#if defined(ECS_BENCH_HAVE_CJSON)
        bench_cjson(&d, &results[k][1]);
#endif
#if defined(ECS_BENCH_HAVE_JANSSON)
        bench_jansson(&d, &results[k][2]);
#endif
        done[k] = true;
        free(d.text);
    }

    printf("\n%-8s %8s  %-8s %18s %18s %13s %7s %7s %10s\n", "document", "size MB", "library",
           "parse MB/s best/med", "write MB/s best/med", "tree bytes", "tree/in", "peak/in",
           "allocs");
    for (int k = 0; k < 3; k++) {
        if (!done[k]) {
            continue;
        }
        for (int l = 0; l < NLIBS; l++) {
            const result *r = &results[k][l];
            if (!r->present) {
                printf("%-8s %8.2f  %-8s %s\n", r->doc, r->size_mb, r->lib,
                       "not installed, skipped");
                continue;
            }
            double in = r->size_mb * MB;
            printf("%-8s %8.2f  %-8s %8.1f / %7.1f %8.1f / %7.1f %13zu %6.2fx %6.2fx %10zu\n",
                   r->doc, r->size_mb, r->lib, r->parse_best, r->parse_med, r->write_best,
                   r->write_med, r->tree_bytes, (double)r->tree_bytes / in,
                   (double)r->parse_peak / in, r->allocs);
        }
    }
    printf("\n");
    for (int k = 0; k < 3; k++) {
        if (!done[k]) {
            continue;
        }
        const result *e = &results[k][0];
        const result *c = &results[k][1];
        const result *j = &results[k][2];
        if (c->present) {
            printf("%-8s libecs parse speed vs cJSON: %.2fx (write %.2fx)", e->doc,
                   e->parse_best / c->parse_best, e->write_best / c->write_best);
        } else {
            printf("%-8s libecs parse speed vs cJSON: n/a (cJSON not installed)", e->doc);
        }
        if (j->present) {
            printf("; vs jansson: %.2fx (write %.2fx)", e->parse_best / j->parse_best,
                   e->write_best / j->write_best);
        }
        printf("\n");
    }
    return 0;
}
