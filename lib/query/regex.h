/*
 * A regular-expression engine of our own for the query language's =~ and
 * !~ operators: Thompson-NFA simulation, so matching takes time linear in
 * the subject for every pattern (O(subject length x program size)) and
 * memory bounded by the program size, with no backtracking and no
 * exponential blow-up, ever. Matching is whole-subject (like Java's
 * Pattern.matches()).
 *
 * Syntax (the subset people write in these expressions): literal
 * characters; '.' (any character); classes [abc], [a-z], [^...] with the
 * escapes below inside; anchors ^ and $ (redundant under whole-subject
 * matching, accepted); quantifiers *, +, ?, {m}, {m,}, {m,n} (m, n <= 100),
 * each optionally followed by '?' (lazy; same result under whole matching);
 * alternation |; groups ( ) and (?: ); escapes \d \D \w \W \s \S and
 * \ followed by any punctuation for the literal character. Characters are
 * bytes of UTF-8 text; '.' and negated classes match one byte.
 */
#ifndef ECS_QUERY_REGEX_H
#define ECS_QUERY_REGEX_H

#include <stdbool.h>
#include <stddef.h>

#include "util/ctx_internal.h"

/* Most instructions a compiled pattern may have (counted repetitions
 * expand); beyond it compilation fails with ECS_E_LIMIT. */
#define ECS_REGEX_MAX_PROGRAM 4096

typedef struct ecs_regex ecs_regex;

/* Compile; ECS_E_PARSE with position and reason in the context on a bad
 * pattern (offsets relative to the pattern), ECS_E_LIMIT, ECS_E_NOMEM. */
ecs_status ecs_regex__compile(ecs_ctx *ctx, const char *pattern, size_t len, ecs_regex **out);
void ecs_regex__free(ecs_ctx *ctx, ecs_regex *re);

/* Whole-subject match. Allocation-free: the simulation state lives inside
 * the compiled regex, so one ecs_regex must not be matched from two threads
 * at once. */
bool ecs_regex__match(ecs_regex *re, const char *s, size_t len);

/* Steps (instruction visits) the last match took, for tests and fuzzers
 * that check the linear bound. */
size_t ecs_regex__last_steps(const ecs_regex *re);

#endif /* ECS_QUERY_REGEX_H */
