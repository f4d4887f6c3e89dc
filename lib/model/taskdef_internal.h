/*
 * What the task-definition files share (lib/model/taskdef*.c, the
 * decoder taskdef_codec.c among them): recording a refusal, defensive readers of the
 * request JSON, name and unit parsing, and the rule passes run by
 * ecs_taskdef__from_request() in this order:
 *
 *   codec decode      types of what it reads, and the plain data of
 *                     ecs_taskdef (names, sizes, ports, memberOf);
 *   check_rules       every launch-type independent rule of spec 1.3/1.4
 *                     (taskdef_rules.c, taskdef_task.c, taskdef_deps.c);
 *   check_launch      each requested launch type's checks, and the
 *                     compatibilities ECS would list (taskdef_launch.c);
 *   derive_attributes requiresAttributes (taskdef_attrs.c).
 *
 * The passes read the request again where ecs_taskdef keeps nothing, so
 * every reader checks JSON types itself: a request that skipped the shape
 * check still gets an error, never a crash.
 */
#ifndef ECS_MODEL_TASKDEF_INTERNAL_H
#define ECS_MODEL_TASKDEF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/taskdef.h"

/* A string borrowed from the request document; p == NULL when absent. */
typedef struct ecs_tdstr {
    const char *p;
    size_t len;
} ecs_tdstr;

/* What a pass needs: where errors go and the request being registered.
 * cobj[i] is the JSON object of td->containers[i]. ctx may be NULL when a
 * pass only probes (compatibilities): nothing is recorded there then. */
typedef struct ecs_tdscan {
    ecs_ctx *ctx;
    ecs_api_error *err;
    const ecs_json_doc *doc;
    const ecs_json_val *req;
    const ecs_json_val *cobj[ECS_TASKDEF_MAX_CONTAINERS];
} ecs_tdscan;

#define ECS_TD_NONE SIZE_MAX /* "no such container" from ecs_taskdef__find */

/* Record a refusal in err (and in ctx when not NULL) and return the status:
 * client: ClientException, ECS_E_INVALID_ARG (a rule is broken);
 * invalid: InvalidParameterException, ECS_E_INVALID_ARG (a malformed value);
 * limit: ClientException, ECS_E_LIMIT (a quota of spec 6.1). */
ecs_status ecs_taskdef__client(const ecs_tdscan *s, const char *fmt, ...) ECS_PRINTF(2, 3);
ecs_status ecs_taskdef__invalid(const ecs_tdscan *s, const char *fmt, ...) ECS_PRINTF(2, 3);
ecs_status ecs_taskdef__limit(const ecs_tdscan *s, const char *fmt, ...) ECS_PRINTF(2, 3);
/* After a failed allocation (the context holds ECS_E_NOMEM): err gets
 * ServerException with the context's message. Returns ECS_E_NOMEM. */
ecs_status ecs_taskdef__nomem(const ecs_tdscan *s);

/* Member `key` of obj, or NULL when absent, null, or obj is no object. */
const ecs_json_val *ecs_taskdef__get(const ecs_json_doc *doc, const ecs_json_val *obj,
                                     const char *key);

/*
 * Typed readers of member `key` of obj, whose own path is `path`. Absent
 * (or null) members are not an error: the outputs say so. A member of the
 * wrong JSON type is InvalidParameterException naming path.key.
 *   str:  out->p NULL when absent.
 *   int:  a JSON integer within 32 bits (the API's Integer); *has false when
 *         absent.
 *   bool: *has false when absent.
 *   arr, obj: *out NULL when absent.
 */
ecs_status ecs_taskdef__str(const ecs_tdscan *s, const ecs_json_val *obj, const ecs_path *path,
                            const char *key, ecs_tdstr *out);
ecs_status ecs_taskdef__int(const ecs_tdscan *s, const ecs_json_val *obj, const ecs_path *path,
                            const char *key, bool *has, int64_t *out);
ecs_status ecs_taskdef__bool(const ecs_tdscan *s, const ecs_json_val *obj, const ecs_path *path,
                             const char *key, bool *has, bool *out);
ecs_status ecs_taskdef__arr(const ecs_tdscan *s, const ecs_json_val *obj, const ecs_path *path,
                            const char *key, const ecs_json_val **out);
