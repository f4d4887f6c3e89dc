/*
 * libFuzzer harness for lib/json: parse the input; when it is accepted,
 * write it compactly, parse that again and write it again: the two texts
 * must be identical (the writer's output is canonical), and the indented
 * form must parse to the same compact text. Any difference aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ecs/ecs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
    if (!ok)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ecs_ctx_options opts = ECS_CTX_OPTIONS_INIT;
    ecs_ctx *ctx = NULL;
    ecs_json_doc *doc = NULL, *doc2 = NULL, *doc3 = NULL;
    char *t1 = NULL, *t2 = NULL, *t3 = NULL, *ti = NULL;
    size_t l1 = 0, l2 = 0, l3 = 0, li = 0;

    opts.max_json_depth = 256;
    if (ecs_ctx_new(&opts, &ctx) != ECS_OK)
        return 0;
    if (ecs_json_parse(ctx, (const char *)data, size, NULL, &doc) == ECS_OK) {
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
    ecs_json_doc_free(doc);
    ecs_json_doc_free(doc2);
    ecs_json_doc_free(doc3);
    ecs_ctx_free(ctx);
    return 0;
}
