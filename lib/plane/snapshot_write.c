/*
 * ecs_plane_snapshot(): the whole control plane as one versioned JSON
 * document, for a host that persists its state or replicates it through a
 * consensus log; ecs_plane_restore() (snapshot_read.c) makes a plane from
 * it that behaves exactly like the original from then on.
 *
 * The document holds everything that decides future answers: the seed and
 * the generator's state, the clock, the options, subnets, every task
 * definition revision (its normalised definition, decoded again on
 * restore), every cluster with its instances, tasks and client tokens.
 * Placement indexes are not in it: they are a cache of that state, rebuilt
 * from it (and rebuilt the same way in the original), so a snapshot is
 * compact: short member names, empty members left out. 64-bit values that
 * may exceed a double's precision (the generator's state) are hex strings.
 *
 * Format 2 (ECS_SNAPSHOT_VERSION; version 1 had no services and is not
 * read any more):
 *   {"format":"libecs-snapshot","version":2, "seed":"HEX", "rng":[4 x "HEX"],
 *    "flags":N, "region":S, "account":S, "nowMs":N, "maxInstances":N,
 *    "fargateLimit":N, "subnets":[{"id","az","next"}],
 *    "families":[{"name","last","revs":[{"rev","st","at","dat","def":{...},
 *                 "tags":[[k,v]...]}]}],
 *    "clusters":[{"name","active","ci","tags","asvc","inst":[...],
 *                 "svcs":[...],"tasks":[...],"tokens":[...]}]}
 * "asvc" is the cluster's activeServicesCount (left out when 0).
 * A service (see write_service) is an object, in the cluster's creation
 * order; tasks refer to one by its index in "svcs", so services come
 * before tasks:
 *   {"name","arn","st","lt","desired","min","max","created","nextDep",
 *    "daemon","brk","brkRb","grace","memberOf":[S...],"distinct",
 *    "strat":[[type, field]...],"stratGiven","subnets":[S...],"sgs":[S...],
 *    "pip","net","exec","mtags","ptags","token","fp":HEX,
 *    "lbs":[[targetGroupArn,loadBalancerName,containerName,port]],"tags":[[k,v]...],
 *    "deps":[{"seq","id","fam","rev","st","ro","at","upd","failed"}...],
 *    "events":[[id, message, atMs]...],"startFail","nextLaunch","steady",
 *    "pfKind","pfAt","inactive","alarms":[S],"alarmsOn","alarmsRb","newOnly",
 *    "doneFam","doneRev","doneId"} (doneX: the last COMPLETED deployment, for rollback)
 * and at the top "targetGroups":[[arn, delaySeconds]], "alarms":[[name, inAlarm, changedMs]],
 * "providers":[{"name","arn","asg","deleted","mtp","tags"}]; clusters carry
 * "cps":[S] and "cpDefault", services "cps": strategies as [[name, base, weight]].
 * Strings, arrays and the flags and counters from "daemon" on are left out
 * when empty or 0. A deployment names its revision by family and number.
 * Tasks are positional arrays (see write_task) to keep a million of them
 * small and quick to read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plane/plane_internal.h"


#define K(w, lit) ecs_json_write_key((w), (lit), sizeof(lit) - 1)

static void s_member(ecs_json_writer *w, const char *key, const ecs_str *s)
{
    if (s->len == 0)
        return;
    ecs_json_write_key(w, key, strlen(key));
    ecs_json_write_str(w, s->p, s->len);
}

static void i_member(ecs_json_writer *w, const char *key, int64_t v)
{
    ecs_json_write_key(w, key, strlen(key));
    ecs_json_write_int(w, v);
}

static void hex_u64(ecs_json_writer *w, uint64_t v)
{
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%016llx", (unsigned long long)v);
    ecs_json_write_str(w, buf, n > 0 ? (size_t)n : 0);
}

static void tags_compact(ecs_json_writer *w, const ecs_tags *t)
{
    if (t->n == 0)
        return;
    K(w, "tags");
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < t->n; i++) {
        ecs_json_write_arr_begin(w);
        ecs_json_write_str(w, ecs_str__c(&t->items[i].key), t->items[i].key.len);
        ecs_json_write_str(w, ecs_str__c(&t->items[i].value), t->items[i].value.len);
        ecs_json_write_arr_end(w);
    }
    ecs_json_write_arr_end(w);
}

static void ports(ecs_json_writer *w, const char *key, const uint16_t *p, size_t n)
{
    if (n == 0)
        return;
    ecs_json_write_key(w, key, strlen(key));
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < n; i++)
        ecs_json_write_int(w, p[i]);
    ecs_json_write_arr_end(w);
}

static void write_instance(ecs_json_writer *w, const ecs_instance *in)
{
    ecs_json_write_obj_begin(w);
    s_member(w, "id", &in->id);
    s_member(w, "ec2", &in->ec2_instance_id);
    s_member(w, "az", &in->availability_zone);
    s_member(w, "type", &in->instance_type);
    s_member(w, "ami", &in->ami_id);
    s_member(w, "av", &in->agent_version);
    s_member(w, "ah", &in->agent_hash);
    s_member(w, "dv", &in->docker_version);
    i_member(w, "st", (int64_t)in->status);
    i_member(w, "conn", in->agent_connected ? 1 : 0);
    i_member(w, "at", in->registered_at_ms);
    i_member(w, "ver", in->version);
    i_member(w, "cpu", in->cpu_total);
    i_member(w, "mem", in->mem_total);
    ports(w, "tcp", in->ports_tcp, in->nports_tcp);
    ports(w, "udp", in->ports_udp, in->nports_udp);
    if (in->ngpus > 0) {
        K(w, "gpus");
        ecs_json_write_arr_begin(w);
        for (size_t i = 0; i < in->ngpus; i++)
            ecs_json_write_str(w, ecs_str__c(&in->gpus[i]), in->gpus[i].len);
        ecs_json_write_arr_end(w);
    }
    K(w, "attrs");
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < in->nattrs; i++) {
        ecs_json_write_arr_begin(w);
        ecs_json_write_str(w, ecs_str__c(&in->attrs[i].name), in->attrs[i].name.len);
        ecs_json_write_str(w, ecs_str__c(&in->attrs[i].value), in->attrs[i].value.len);
        ecs_json_write_int(w, in->attrs[i].builtin ? 1 : 0);
        ecs_json_write_arr_end(w);
    }
    ecs_json_write_arr_end(w);
    tags_compact(w, &in->tags);
    ecs_json_write_obj_end(w);
}

/* A task is a positional array (a snapshot holds up to a million of them):
 * [id, family, revision, instance id or "", launch type, group, startedBy,
 *  zone, lastStatus, desiredStatus, createdAtMs, version, cpu, memory,
 *  [[containerPort, hostPort, flags(1 udp, 2 dynamic), container]...],
 *  overrides or null, eni, subnet, private ip, public ip, mac, [[k, v]...],
 *  service (its index in the cluster's "svcs", -1 for none), deployment
 *  seq (0 for none), pullStartedMs, pullStoppedMs, startedMs, stoppingMs,
 *  executionStoppedMs, stoppedMs, stopRequestedMs, protectUntilMs,
 *  stopCode, stopWhy, stopText, health, everRunning (0 or 1), orders,
 *  (the containers' states, then) [everHealthy, targetRegistered,
 *  targetHealth, drainUntilMs, capacityProvider],
 *  [[lastStatus, health, hasExit (0 or 1), exitCode, reason, runtimeId]...
 *   one per container of the definition]]
 * Enumerations are their values in plane_internal.h; times are ms, 0 for
 * not (yet) happened. */
