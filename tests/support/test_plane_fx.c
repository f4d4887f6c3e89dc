/*
 * The fixture the control-plane tests share: a plane on a counting,
 * failing allocator, and helpers to call it and read its answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_plane_fx.h"
#include "test_util.h"

int setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    ecs_plane_options o = ECS_PLANE_OPTIONS_INIT;
    test_alloc_init(&f->ta);
    f->ctx = test_ctx_new(&f->ta);
    o.seed = 42;
    if (ecs_plane_new(f->ctx, &o, &f->pl) != ECS_OK)
        return -1;
    *state = f;
    return 0;
}

int teardown(void **state)
{
    fx *f = *state;
    ecs_json_doc_free(f->doc);
    ecs_plane_free(f->pl);
    test_ctx_free_check(f->ctx, &f->ta);
    free(f);
    return 0;
}

ecs_status call(fx *f, const char *action, const char *req)
{
    const char *out = NULL;
    size_t len = 0;
    ecs_status rc = ecs_plane_call(f->pl, action, strlen(action), req, req ? strlen(req) : 0, &out,
                                   &len);
    ecs_json_doc_free(f->doc);
    f->doc = NULL;
    assert_non_null(out);
    assert_int_equal(ecs_json_parse(f->ctx, out, len, NULL, &f->doc), ECS_OK);
    return rc;
}

void ok(fx *f, const char *action, const char *req)
{
    ecs_status rc = call(f, action, req);
    if (rc != ECS_OK)
        fail_msg("%s %s: %s %s", action, req ? req : "", ecs_plane_error_code(f->pl),
                 ecs_ctx_errmsg(f->ctx));
}

void fails(fx *f, const char *action, const char *req, const char *code, const char *needle)
{
    const char *d;
    size_t dl;
    char *before;
    ecs_status rc;
    assert_int_equal(ecs_plane_dump(f->pl, &d, &dl), ECS_OK);
    before = malloc(dl + 1);
    memcpy(before, d, dl + 1);
    rc = call(f, action, req);
    if (rc >= 0)
        fail_msg("%s %s succeeded, expected %s", action, req, code);
    if (strcmp(ecs_plane_error_code(f->pl), code) != 0)
        fail_msg("%s %s: got %s (%s), expected %s", action, req, ecs_plane_error_code(f->pl),
                 ecs_ctx_errmsg(f->ctx), code);
    if (needle != NULL && strstr(ecs_ctx_errmsg(f->ctx), needle) == NULL)
        fail_msg("%s: message \"%s\" does not mention \"%s\"", action, ecs_ctx_errmsg(f->ctx),
                 needle);
    {
        const ecs_json_val *root = ecs_json_root(f->doc);
        size_t n = 0;
        const char *t = ecs_json_str(f->doc, ecs_json_obj_get(f->doc, root, "__type", 6), &n);
        assert_non_null(t);
        assert_string_equal(t, code);
    }
    assert_int_equal(ecs_plane_dump(f->pl, &d, &dl), ECS_OK);
    if (strcmp(before, d) != 0)
        fail_msg("%s %s changed the state although it failed", action, req);
    free(before);
}

const ecs_json_val *at(fx *f, const char *path)
{
    const ecs_json_val *v = ecs_json_root(f->doc);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *tok = strtok(buf, "."); tok != NULL && v != NULL; tok = strtok(NULL, ".")) {
        if (tok[0] >= '0' && tok[0] <= '9')
            v = ecs_json_arr_get(v, (size_t)atoi(tok));
        else
            v = ecs_json_obj_get(f->doc, v, tok, strlen(tok));
    }
    return v;
}

const char *str_at(fx *f, const char *path)
{
    const char *s = ecs_json_str(f->doc, at(f, path), NULL);
    if (s == NULL)
        fail_msg("no string at %s", path);
    return s;
}

int64_t int_at(fx *f, const char *path)
{
    int64_t v = 0;
    if (ecs_json_get_int(at(f, path), &v) != ECS_OK)
        fail_msg("no integer at %s", path);
    return v;
}

size_t len_at(fx *f, const char *path)
{
    const ecs_json_val *v = at(f, path);
    if (v == NULL)
        fail_msg("nothing at %s", path);
    return ecs_json_len(v);
}
