/*
 * Runs the JSONTestSuite parsing files kept beside the checkout in
 * ../shared/conformance/json/test_parsing/ through ecs_json_parse(): y_ files
 * must be accepted, n_ files rejected with ECS_E_PARSE or ECS_E_LIMIT, and
 * i_ files may go either way (but nothing else: no NOMEM, no crash). Every
 * file runs in a fresh context on the counting allocator and must leave no
 * block behind. An accepted document must survive a round trip: written
 * compactly with ecs_json_write_text(), re-parsed and written again, the two
 * texts must be equal (and the indented form must read back to the same).
 *
 * A plain program rather than a cmocka suite: one line per failing file and a
 * one-line summary are what is useful here. Exit status 77 tells CTest the
 * test was skipped because the shared directory is absent.
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecs/ecs.h"
#include "test_alloc.h"
#include "test_util.h"

#define SUITE_DIR ECS_SHARED_DIR "/conformance/json/test_parsing/"

typedef struct tally {
    size_t y_total, y_ok;
    size_t n_total, n_ok;
    size_t i_total, i_accepted, i_rejected;
    size_t failures;
} tally;

static int compare_names(const void *a, const void *b)
{
    const char *const *x = a;
    const char *const *y = b;

    return strcmp(*x, *y);
}

static void report(tally *t, const char *name, const char *what, const char *detail)
{
    t->failures++;
    printf("FAIL %s: %s%s%s\n", name, what, detail ? ": " : "", detail ? detail : "");
}

/* Write val compactly (or indented) into a fresh buffer of the context's
 * allocator; ECS_OK or the failure. */
static ecs_status write_text(ecs_ctx *ctx, const ecs_json_doc *doc, uint32_t flags, char **out,
                             size_t *len)
{
    return ecs_json_write_text(ctx, doc, ecs_json_root(doc), flags, out, len);
}

/* The round trip of an accepted document; true when it holds. */
static bool round_trip(tally *t, const char *name, ecs_ctx *ctx, const ecs_json_doc *doc)
{
    char *t1 = NULL, *t2 = NULL, *t3 = NULL, *t4 = NULL;
    size_t l1 = 0, l2 = 0, l3 = 0, l4 = 0;
    ecs_json_doc *d2 = NULL, *d3 = NULL;
    bool ok = false;
    ecs_status rc;

    rc = write_text(ctx, doc, 0, &t1, &l1);
    if (rc != ECS_OK) {
        report(t, name, "accepted but not written", ecs_ctx_errmsg(ctx));
        goto done;
    }
    rc = ecs_json_parse(ctx, t1, l1, NULL, &d2);
    if (rc != ECS_OK) {
        report(t, name, "written text does not parse", ecs_ctx_errmsg(ctx));
        goto done;
    }
    rc = write_text(ctx, d2, 0, &t2, &l2);
    if (rc != ECS_OK) {
        report(t, name, "re-parsed text not written", ecs_ctx_errmsg(ctx));
        goto done;
    }
    if (l1 != l2 || memcmp(t1, t2, l1) != 0) {
        report(t, name, "round trip changed the text", t1);
        goto done;
    }
    rc = write_text(ctx, doc, ECS_JSON_W_F_INDENT, &t3, &l3);
    if (rc != ECS_OK) {
        report(t, name, "indented form not written", ecs_ctx_errmsg(ctx));
        goto done;
    }
    rc = ecs_json_parse(ctx, t3, l3, NULL, &d3);
    if (rc != ECS_OK) {
        report(t, name, "indented form does not parse", ecs_ctx_errmsg(ctx));
        goto done;
    }
    rc = write_text(ctx, d3, 0, &t4, &l4);
    if (rc != ECS_OK || l4 != l1 || memcmp(t4, t1, l1) != 0) {
        report(t, name, "indented form reads back differently", t4);
        goto done;
    }
    ok = true;
done:
    ecs_json_text_free(ctx, t1, l1);
    ecs_json_text_free(ctx, t2, l2);
    ecs_json_text_free(ctx, t3, l3);
    ecs_json_text_free(ctx, t4, l4);
    ecs_json_doc_free(d2);
    ecs_json_doc_free(d3);
    return ok;
}

