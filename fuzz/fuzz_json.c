/*
 * libFuzzer harness for lib/json: parse the input; when it is accepted,
 * write it compactly, parse that again and write it again: the two texts
 * must be identical (the writer's output is canonical), and the indented
 * form must parse to the same compact text. Any difference aborts.
 *
 * Then a differential check of the library-internal lazy parse
 * (lib/json/json_lazy.h, what ecs_plane_restore() reads snapshots with):
 * for each depth limit in k_limits and each lazy depth d in 1..3, the input
 * is parsed with ecs_json__parse_lazy() (keys "tasks" and "inst" at depth
 * d) and every lazy array's elements are read with ecs_json__elems_*.
 * Properties:
 *  - the lazy parse and the reading of every lazy array succeed if and
 *    only if ecs_json_parse() succeeds with the same depth limit;
 *  - on success, the lazy tree is the ordinary tree except that each lazy
 *    array shows empty; a lazy array's count is the number of elements
 *    read, and each element, written with ecs_json_write_text(), is the
 *    text of the ordinary array's element at the same place;
 *  - on failure, both errors are ECS_E_PARSE or ECS_E_LIMIT, with a
 *    message.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecs/ecs.h"
#include "json/json_lazy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_at(bool ok, const char *what, int line)
{
    if (!ok) {
        fprintf(stderr, "fuzz_json: check failed at line %d: %s\n", line, what);
        abort();
    }
}
#define check(x) check_at((x), #x, __LINE__)

/* Depth limits the lazy parse is compared under: the harness's own, and
 * small ones that put the limit next to the lazy arrays and their
 * elements. */
static const uint32_t k_limits[] = { 256, 3, 5 };
static const char *const k_lazy_keys[] = { "tasks", "inst", NULL };

static bool parse_or_limit(ecs_status st)
{
    return st == ECS_E_PARSE || st == ECS_E_LIMIT;
}

/* The texts of two values (each in its own document) are equal. */
static void same_text(ecs_ctx *ctx, const ecs_json_doc *da, const ecs_json_val *a,
                      const ecs_json_doc *db, const ecs_json_val *b)
{
    char *ta = NULL, *tb = NULL;
    size_t la = 0, lb = 0;
    check(ecs_json_write_text(ctx, da, a, 0, &ta, &la) == ECS_OK);
    check(ecs_json_write_text(ctx, db, b, 0, &tb, &lb) == ECS_OK);
    if (la != lb || memcmp(ta, tb, la) != 0)
        fprintf(stderr, "fuzz_json: lazy element %.*s\n           ordinary     %.*s\n",
                (int)(la > 400 ? 400 : la), ta, (int)(lb > 400 ? 400 : lb), tb);
    check(la == lb && memcmp(ta, tb, la) == 0);
    ecs_json_text_free(ctx, ta, la);
    ecs_json_text_free(ctx, tb, lb);
}

/* Two scalars of the same type are equal. */
static void same_scalar(const ecs_json_doc *da, const ecs_json_val *a, const ecs_json_doc *db,
                        const ecs_json_val *b)
{
    switch (ecs_json_type_of(a)) {
    case ECS_JSON_INT: {
        int64_t x = 0, y = 0;
        check(ecs_json_get_int(a, &x) == ECS_OK && ecs_json_get_int(b, &y) == ECS_OK && x == y);
        break;
    }
    case ECS_JSON_DOUBLE: {
        double x = 0, y = 0;
        check(ecs_json_get_double(a, &x) == ECS_OK && ecs_json_get_double(b, &y) == ECS_OK);
        check(memcmp(&x, &y, sizeof x) == 0);
        check((ecs_json_get_int(a, &(int64_t){ 0 }) == ECS_E_LIMIT) ==
              (ecs_json_get_int(b, &(int64_t){ 0 }) == ECS_E_LIMIT));
        break;
    }
    case ECS_JSON_STRING: {
        size_t la = 0, lb = 0;
        const char *sa = ecs_json_str(da, a, &la), *sb = ecs_json_str(db, b, &lb);
        check(sa != NULL && sb != NULL && la == lb && memcmp(sa, sb, la) == 0);
        break;
    }
    case ECS_JSON_NULL:
    case ECS_JSON_FALSE:
    case ECS_JSON_TRUE:
    case ECS_JSON_ARRAY:
    case ECS_JSON_OBJECT:
        break;
    }
}