ecs_status ecs_taskdef__obj(const ecs_tdscan *s, const ecs_json_val *obj, const ecs_path *path,
                            const char *key, const ecs_json_val **out);
/* Element checks: an array element must be an object / a string. `path` is
 * the element's own path. */
ecs_status ecs_taskdef__elem_obj(const ecs_tdscan *s, const ecs_json_val *v, const ecs_path *path);
ecs_status ecs_taskdef__elem_str(const ecs_tdscan *s, const ecs_json_val *v, const ecs_path *path,
                                 ecs_tdstr *out);

/* A copy of path with ".key" / "[i]" appended (cut with "..." when long). */
ecs_path ecs_taskdef__path_key(const ecs_path *path, const char *key);
ecs_path ecs_taskdef__path_index(const ecs_path *path, size_t index);
/* The path "containerDefinitions[i]". */
ecs_path ecs_taskdef__cpath(size_t i);

bool ecs_taskdef__str_eq(const ecs_tdstr *a, const char *lit);

/* 1-255 characters of [A-Za-z0-9_-]: families, containers, volumes. */
bool ecs_taskdef__valid_name(const char *p, size_t len);

/* Image references (spec 1.4). */
typedef enum ecs_image_check {
    ECS_IMAGE_OK = 0,
    ECS_IMAGE_BAD_CHARS,
    ECS_IMAGE_TOO_LONG
} ecs_image_check;
ecs_image_check ecs_taskdef__check_image(const char *p, size_t len);

/*
 * Task-level size strings: an integer count of units ("1024"), or a number
 * with the unit suffix `unit` (case-insensitive, spaces allowed before it:
 * "1 vCPU", ".25 vcpu", "2GB") times 1024. The result must be integral and
 * fit 32 bits. Returns false for anything else; 0 is returned as a value
 * (the caller refuses it).
 */
bool ecs_taskdef__parse_units(const char *p, size_t len, const char *unit, uint32_t *out);

/* containerPortRange "first-last" with 1 <= first < last <= 65535. */
bool ecs_taskdef__parse_port_range(const char *p, size_t len, uint32_t *first, uint32_t *last);

/* Index of the container called name, or ECS_TD_NONE. */
size_t ecs_taskdef__find(const ecs_taskdef *td, const char *name, size_t len);

/* Whether (cpu, memory) is one of Fargate's 74 task sizes (spec 1.3). */
bool ecs_taskdef__fargate_size_ok(uint32_t cpu, uint32_t memory_mib);

/* true when runtimePlatform.operatingSystemFamily names a Windows family. */
bool ecs_taskdef__is_windows(const ecs_tdscan *s);

/* Private ECR image ("<account>.dkr.ecr.<region>.amazonaws.com/..."). */
bool ecs_taskdef__is_ecr_image(const char *p, size_t len);

/* The read-only members of describe output (see ECS_TASKDEF_F_LENIENT). */
bool ecs_taskdef__is_readonly(const char *name, size_t len);

/* The passes. Each returns ECS_OK or the first refusal (err and ctx set). */
ecs_status ecs_taskdef__check_rules(const ecs_tdscan *s, const ecs_taskdef *td);
ecs_status ecs_taskdef__check_task(const ecs_tdscan *s);
ecs_status ecs_taskdef__check_deps(const ecs_tdscan *s, const ecs_taskdef *td);
ecs_status ecs_taskdef__check_launch(const ecs_tdscan *s, ecs_taskdef *td);
ecs_status ecs_taskdef__derive_attributes(const ecs_tdscan *s, ecs_taskdef *td);
/* A copy of req without null members at any depth (strict mode: the rule
 * passes and td->doc then see the same request). Statuses as
 * ecs_taskdef__strip_readonly(). */
ecs_status ecs_taskdef__strip_nulls(ecs_ctx *ctx, const ecs_json_doc *doc, const ecs_json_val *req,
                                    ecs_json_doc **out);
/* td->doc, the normalised definition (lib/model/taskdef_normalise.c), and the
 * 64 KiB limit on its compact text. */
ecs_status ecs_taskdef__build_doc(const ecs_tdscan *s, ecs_taskdef *td);

#endif /* ECS_MODEL_TASKDEF_INTERNAL_H */