static void str_or_empty(ecs_json_writer *w, const ecs_str *s)
{
    ecs_json_write_str(w, ecs_str__c(s), s->len);
}

/* A service's index in its cluster's array, by pointer. */
typedef struct svc_ix {
    const ecs_service *s;
    size_t i;
} svc_ix;

static int svc_ix_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const svc_ix *)a)->s, y = (uintptr_t)((const svc_ix *)b)->s;
    return x < y ? -1 : x > y;
}

static int64_t svc_index(const svc_ix *ix, size_t n, const ecs_service *s)
{
    svc_ix key;
    const svc_ix *hit;
    if (s == NULL)
        return -1;
    key.s = s;
    key.i = 0;
    hit = bsearch(&key, ix, n, sizeof *ix, svc_ix_cmp);
    return hit != NULL ? (int64_t)hit->i : -1;
}

static void write_task(ecs_json_writer *w, const ecs_task *t, int64_t svc)
{
    static const ecs_str empty = { NULL, 0 };
    ecs_json_write_arr_begin(w);
    str_or_empty(w, &t->id);
    str_or_empty(w, &t->family->name);
    ecs_json_write_int(w, t->rev->revision);
    str_or_empty(w, t->inst != NULL ? &t->inst->id : &empty);
    ecs_json_write_int(w, (int64_t)t->launch_type);
    str_or_empty(w, &t->group);
    str_or_empty(w, &t->started_by);
    str_or_empty(w, &t->az);
    ecs_json_write_int(w, (int64_t)t->last);
    ecs_json_write_int(w, (int64_t)t->desired);
    ecs_json_write_int(w, t->created_at_ms);
    ecs_json_write_int(w, t->version);
    ecs_json_write_int(w, t->cpu);
    ecs_json_write_int(w, t->memory_mib);
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < t->nbindings; i++) {
        const ecs_binding *b = &t->bindings[i];
        ecs_json_write_arr_begin(w);
        ecs_json_write_int(w, b->container_port);
        ecs_json_write_int(w, b->host_port);
        ecs_json_write_int(w, (b->udp ? 1 : 0) | (b->dynamic ? 2 : 0));
        ecs_json_write_int(w, b->container);
        ecs_json_write_arr_end(w);
    }
    ecs_json_write_arr_end(w);
    if (t->overrides != NULL)
        ecs_json_write_val(w, t->overrides, ecs_json_root(t->overrides));
    else
        ecs_json_write_null(w);
    str_or_empty(w, &ecs_task__net(t)->eni_id);
    str_or_empty(w, &ecs_task__net(t)->subnet_id);
    str_or_empty(w, &ecs_task__net(t)->private_ip);
    str_or_empty(w, &ecs_task__net(t)->public_ip);
    str_or_empty(w, &ecs_task__net(t)->mac);
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < t->tags.n; i++) {
        ecs_json_write_arr_begin(w);
        str_or_empty(w, &t->tags.items[i].key);
        str_or_empty(w, &t->tags.items[i].value);
        ecs_json_write_arr_end(w);
    }
    ecs_json_write_arr_end(w);
    ecs_json_write_int(w, svc);
    ecs_json_write_int(w, t->dep_seq);
    ecs_json_write_int(w, t->pull_started_ms);
    ecs_json_write_int(w, t->pull_stopped_ms);
    ecs_json_write_int(w, t->started_ms);
    ecs_json_write_int(w, t->stopping_ms);
    ecs_json_write_int(w, t->execution_stopped_ms);
    ecs_json_write_int(w, t->stopped_ms);
    ecs_json_write_int(w, t->stop_requested_ms);
    ecs_json_write_int(w, t->protect_until_ms);
    ecs_json_write_int(w, (int64_t)t->stop_code);
    ecs_json_write_int(w, (int64_t)t->stop_why);
    str_or_empty(w, &t->stop_text);
    ecs_json_write_int(w, (int64_t)t->health);
    ecs_json_write_int(w, t->ever_running ? 1 : 0);
    ecs_json_write_int(w, t->orders);
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; t->containers != NULL && i < t->rev->def->ncontainers; i++) {
        const ecs_container_state *cs = &t->containers[i];
        ecs_json_write_arr_begin(w);
        ecs_json_write_int(w, (int64_t)cs->last);
        ecs_json_write_int(w, (int64_t)cs->health);
        ecs_json_write_int(w, cs->has_exit ? 1 : 0);
        ecs_json_write_int(w, cs->exit_code);
        str_or_empty(w, &cs->reason);
        str_or_empty(w, &cs->runtime_id);
        ecs_json_write_arr_end(w);
    }
    ecs_json_write_arr_end(w);
    /* load balancing and health: [everHealthy, targetRegistered,
     * targetHealth, drainUntil] */
    ecs_json_write_arr_begin(w);
    ecs_json_write_int(w, t->ever_healthy ? 1 : 0);
    ecs_json_write_int(w, t->target_registered ? 1 : 0);
    ecs_json_write_int(w, (int64_t)t->target_health);
    ecs_json_write_int(w, t->drain_until_ms);
    str_or_empty(w, &t->capacity_provider);
    ecs_json_write_arr_end(w);
    ecs_json_write_arr_end(w);
}