/* Read every element of lazy array lz (at lv); od/ov is the ordinary
 * parse's array at the same place, or NULL when the ordinary parse failed.
 * Returns the status of reading the elements. */
static ecs_status read_lazy(ecs_ctx *ctx, const char *in, const ecs_json_lazy *lz,
                            const ecs_json_val *lv, const ecs_json_doc *od,
                            const ecs_json_val *ov)
{
    ecs_json_elems it;
    const ecs_json_val *oe = NULL;
    size_t n = 0;
    ecs_status rc;

    check(ecs_json_type_of(lv) == ECS_JSON_ARRAY && ecs_json_len(lv) == 0);
    check(ecs_json_first(lv) == NULL);
    check(in[lz->off] == '[' && in[lz->off + lz->len - 1] == ']');
    if (od != NULL) {
        check(ecs_json_type_of(ov) == ECS_JSON_ARRAY);
        oe = ecs_json_first(ov);
    }
    check(ecs_json__elems_begin(ctx, in, lz, &it) == ECS_OK);
    for (;;) {
        const ecs_json_doc *ed = NULL;
        const ecs_json_val *e = NULL;
        rc = ecs_json__elems_next(&it, &ed, &e);
        if (rc != ECS_OK)
            break;
        if (e == NULL) {
            /* past the end it stays at the end */
            check(ecs_json__elems_next(&it, &ed, &e) == ECS_OK && e == NULL);
            break;
        }
        n++;
        check(ed != NULL);
        if (od != NULL) {
            check(oe != NULL);
            same_text(ctx, ed, e, od, oe);
            oe = ecs_json_next(ov, oe);
        }
    }
    ecs_json__elems_end(&it);
    if (rc == ECS_OK) {
        if (n != lz->count)
            fprintf(stderr, "fuzz_json: lazy count %zu, elements read %zu\n", lz->count, n);
        check(n == lz->count);
        if (od != NULL)
            check(oe == NULL && ecs_json_len(ov) == n);
    }
    return rc;
}

/* Walk the lazy tree (ld, lv) and, when od is not NULL, the ordinary tree
 * (od, ov) in step, reading every lazy array. Returns ECS_OK, or the first
 * failure reading a lazy array's elements. */
static ecs_status walk(ecs_ctx *ctx, const char *in, const ecs_json_doc *ld,
                       const ecs_json_val *lv, const ecs_json_doc *od, const ecs_json_val *ov)
{
    const ecs_json_lazy *lz = ecs_json__lazy_of(ld, lv);
    ecs_json_type t = ecs_json_type_of(lv);
    ecs_status rc;

    if (lz != NULL)
        return read_lazy(ctx, in, lz, lv, od, ov);
    if (od != NULL) {
        check(ecs_json_type_of(ov) == t);
        check(ecs_json_len(ov) == ecs_json_len(lv));
    }
    if (t == ECS_JSON_ARRAY || t == ECS_JSON_OBJECT) {
        const ecs_json_val *l = ecs_json_first(lv);
        const ecs_json_val *o = od != NULL ? ecs_json_first(ov) : NULL;
        bool name = t == ECS_JSON_OBJECT;
        for (; l != NULL; l = ecs_json_next(lv, l)) {
            if (od != NULL)
                check(o != NULL);
            if (name) {
                check(ecs_json_type_of(l) == ECS_JSON_STRING);
                if (od != NULL)
                    same_scalar(ld, l, od, o);
            } else if ((rc = walk(ctx, in, ld, l, od, o)) != ECS_OK) {
                return rc;
            }
            if (t == ECS_JSON_OBJECT)
                name = !name;
            if (od != NULL)
                o = ecs_json_next(ov, o);
        }
        if (od != NULL)
            check(o == NULL);
    } else if (od != NULL) {
        same_scalar(ld, lv, od, ov);
    }
    return ECS_OK;
}

/* The differential check under ctx's depth limit; od is ecs_json_parse()'s
 * document of the same input under the same limit (NULL when it failed,
 * with status orc). */
