/*
 * The ECS API's error vocabulary, shared by every floor that validates
 * input (lib/model's task-definition decoder, lib/plane's restore, lib/api's
 * actions): the error an operation fails with (an ECS error code such as
 * "InvalidParameterException" and a message that names the field at fault
 * by its path), and a small builder for such paths
 * ("containerDefinitions[1].memoryReservation"). It sits in lib/util so
 * that those floors can share it without including a floor above their own.
 */
#ifndef ECS_UTIL_API_ERROR_H
#define ECS_UTIL_API_ERROR_H

#include <stddef.h>

#include "ecs/json.h"
#include "util/ctx_internal.h"

#define ECS_API_MSG_SIZE 512

typedef struct ecs_api_error {
    const char *code;               /* static text, e.g. "ClientException" */
    char message[ECS_API_MSG_SIZE]; /* what was wrong, and where */
} ecs_api_error;

/* ECS error codes used across lib/api and lib/plane. */
#define ECS_ERR_CLIENT "ClientException"
#define ECS_ERR_INVALID_PARAMETER "InvalidParameterException"
#define ECS_ERR_SERIALIZATION "SerializationException"
#define ECS_ERR_SERVER "ServerException"
#define ECS_ERR_CLUSTER_NOT_FOUND "ClusterNotFoundException"
#define ECS_ERR_LIMIT_EXCEEDED "LimitExceededException"
#define ECS_ERR_UNKNOWN_OPERATION "UnknownOperationException"

/*
 * Record an ECS error: code (static text) and a printf-style message.
 * Returns status, for `return ecs_api__fail(...)`.
 */
ecs_status ecs_api__fail(ecs_api_error *err, ecs_status status, const char *code,
                         const char *fmt, ...) ECS_PRINTF(4, 5);

/* A JSON path under construction: push a member or an index, pop back to a
 * mark. Paths longer than the buffer are cut with "...". */
typedef struct ecs_path {
    char buf[256];
    size_t len;
} ecs_path;

void ecs_path__init(ecs_path *p);
/* Append ".key" (or "key" at the root); returns the mark to pop back to. */
size_t ecs_path__key(ecs_path *p, const char *key, size_t key_len);
/* Append "[index]"; returns the mark to pop back to. */
size_t ecs_path__index(ecs_path *p, size_t index);
void ecs_path__pop(ecs_path *p, size_t mark);
/* The path so far ("" at the root). */
static inline const char *ecs_path__str(const ecs_path *p)
{
    return p->buf;
}

#endif /* ECS_UTIL_API_ERROR_H */