/* A capacity provider strategy: [[provider, base, weight]...] */
static void strategy(ecs_json_writer *w, const char *key, const ecs_cp_item *items, size_t n)
{
    if (n == 0)
        return;
    ecs_json_write_key(w, key, strlen(key));
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        ecs_json_write_arr_begin(w);
        str_or_empty(w, &items[i].provider);
        ecs_json_write_int(w, items[i].base);
        ecs_json_write_int(w, items[i].weight);
        ecs_json_write_arr_end(w);
    }
    ecs_json_write_arr_end(w);
}

/* Members that are mostly 0 are left out when they are. */
static void nz_member(ecs_json_writer *w, const char *key, int64_t v)
{
    if (v != 0)
        i_member(w, key, v);
}

static void strs(ecs_json_writer *w, const char *key, const ecs_str *v, size_t n)
{
    if (n == 0)
        return;
    ecs_json_write_key(w, key, strlen(key));
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < n; i++)
        str_or_empty(w, &v[i]);
    ecs_json_write_arr_end(w);
}

static void write_service(ecs_json_writer *w, const ecs_service *s)
{
    ecs_json_write_obj_begin(w);
    s_member(w, "name", &s->name);
    s_member(w, "arn", &s->arn);
    i_member(w, "st", (int64_t)s->status);
    i_member(w, "lt", (int64_t)s->launch_type);
    i_member(w, "desired", s->desired);
    i_member(w, "min", s->min_pct);
    i_member(w, "max", s->max_pct);
    i_member(w, "created", s->created_ms);
    i_member(w, "nextDep", s->next_dep_seq);
    nz_member(w, "daemon", s->daemon ? 1 : 0);
    nz_member(w, "brk", s->breaker_enable ? 1 : 0);
    nz_member(w, "brkRb", s->breaker_rollback ? 1 : 0);
    nz_member(w, "grace", s->grace_s);
    strs(w, "memberOf", s->member_of, s->nmember_of);
    nz_member(w, "distinct", s->distinct ? 1 : 0);
    if (s->nstrategies > 0) {
        K(w, "strat");
        ecs_json_write_arr_begin(w);
        for (size_t i = 0; i < s->nstrategies; i++) {
            ecs_json_write_arr_begin(w);
            ecs_json_write_int(w, (int64_t)s->strategies[i].type);
            str_or_empty(w, &s->strategies[i].field);
            ecs_json_write_arr_end(w);
        }
        ecs_json_write_arr_end(w);
    }
    nz_member(w, "stratGiven", s->strategies_given ? 1 : 0);
    strs(w, "subnets", s->subnets, s->nsubnets);
    strs(w, "sgs", s->security_groups, s->nsecurity_groups);
    nz_member(w, "pip", s->public_ip ? 1 : 0);
    nz_member(w, "net", s->has_network ? 1 : 0);
    nz_member(w, "exec", s->enable_execute_command ? 1 : 0);
    nz_member(w, "mtags", s->managed_tags ? 1 : 0);
    s_member(w, "ptags", &s->propagate_tags);
    s_member(w, "token", &s->client_token);
    K(w, "fp");
    hex_u64(w, s->fingerprint);
    if (s->nlbs > 0) {
        K(w, "lbs");
        ecs_json_write_arr_begin(w);
        for (size_t i = 0; i < s->nlbs; i++) {
            ecs_json_write_arr_begin(w);
            str_or_empty(w, &s->lbs[i].target_group_arn);
            str_or_empty(w, &s->lbs[i].load_balancer_name);
            str_or_empty(w, &s->lbs[i].container_name);
            ecs_json_write_int(w, s->lbs[i].container_port);
            ecs_json_write_arr_end(w);
        }
        ecs_json_write_arr_end(w);
    }
    tags_compact(w, &s->tags);
    if (s->ndeps > 0) {
        K(w, "deps");
        ecs_json_write_arr_begin(w);
        for (size_t i = 0; i < s->ndeps; i++) {
            const ecs_deployment *d = s->deps[i];
            ecs_json_write_obj_begin(w);
            i_member(w, "seq", d->seq);
            s_member(w, "id", &d->id);
            s_member(w, "fam", &d->family->name);
            i_member(w, "rev", d->rev->revision);
            i_member(w, "st", (int64_t)d->status);
            i_member(w, "ro", (int64_t)d->rollout);
            i_member(w, "at", d->created_ms);
            i_member(w, "upd", d->updated_ms);
            nz_member(w, "failed", d->failed_tasks);
            nz_member(w, "ran", d->any_running ? 1 : 0);
            nz_member(w, "byAlarm", d->failed_by_alarm ? 1 : 0);
            ecs_json_write_obj_end(w);
        }
        ecs_json_write_arr_end(w);
    }
    if (s->nevents > 0) {
        K(w, "events");
        ecs_json_write_arr_begin(w);
        for (size_t i = 0; i < s->nevents; i++) {
            ecs_json_write_arr_begin(w);
            str_or_empty(w, &s->events[i].id);
            str_or_empty(w, &s->events[i].message);
            ecs_json_write_int(w, s->events[i].at_ms);
            ecs_json_write_arr_end(w);
        }
        ecs_json_write_arr_end(w);
    }
    nz_member(w, "startFail", s->start_failures);
    nz_member(w, "nextLaunch", s->next_launch_ms);
    nz_member(w, "steady", s->steady_event_ms);
    nz_member(w, "pfKind", s->place_fail_kind);
    nz_member(w, "pfAt", s->place_fail_ms);
    nz_member(w, "inactive", s->inactive_ms);
    strs(w, "alarms", s->alarm_names, s->nalarm_names);
    nz_member(w, "alarmsOn", s->alarms_enable ? 1 : 0);
    nz_member(w, "alarmsRb", s->alarms_rollback ? 1 : 0);
    nz_member(w, "newOnly", s->spread_new_only ? 1 : 0);
    nz_member(w, "brkCum", s->breaker_cumulative ? 1 : 0);
    nz_member(w, "brkKind", s->breaker_kind);
    nz_member(w, "brkValue", s->breaker_value);
    strategy(w, "cps", s->strategy, s->nstrategy);
    if (s->completed_rev != NULL) {
        s_member(w, "doneFam", &s->completed_family->name);
        i_member(w, "doneRev", s->completed_rev->revision);
        s_member(w, "doneId", &s->completed_id);
    }
    ecs_json_write_obj_end(w);
}