static void lazy_diff(ecs_ctx *ctx, const char *in, size_t size, const ecs_json_doc *od,
                      ecs_status orc)
{
    for (uint32_t d = 1; d <= 3; d++) {
        ecs_json_doc *ld = NULL;
        ecs_status rc = ecs_json__parse_lazy(ctx, in, size, ECS_MAX_JSON_BYTES, k_lazy_keys, d, &ld);
        if (rc == ECS_OK) {
            rc = walk(ctx, in, ld, ecs_json_root(ld), od, ecs_json_root(od));
            if (rc == ECS_OK && od != NULL) {
                /* the lazy tree writes as itself */
                char *t = NULL;
                size_t l = 0;
                check(ecs_json_write_text(ctx, ld, ecs_json_root(ld), 0, &t, &l) == ECS_OK);
                ecs_json_text_free(ctx, t, l);
            }
        }
        if ((rc == ECS_OK) != (od != NULL))
            fprintf(stderr,
                    "fuzz_json: lazy depth %u: lazy read %s (%s), ordinary parse %s (%s)\n",
                    (unsigned)d, rc == ECS_OK ? "succeeded" : "failed",
                    rc == ECS_OK ? "" : ecs_ctx_errmsg(ctx), od != NULL ? "succeeded" : "failed",
                    od != NULL ? "" : "see above");
        check((rc == ECS_OK) == (od != NULL));
        if (rc != ECS_OK) {
            check(parse_or_limit(rc));
            check(parse_or_limit(orc));
            check(ecs_ctx_errmsg(ctx)[0] != '\0');
        }
        ecs_json_doc_free(ld);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ecs_ctx_options opts = ECS_CTX_OPTIONS_INIT;
    ecs_ctx *ctx = NULL;
    ecs_json_doc *doc = NULL, *doc2 = NULL, *doc3 = NULL;
    char *t1 = NULL, *t2 = NULL, *t3 = NULL, *ti = NULL;
    size_t l1 = 0, l2 = 0, l3 = 0, li = 0;
    ecs_status prc;

    opts.max_json_depth = 256;
    if (ecs_ctx_new(&opts, &ctx) != ECS_OK)
        return 0;
    prc = ecs_json_parse(ctx, (const char *)data, size, NULL, &doc);
    if (prc == ECS_OK) {
        check(ecs_json_write_text(ctx, doc, ecs_json_root(doc), 0, &t1, &l1) == ECS_OK);
        check(ecs_json_parse(ctx, t1, l1, NULL, &doc2) == ECS_OK);
        check(ecs_json_write_text(ctx, doc2, ecs_json_root(doc2), 0, &t2, &l2) == ECS_OK);
        check(l1 == l2 && memcmp(t1, t2, l1) == 0);
        check(ecs_json_write_text(ctx, doc, ecs_json_root(doc), ECS_JSON_W_F_INDENT, &ti, &li) ==
              ECS_OK);
        check(ecs_json_parse(ctx, ti, li, NULL, &doc3) == ECS_OK);
        check(ecs_json_write_text(ctx, doc3, ecs_json_root(doc3), 0, &t3, &l3) == ECS_OK);
        check(l1 == l3 && memcmp(t1, t3, l1) == 0);
    } else {
        check(ecs_ctx_errmsg(ctx)[0] != '\0');
        check(ecs_ctx_errcode(ctx) < 0);
    }
    ecs_json_text_free(ctx, t1, l1);
    ecs_json_text_free(ctx, t2, l2);
    ecs_json_text_free(ctx, t3, l3);
    ecs_json_text_free(ctx, ti, li);
    ecs_json_doc_free(doc2);
    ecs_json_doc_free(doc3);

    /* the lazy parse against the ordinary one, under each depth limit */
    for (size_t k = 0; k < sizeof k_limits / sizeof k_limits[0]; k++) {
        ecs_ctx *c = ctx;
        ecs_json_doc *od = doc;
        ecs_status orc = prc;
        if (k_limits[k] != opts.max_json_depth) {
            ecs_ctx_options o2 = ECS_CTX_OPTIONS_INIT;
            o2.max_json_depth = k_limits[k];
            check(ecs_ctx_new(&o2, &c) == ECS_OK);
            od = NULL;
            orc = ecs_json_parse(c, (const char *)data, size, NULL, &od);
            check((orc == ECS_OK) == (od != NULL));
        }
        lazy_diff(c, (const char *)data, size, od, orc);
        if (c != ctx) {
            ecs_json_doc_free(od);
            ecs_ctx_free(c);
        }
    }
    ecs_json_doc_free(doc);
    ecs_ctx_free(ctx);
    return 0;
}
