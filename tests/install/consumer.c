/* A host program built outside the tree against an installed libecs. */
#include <stdio.h>
#include <string.h>

#include <ecs/ecs.h>

int main(void)
{
    static const char text[] = "{\"family\":\"my-api\",\"cpu\":\"256\",\"memory\":\"512\"}";
    ecs_ctx *ctx = NULL;
    ecs_json_doc *doc = NULL;
    char *out = NULL;
    size_t out_len = 0;
    int ok;

    if (ecs_version() != ECS_VERSION_NUMBER) {
        fprintf(stderr, "headers %s but library %s\n", ECS_VERSION_STRING, ecs_version_string());
        return 1;
    }
    if (ecs_ctx_new(NULL, &ctx) != ECS_OK)
        return 1;
    if (ecs_json_parse(ctx, text, sizeof text - 1, NULL, &doc) != ECS_OK ||
        ecs_json_write_text(ctx, doc, ecs_json_root(doc), 0, &out, &out_len) != ECS_OK) {
        fprintf(stderr, "%s\n", ecs_ctx_errmsg(ctx));
        return 1;
    }
    ok = out_len == sizeof text - 1 && memcmp(out, text, out_len) == 0;
    printf("consumer: libecs %s, round trip %s\n", ecs_version_string(), ok ? "ok" : "FAILED");
    ecs_json_text_free(ctx, out, out_len);
    ecs_json_doc_free(doc);
    ecs_ctx_free(ctx);
    return ok ? 0 : 1;
}
