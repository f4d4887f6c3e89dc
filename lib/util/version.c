/* The version of the library that is actually loaded, and status names. */
#include "ecs/status.h"
#include "ecs/version.h"

unsigned ecs_version(void)
{
    return (unsigned)ECS_VERSION_NUMBER;
}

const char *ecs_version_string(void)
{
    return ECS_VERSION_STRING;
}

const char *ecs_status_str(ecs_status status)
{
    switch (status) {
    case ECS_OK: return "ECS_OK";
    case ECS_DONE: return "ECS_DONE";
    case ECS_E_NOMEM: return "ECS_E_NOMEM";
    case ECS_E_INVALID_ARG: return "ECS_E_INVALID_ARG";
    case ECS_E_PARSE: return "ECS_E_PARSE";
    case ECS_E_NOT_FOUND: return "ECS_E_NOT_FOUND";
    case ECS_E_CONFLICT: return "ECS_E_CONFLICT";
    case ECS_E_NO_CAPACITY: return "ECS_E_NO_CAPACITY";
    case ECS_E_LIMIT: return "ECS_E_LIMIT";
    case ECS_E_STATE: return "ECS_E_STATE";
    case ECS_E_INTERNAL: return "ECS_E_INTERNAL";
    }
    return "ECS_E_UNKNOWN";
}