static void run_file(tally *t, const char *name)
{
    char path[4096];
    char *data;
    size_t len = 0;
    test_alloc ta;
    ecs_ctx_options opts = ECS_CTX_OPTIONS_INIT;
    ecs_ctx *ctx = NULL;
    ecs_json_doc *doc = NULL;
    ecs_status rc;
    char kind = name[0];

    if (snprintf(path, sizeof path, "%s%s", SUITE_DIR, name) >= (int)sizeof path) {
        report(t, name, "path too long", NULL);
        return;
    }
    data = test_read_file(path, &len);
    if (data == NULL) {
        report(t, name, "cannot read", NULL);
        return;
    }
    test_alloc_init(&ta);
    opts.allocator = &ta.alloc;
    if (ecs_ctx_new(&opts, &ctx) != ECS_OK) {
        report(t, name, "no context", NULL);
        free(data);
        return;
    }
    rc = ecs_json_parse(ctx, data, len, NULL, &doc);
    free(data); /* the document must not depend on the input */
    if (rc == ECS_OK) {
        (void)round_trip(t, name, ctx, doc);
        ecs_json_doc_free(doc);
    } else if (rc == ECS_E_PARSE || rc == ECS_E_LIMIT) {
        ecs_errpos pos;
        if (ecs_ctx_errmsg(ctx)[0] == '\0') {
            report(t, name, "rejected without a message", NULL);
        }
        if (rc == ECS_E_PARSE && !ecs_ctx_errpos(ctx, &pos)) {
            report(t, name, "rejected without a position", ecs_ctx_errmsg(ctx));
        }
    } else {
        report(t, name, "unexpected status", ecs_status_str(rc));
    }

    switch (kind) {
    case 'y':
        t->y_total++;
        if (rc == ECS_OK) {
            t->y_ok++;
        } else {
            report(t, name, "valid JSON rejected", ecs_ctx_errmsg(ctx));
        }
        break;
    case 'n':
        t->n_total++;
        if (rc == ECS_E_PARSE || rc == ECS_E_LIMIT) {
            t->n_ok++;
        } else {
            report(t, name, "invalid JSON not rejected", ecs_status_str(rc));
        }
        break;
    default:
        t->i_total++;
        if (rc == ECS_OK) {
            t->i_accepted++;
        } else {
            t->i_rejected++;
        }
        break;
    }
    ecs_ctx_free(ctx);
    if (ta.live_blocks != 0 || ta.errors != 0) {
        char detail[96];
        (void)snprintf(detail, sizeof detail, "%zu blocks leaked, %zu allocator errors",
                       ta.live_blocks, ta.errors);
        report(t, name, "memory", detail);
    }
}

int main(void)
{
    DIR *dir = opendir(SUITE_DIR);
    struct dirent *ent;
    char **names = NULL;
    size_t count = 0, cap = 0, i;
    tally t;

    if (dir == NULL) {
        printf("SKIP: ../shared/conformance/json not found; conformance not checked\n");
        return 77;
    }
    while ((ent = readdir(dir)) != NULL) {
        const char *n = ent->d_name;
        size_t l = strlen(n);
        if ((n[0] != 'y' && n[0] != 'n' && n[0] != 'i') || n[1] != '_' || l < 6 ||
            strcmp(n + l - 5, ".json") != 0) {
            continue;
        }
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            char **nn = realloc(names, ncap * sizeof *nn);
            if (nn == NULL) {
                printf("FAIL: out of memory listing %s\n", SUITE_DIR);
                closedir(dir);
                return 1;
            }
            names = nn;
            cap = ncap;
        }
        names[count] = strdup(n);
        if (names[count] == NULL) {
            printf("FAIL: out of memory listing %s\n", SUITE_DIR);
            closedir(dir);
            return 1;
        }
        count++;
    }
    closedir(dir);
    if (count > 1) {
        qsort(names, count, sizeof *names, compare_names);
    }

    memset(&t, 0, sizeof t);
    for (i = 0; i < count; i++) {
        run_file(&t, names[i]);
        free(names[i]);
    }
    free(names);

    printf("json conformance: %zu/%zu y accepted, %zu/%zu n rejected, %zu i (%zu accepted, %zu "
           "rejected)\n",
           t.y_ok, t.y_total, t.n_ok, t.n_total, t.i_total, t.i_accepted, t.i_rejected);
    if (count == 0) {
        printf("FAIL: no test files in %s\n", SUITE_DIR);
        return 1;
    }
    if (t.failures != 0) {
        printf("%zu failure(s)\n", t.failures);
        return 1;
    }
    return 0;
}
