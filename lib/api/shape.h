/*
 * Request shapes of the ECS API, as data: for every action the structure of
 * its input (members, their JSON types, required members, enum values),
 * generated from the public API model by tools/gen_shapes.py into
 * shapes_gen.c. ecs_shape__check() holds a request to that structure before
 * any handler sees it, so handlers can rely on types being right.
 */
#ifndef ECS_API_SHAPE_H
#define ECS_API_SHAPE_H

#include <stddef.h>
#include <stdint.h>

#include "util/api_error.h"
#include "ecs/json.h"

/* Index of the input shape of an ECS action (exact, case-sensitive name),
 * or -1 when the API has no such action. */
int ecs_shape__action_input(const char *action, size_t len);

/* Number of actions the API model knows, and the name of action i. */
size_t ecs_shape__action_count(void);
const char *ecs_shape__action_name(size_t i);

/*
 * Check request `val` of document `doc` against input shape `shape`.
 * What is refused, with the path of the offending member in the message:
 *  - a JSON type the shape does not allow (a string where an integer is
 *    due, an object where a list is due, an integer outside 32 bits for an
 *    Integer member...): SerializationException;
 *  - a member the structure does not have: InvalidParameterException,
 *    "Unknown parameter in <path>: \"<name>\", must be one of: a, b, ...";
 *  - null anywhere: InvalidParameterException (null is not a value in the
 *    ECS API; leave the member out);
 *  - a missing required member: InvalidParameterException;
 *  - a string that is not one of its enum's values: InvalidParameterException.
 * Returns ECS_OK, or a negative status with err filled.
 */
ecs_status ecs_shape__check(ecs_api_error *err, const ecs_json_doc *doc, const ecs_json_val *val,
                            int shape);

#endif /* ECS_API_SHAPE_H */
