/**
 * @file ecs/ecs.h
 * @brief Umbrella header: includes every public libecs header.
 */
#ifndef ECS_ECS_H
#define ECS_ECS_H

#include "ecs/export.h"
#include "ecs/version.h"
#include "ecs/status.h"
#include "ecs/context.h"
#include "ecs/rng.h"
#include "ecs/json.h"
#include "ecs/place.h"
#include "ecs/deploy.h"
#include "ecs/plane.h"

#endif /* ECS_ECS_H */
