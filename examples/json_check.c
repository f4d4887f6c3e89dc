/*
 * json_check: the smallest useful libecs host. It reads a JSON file (or
 * standard input), checks it with libecs's strict parser and prints it back
 * indented, or prints exactly what is wrong and where.
 *
 *   json_check [FILE]
 *
 * Exit status: 0 valid, 1 invalid, 2 could not read the input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ecs/ecs.h>

static char *read_all(FILE *f, size_t *out_len)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
        if (len == cap) {
            char *grown = realloc(buf, cap * 2);
            if (grown == NULL) {
                free(buf);
                return NULL;
            }
            buf = grown;
            cap *= 2;
        }
    }
    if (buf != NULL && ferror(f)) {
        free(buf);
        return NULL;
    }
    *out_len = len;
    return buf;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "-";
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    ecs_ctx *ctx = NULL;
    ecs_json_doc *doc = NULL;
    char *text, *out = NULL;
    size_t len = 0, out_len = 0;
    int status = 0;

    if (f == NULL) {
        fprintf(stderr, "json_check: cannot open %s\n", path);
        return 2;
    }
    text = read_all(f, &len);
    if (f != stdin)
        fclose(f);
    if (text == NULL || ecs_ctx_new(NULL, &ctx) != ECS_OK) {
        fprintf(stderr, "json_check: cannot read %s\n", path);
        free(text);
        return 2;
    }
    if (ecs_json_parse(ctx, text, len, NULL, &doc) != ECS_OK) {
        fprintf(stderr, "%s: %s\n", path, ecs_ctx_errmsg(ctx));
        status = 1;
    } else if (ecs_json_write_text(ctx, doc, ecs_json_root(doc), ECS_JSON_W_F_INDENT, &out,
                                   &out_len) != ECS_OK) {
        fprintf(stderr, "%s: %s\n", path, ecs_ctx_errmsg(ctx));
        status = 1;
    } else {
        printf("%s\n", out);
        fprintf(stderr, "%s: valid JSON, %zu bytes, libecs %s\n", path, len, ecs_version_string());
    }
    ecs_json_text_free(ctx, out, out_len);
    ecs_json_doc_free(doc);
    ecs_ctx_free(ctx);
    free(text);
    return status;
}