ecs_status ecs_plane_snapshot(ecs_plane *pl, const char **out, size_t *out_len)
{
    ecs_json_writer *w;
    ecs_status rc;
    if (pl == NULL || out == NULL)
        return pl == NULL ? ECS_E_INVALID_ARG
                          : ecs_ctx__fail(pl->ctx, ECS_E_INVALID_ARG, "ecs_plane_snapshot: out is NULL");
    if (pl->dump_w == NULL && (rc = ecs_json_writer_new(pl->ctx, 0, &pl->dump_w)) != ECS_OK)
        return rc;
    w = pl->dump_w;
    ecs_json_writer_reset(w);
    ecs_json_write_obj_begin(w);
    K(w, "format");
    ecs_json_write_str(w, "libecs-snapshot", 15);
    i_member(w, "version", ECS_SNAPSHOT_VERSION);
    K(w, "seed");
    hex_u64(w, pl->seed);
    K(w, "rng");
    ecs_json_write_arr_begin(w);
    for (int i = 0; i < 4; i++)
        hex_u64(w, pl->rng.s[i]);
    ecs_json_write_arr_end(w);
    i_member(w, "flags", pl->flags);
    s_member(w, "region", &pl->region);
    s_member(w, "account", &pl->account);
    i_member(w, "nowMs", pl->now_ms);
    i_member(w, "maxInstances", pl->max_instances);
    i_member(w, "fargateLimit", pl->fargate_limit);
    K(w, "subnets");
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < pl->nsubnets; i++) {
        ecs_json_write_obj_begin(w);
        s_member(w, "id", &pl->subnets[i].id);
        s_member(w, "az", &pl->subnets[i].az);
        i_member(w, "next", pl->subnets[i].next_host);
        ecs_json_write_obj_end(w);
    }
    ecs_json_write_arr_end(w);
    K(w, "providers");
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < pl->nproviders; i++) {
        const ecs_capacity_provider *p = pl->providers[i];
        ecs_json_write_obj_begin(w);
        s_member(w, "name", &p->name);
        s_member(w, "arn", &p->arn);
        s_member(w, "asg", &p->asg_arn);
        nz_member(w, "deleted", p->deleted ? 1 : 0);
        nz_member(w, "mtp", p->managed_termination_protection ? 1 : 0);
        tags_compact(w, &p->tags);
        ecs_json_write_obj_end(w);
    }
    ecs_json_write_arr_end(w);
    K(w, "targetGroups");
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < pl->ntarget_groups; i++) {
        ecs_json_write_arr_begin(w);
        str_or_empty(w, &pl->target_groups[i].arn);
        ecs_json_write_int(w, pl->target_groups[i].deregistration_delay_s);
        ecs_json_write_arr_end(w);
    }
    ecs_json_write_arr_end(w);
    K(w, "alarms");
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < pl->nalarms; i++) {
        ecs_json_write_arr_begin(w);
        str_or_empty(w, &pl->alarms[i].name);
        ecs_json_write_int(w, pl->alarms[i].in_alarm ? 1 : 0);
        ecs_json_write_int(w, pl->alarms[i].changed_ms);
        ecs_json_write_arr_end(w);
    }
    ecs_json_write_arr_end(w);
    K(w, "families");
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < pl->nfamilies; i++) {
        const ecs_family *f = pl->families[i];
        ecs_json_write_obj_begin(w);
        s_member(w, "name", &f->name);
        i_member(w, "last", f->last_revision);
        K(w, "revs");
        ecs_json_write_arr_begin(w);
        for (size_t j = 0; j < f->nrevs; j++) {
            const ecs_revision *r = f->revs[j];
            ecs_json_write_obj_begin(w);
            i_member(w, "rev", r->revision);
            i_member(w, "st", (int64_t)r->status);
            i_member(w, "at", r->registered_at_ms);
            i_member(w, "dat", r->deregistered_at_ms);
            K(w, "def");
            ecs_json_write_val(w, r->def->doc, ecs_json_root(r->def->doc));
            tags_compact(w, &r->tags);
            ecs_json_write_obj_end(w);
        }
        ecs_json_write_arr_end(w);
        ecs_json_write_obj_end(w);
    }
    ecs_json_write_arr_end(w);
    K(w, "clusters");
    ecs_json_write_arr_begin(w);
    for (size_t i = 0; i < pl->nclusters; i++) {
        const ecs_cluster *c = pl->clusters[i];
        svc_ix *ix = NULL;
        ecs_json_write_obj_begin(w);
        s_member(w, "name", &c->name);
        i_member(w, "active", c->active ? 1 : 0);
        i_member(w, "ci", c->container_insights ? 1 : 0);
        tags_compact(w, &c->tags);
        nz_member(w, "asvc", c->active_services);
        strs(w, "cps", c->cps, c->ncps);
        strategy(w, "cpDefault", c->default_strategy, c->ndefault_strategy);
        K(w, "inst");
        ecs_json_write_arr_begin(w);
        for (size_t j = 0; j < c->ninstances; j++)
            write_instance(w, c->instances[j]);
        ecs_json_write_arr_end(w);
        if (c->nservices > 0) {
            K(w, "svcs");
            ecs_json_write_arr_begin(w);
            for (size_t j = 0; j < c->nservices; j++)
                write_service(w, c->services[j]);
            ecs_json_write_arr_end(w);
            ix = ecs_ctx__alloc(pl->ctx, c->nservices * sizeof *ix);
            if (ix == NULL)
                return ecs_ctx__fail(pl->ctx, ECS_E_NOMEM, "out of memory writing a snapshot");
            for (size_t j = 0; j < c->nservices; j++) {
                ix[j].s = c->services[j];
                ix[j].i = j;
            }
            qsort(ix, c->nservices, sizeof *ix, svc_ix_cmp);
        }
        K(w, "tasks");
        ecs_json_write_arr_begin(w);
        for (size_t j = 0; j < c->ntasks; j++)
            write_task(w, c->tasks[j], svc_index(ix, c->nservices, c->tasks[j]->svc));
        ecs_json_write_arr_end(w);
        if (ix != NULL)
            ecs_ctx__release(pl->ctx, ix, c->nservices * sizeof *ix);
        K(w, "tokens");
        ecs_json_write_arr_begin(w);
        for (size_t j = 0; j < c->ntokens; j++) {
            const ecs_token *t = c->tokens[j];
            ecs_json_write_obj_begin(w);
            s_member(w, "token", &t->token);
            K(w, "fp");
            hex_u64(w, t->fingerprint);
            K(w, "arns");
            ecs_json_write_arr_begin(w);
            for (size_t k = 0; k < t->ntasks; k++)
                ecs_json_write_str(w, ecs_str__c(&t->task_arns[k]), t->task_arns[k].len);
            ecs_json_write_arr_end(w);
            ecs_json_write_obj_end(w);
        }
        ecs_json_write_arr_end(w);
        ecs_json_write_obj_end(w);
    }
    ecs_json_write_arr_end(w);
    ecs_json_write_obj_end(w);
    return ecs_json_writer_result(w, out, out_len);
}
