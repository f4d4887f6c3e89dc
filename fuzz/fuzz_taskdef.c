/*
 * libFuzzer harness for the task-definition decoder and validator
 * (lib/model: taskdef_codec.c, taskdef_normalise.c and the rules): the input is
 * a RegisterTaskDefinition request. It is parsed, held to the API model's
 * input shape of RegisterTaskDefinition and decoded strictly; a request
 * the strict path refuses goes through the lenient path too (read-only
 * members and nulls stripped first, as ECS_PLANE_F_LENIENT_TASKDEF does).
 * When a definition is accepted, its members are written into an object
 * (the describe form), that text is parsed, stripped as the lenient path
 * would strip pasted describe output, shape-checked and decoded again, and
 * written again: the second decode must succeed, reserve the same CPU and
 * memory, and both texts must be identical (normalising is idempotent).
 * Any difference aborts. A refusal must name an ECS error code.
 * Dictionary: fuzz/dict/taskdef.dict (member names and enum values).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/shape.h"
#include "ecs/ecs.h"
#include "model/taskdef.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok)
{
    if (!ok)
        abort();
}

/* Shape check and strict decode of doc's root; *out set on success. */
static ecs_status decode(ecs_ctx *ctx, int shape, const ecs_json_doc *doc, ecs_taskdef **out)
{
    ecs_api_error err;
    ecs_status rc;
    err.code = "";
    err.message[0] = '\0';
    rc = ecs_shape__check(&err, doc, ecs_json_root(doc), shape);
    if (rc == ECS_OK)
        rc = ecs_taskdef__from_request(ctx, &err, doc, ecs_json_root(doc), 0, out);
    if (rc != ECS_OK) {
        check(rc < 0 && rc != ECS_E_NOMEM && rc != ECS_E_INTERNAL);
        check(err.code != NULL && err.code[0] != '\0' && err.message[0] != '\0');
    }
    return rc;
}

/* The describe form of td's members as a compact object; *out from the
 * context's allocator (ecs_json_text_free). */
static void describe(ecs_ctx *ctx, const ecs_taskdef *td, char **out, size_t *out_len)
{
    ecs_json_writer *w = NULL;
    const char *t;
    size_t n;
    check(ecs_json_writer_new(ctx, 0, &w) == ECS_OK);
    check(ecs_json_write_obj_begin(w) == ECS_OK);
    check(ecs_taskdef__write_members(w, td) == ECS_OK);
    check(ecs_json_write_obj_end(w) == ECS_OK);
    check(ecs_json_writer_result(w, &t, &n) == ECS_OK);
    *out = malloc(n + 1);
    check(*out != NULL);
    memcpy(*out, t, n + 1);
    *out_len = n;
    ecs_json_writer_free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ecs_ctx_options opts = ECS_CTX_OPTIONS_INIT;
    ecs_ctx *ctx = NULL;
    ecs_json_doc *doc = NULL, *lenient = NULL, *doc2 = NULL, *doc3 = NULL;
    ecs_taskdef *td = NULL, *td2 = NULL;
    char *t1 = NULL, *t2 = NULL;
    size_t l1 = 0, l2 = 0;
    int shape = ecs_shape__action_input("RegisterTaskDefinition", 22);

    check(shape >= 0);
    opts.max_json_depth = 64;
    if (size > 65536 || ecs_ctx_new(&opts, &ctx) != ECS_OK)
        return 0;
    if (ecs_json_parse(ctx, (const char *)data, size, NULL, &doc) != ECS_OK)
        goto done;
    if (decode(ctx, shape, doc, &td) != ECS_OK) {
        ecs_status rc = ecs_taskdef__strip_readonly(ctx, doc, ecs_json_root(doc), &lenient);
        check(rc == ECS_OK || rc == ECS_E_LIMIT);
        if (rc != ECS_OK || decode(ctx, shape, lenient, &td) != ECS_OK)
            goto done;
    }
    describe(ctx, td, &t1, &l1);
    check(l1 <= ECS_TASKDEF_MAX_BYTES + 4096);
    check(ecs_json_parse(ctx, t1, l1, NULL, &doc2) == ECS_OK);
    check(ecs_taskdef__strip_readonly(ctx, doc2, ecs_json_root(doc2), &doc3) == ECS_OK);
    check(decode(ctx, shape, doc3, &td2) == ECS_OK);
    describe(ctx, td2, &t2, &l2);
    check(l1 == l2 && memcmp(t1, t2, l1) == 0);
    check(ecs_taskdef__reserved_cpu(td) == ecs_taskdef__reserved_cpu(td2));
    check(ecs_taskdef__reserved_memory(td) == ecs_taskdef__reserved_memory(td2));
    check(td->network_mode == td2->network_mode && td->compatibilities == td2->compatibilities);
    check(td->ncontainers == td2->ncontainers && td->ncontainers >= 1 &&
          td->ncontainers <= ECS_TASKDEF_MAX_CONTAINERS);
done:
    free(t1);
    free(t2);
    ecs_taskdef__free(ctx, td);
    ecs_taskdef__free(ctx, td2);
    ecs_json_doc_free(doc);
    ecs_json_doc_free(lenient);
    ecs_json_doc_free(doc2);
    ecs_json_doc_free(doc3);
    ecs_ctx_free(ctx);
    return 0;
}
