/*
 * Tests of task-definition registration (lib/model/taskdef*.c, among
 * them the decoder taskdef_codec.c and taskdef_normalise.c): each rule of spec
 * 1.3/1.4 accepted and refused with its exact error code and path, the
 * cpu/memory forms, all 74 Fargate sizes and their neighbours, describe
 * output in strict and lenient mode, the normalised document and its round
 * trip, requiresAttributes and compatibilities, defensive handling of
 * wrong JSON types, an allocation-failure sweep, and the conformance
 * corpus (../shared/conformance/taskdefs) judged through the whole
 * pipeline: parse, shape check, registration.
 *
 * Requests are written with single quotes for readability; run() turns
 * them into JSON.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/shape.h"
#include "ecs/ecs.h"
#include "model/taskdef.h"
#include "model/taskdef_internal.h"
#include "test_alloc.h"
#include "test_util.h"

#define CONFORMANCE_DIR ECS_SHARED_DIR "/conformance/taskdefs"
#define MY_API_EXAMPLE ECS_SOURCE_DIR "/examples/my-api-taskdef.json"

#define CIP ECS_ERR_INVALID_PARAMETER
#define CCL ECS_ERR_CLIENT

/* A context on the checking allocator (tests/support/test_util.h). */
typedef test_ctx_fixture fixture;
#define setup test_ctx_setup
#define teardown test_ctx_teardown

static int sentinel_storage;
#define TD_SENTINEL ((ecs_taskdef *)(void *)&sentinel_storage)

/* printf into a malloc'd buffer, turning ' into ". */
static char *jsonf(const char *fmt, ...) ECS_PRINTF(1, 2);

static char *jsonf(const char *fmt, ...)
{
    va_list ap;
    char *buf;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    va_start(ap, fmt);
    (void)vsnprintf(buf, (size_t)n + 1, fmt, ap);
    va_end(ap);
    for (char *p = buf; *p != '\0'; p++) {
        if (*p == '\'') {
            *p = '"';
        }
    }
    return buf;
}

/* Register raw JSON text. */
static ecs_status run_raw(fixture *f, const char *text, size_t len, uint32_t flags,
                          ecs_api_error *err, ecs_taskdef **out)
{
    ecs_json_doc *doc = NULL;
    ecs_status rc = ecs_json_parse(f->ctx, text, len, NULL, &doc);

    if (rc != ECS_OK) {
        print_error("test input is not JSON (%s): %s\n", ecs_ctx_errmsg(f->ctx), text);
        fail();
    }
    memset(err, 0, sizeof *err);
    rc = ecs_taskdef__from_request(f->ctx, err, doc, ecs_json_root(doc), flags, out);
    ecs_json_doc_free(doc);
    return rc;
}

static ecs_status run(fixture *f, const char *sq, uint32_t flags, ecs_api_error *err,
                      ecs_taskdef **out)
{
    char *text = jsonf("%s", sq);
    ecs_status rc = run_raw(f, text, strlen(text), flags, err, out);
    free(text);
    return rc;
}

static ecs_taskdef *accept_flags(fixture *f, const char *sq, uint32_t flags)
{
    ecs_api_error err;
    ecs_taskdef *td = TD_SENTINEL;
    ecs_status rc = run(f, sq, flags, &err, &td);

    if (rc != ECS_OK) {
        print_error("refused (%s %s): %s\n  input: %s\n", ecs_status_str(rc),
                    err.code ? err.code : "-", err.message, sq);
        fail();
    }
    assert_non_null(td);
    assert_ptr_not_equal(td, TD_SENTINEL);
    return td;
}

static ecs_taskdef *accept(fixture *f, const char *sq)
{
    return accept_flags(f, sq, 0);
}

static void accept_free(fixture *f, const char *sq)
{
    ecs_taskdef__free(f->ctx, accept(f, sq));
}

/* Refused with `code` and a message starting with `prefix` (the whole
 * message when exact). */
static void refuse_with(fixture *f, const char *sq, uint32_t flags, const char *code,
                        const char *prefix, bool exact)
{
    ecs_api_error err;
    ecs_taskdef *td = TD_SENTINEL;
    ecs_status rc = run(f, sq, flags, &err, &td);

    if (rc == ECS_OK) {
        print_error("accepted, expected %s \"%s\"\n  input: %s\n", code, prefix, sq);
        ecs_taskdef__free(f->ctx, td);
        fail();
    }
    assert_ptr_equal(td, TD_SENTINEL);
    if (err.code == NULL || strcmp(err.code, code) != 0 ||
        strncmp(err.message, prefix, strlen(prefix)) != 0 ||
        (exact && strcmp(err.message, prefix) != 0)) {
        print_error("refused with %s \"%s\"\n  expected %s \"%s\"%s\n  input: %s\n",
                    err.code ? err.code : "(none)", err.message, code, prefix,
                    exact ? " exactly" : "...", sq);
        fail();
    }
    /* the context carries the same failure */
    assert_true(rc < 0);
    assert_int_equal(ecs_ctx_errcode(f->ctx), rc);
    assert_non_null(strstr(ecs_ctx_errmsg(f->ctx), err.message));
}

static void refuse(fixture *f, const char *sq, const char *code, const char *prefix)
{
    refuse_with(f, sq, 0, code, prefix, false);
}

static void refuse_exact(fixture *f, const char *sq, const char *code, const char *msg)
{
    refuse_with(f, sq, 0, code, msg, true);
}

/* Definitions used throughout: one EC2 container, and a Fargate task. */
#define EC2(cextra, textra)                                                                      \
    "{'family':'web'," textra "'containerDefinitions':[{'name':'app','image':'nginx','memory':" \
    "128" cextra "}]}"
#define FARGATE(cextra, textra)                                                                  \
    "{'family':'web','networkMode':'awsvpc','requiresCompatibilities':['FARGATE'],'cpu':'256'," \
    "'memory':'512'," textra "'containerDefinitions':[{'name':'app','image':'nginx'" cextra "}]}"
#define TWO(c1, c2, textra)                                                                     \
    "{'family':'web'," textra "'containerDefinitions':[{'name':'a','image':'nginx','memory':64" \
    c1 "},{'name':'b','image':'nginx','memory':64" c2 "}]}"

/* The text of td's members written into an object. */
static char *members_text(fixture *f, const ecs_taskdef *td)
{
    ecs_json_writer *w = NULL;
    const char *text = NULL;
    size_t len = 0;
    char *copy;

    assert_int_equal(ecs_json_writer_new(f->ctx, 0, &w), ECS_OK);
    assert_int_equal(ecs_json_write_obj_begin(w), ECS_OK);
    assert_int_equal(ecs_taskdef__write_members(w, td), ECS_OK);
    assert_int_equal(ecs_json_write_obj_end(w), ECS_OK);
    assert_int_equal(ecs_json_writer_result(w, &text, &len), ECS_OK);
    copy = malloc(len + 1);
    assert_non_null(copy);
    memcpy(copy, text, len + 1);
    ecs_json_writer_free(w);
    return copy;
}

static void expect_members(fixture *f, const char *sq, const char *want_sq)
{
    ecs_taskdef *td = accept(f, sq);
    char *got = members_text(f, td);
    char *want = jsonf("%s", want_sq);

    if (strcmp(got, want) != 0) {
        print_error("normalised\n  got  %s\n  want %s\n", got, want);
        fail();
    }
    free(got);
    free(want);
    ecs_taskdef__free(f->ctx, td);
}

/* ------------------------------------------------------------------------ */
/* cpu and memory strings                                                    */

static void test_taskdef__size_strings_parse_in_every_form(void **state)
{
    static const struct {
        const char *text, *unit;
        bool ok;
        uint32_t value;
    } cases[] = {
        { "1024", "vcpu", true, 1024 },       { "1 vCPU", "vcpu", true, 1024 },
        { "1 vcpu", "vcpu", true, 1024 },     { ".25 vcpu", "vcpu", true, 256 },
        { "0.5 vCPU", "vcpu", true, 512 },    { "0.25 VCPU", "vcpu", true, 256 },
        { "0.125 vcpu", "vcpu", true, 128 },  { "16 vCPU", "vcpu", true, 16384 },
        { "192 vCPU", "vcpu", true, 196608 }, { "1vcpu", "vcpu", true, 1024 },
        { "1  vcpu", "vcpu", true, 1024 },    { "1.50 vcpu", "vcpu", true, 1536 },
        { "2 GB", "gb", true, 2048 },         { "2GB", "gb", true, 2048 },
        { ".5 gb", "gb", true, 512 },         { "512", "gb", true, 512 },
        { "1 Gb", "gb", true, 1024 },         { "0", "gb", true, 0 },
        { "0.1 vcpu", "vcpu", false, 0 },     { "1.5", "vcpu", false, 0 },
        { "1024.", "vcpu", false, 0 },        { "", "vcpu", false, 0 },
        { " 1024", "vcpu", false, 0 },        { "1024 ", "vcpu", false, 0 },
        { "1 vcpu ", "vcpu", false, 0 },      { "1\tvcpu", "vcpu", false, 0 },
        { "1 cpu", "vcpu", false, 0 },        { "1 vcpus", "vcpu", false, 0 },
        { "1 GB", "vcpu", false, 0 },         { "1 vcpu", "gb", false, 0 },
        { "1 MiB", "gb", false, 0 },          { "-1", "vcpu", false, 0 },
        { "+1", "vcpu", false, 0 },           { "1e3", "vcpu", false, 0 },
        { "1,024", "vcpu", false, 0 },        { "vcpu", "vcpu", false, 0 },
        { ". vcpu", "vcpu", false, 0 },       { "abc", "vcpu", false, 0 },
        { "99999999999", "vcpu", false, 0 },  { "4194304 vcpu", "vcpu", false, 0 },
        { "4294967295", "vcpu", true, 4294967295u },
        { "4294967296", "vcpu", false, 0 },
        { "0.0009765625 vcpu", "vcpu", true, 1 },
        { "0.00048828125 vcpu", "vcpu", false, 0 },
        { "0.250000000000000000000 vcpu", "vcpu", true, 256 },
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t v = 12345;
        bool ok = ecs_taskdef__parse_units(cases[i].text, strlen(cases[i].text), cases[i].unit,
                                           &v);
        if (ok != cases[i].ok || (ok && v != cases[i].value)) {
            print_error("\"%s\" (%s): got %d %u, want %d %u\n", cases[i].text, cases[i].unit,
                        (int)ok, v, (int)cases[i].ok, cases[i].value);
            fail();
        }
        if (!ok) {
            assert_int_equal(v, 12345);
        }
    }
}

static void test_taskdef__task_sizes_are_stored_as_unit_strings(void **state)
{
    fixture *f = *state;
    static const char *const forms[][4] = {
        { "1024", "2048", "1024", "2048" },   { "1 vCPU", "2 GB", "1024", "2048" },
        { "1 vcpu", "2GB", "1024", "2048" },  { ".25 vcpu", ".5 gb", "256", "512" },
        { "0.5 vCPU", "1 gb", "512", "1024" }, { "0.25 vCPU", "1 GB", "256", "1024" },
    };
    size_t i;

    for (i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        char *req = jsonf("{'family':'f','cpu':'%s','memory':'%s','containerDefinitions':"
                          "[{'name':'a','image':'busybox'}]}",
                          forms[i][0], forms[i][1]);
        ecs_taskdef *td = accept(f, req);
        char *text = members_text(f, td);
        char *want = jsonf("'cpu':'%s','memory':'%s'", forms[i][2], forms[i][3]);
        if (strstr(text, want) == NULL) {
            print_error("%s / %s: %s\n", forms[i][0], forms[i][1], text);
            fail();
        }
        assert_int_equal(td->cpu, (uint32_t)strtoul(forms[i][2], NULL, 10));
        assert_int_equal(td->memory_mib, (uint32_t)strtoul(forms[i][3], NULL, 10));
        free(want);
        free(text);
        free(req);
        ecs_taskdef__free(f->ctx, td);
    }
}

static void test_taskdef__bad_task_sizes_are_refused(void **state)
{
    fixture *f = *state;

    refuse_exact(f, EC2("", "'cpu':'0.1 vCPU',"), CCL, "Invalid 'cpu' setting for task.");
    refuse_exact(f, EC2("", "'cpu':'lots',"), CCL, "Invalid 'cpu' setting for task.");
    refuse_exact(f, EC2("", "'cpu':'0',"), CCL, "Invalid 'cpu' setting for task.");
    refuse_exact(f, EC2("", "'cpu':'1 GB',"), CCL, "Invalid 'cpu' setting for task.");
    refuse_exact(f, EC2("", "'memory':'lots',"), CCL, "Invalid 'memory' setting for task.");
    refuse_exact(f, EC2("", "'memory':'0.3 GB',"), CCL, "Invalid 'memory' setting for task.");
    refuse_exact(f, EC2("", "'memory':''," ), CCL, "Invalid 'memory' setting for task.");
    refuse(f, EC2("", "'cpu':256,"), CIP, "cpu must be a string, not integer.");
}

static void test_taskdef__ec2_cpu_range(void **state)
{
    fixture *f = *state;

    accept_free(f, EC2("", "'cpu':'128',"));
    accept_free(f, EC2("", "'cpu':'196608',"));
    accept_free(f, EC2("", "'cpu':'192 vCPU',"));
    refuse_exact(f, EC2("", "'cpu':'127',"), CCL, "Invalid 'cpu' setting for task.");
    refuse_exact(f, EC2("", "'cpu':'196609',"), CCL, "Invalid 'cpu' setting for task.");
    refuse_exact(f, EC2("", "'requiresCompatibilities':['EXTERNAL'],'cpu':'64',"), CCL,
                 "Invalid 'cpu' setting for task.");
}

/* ------------------------------------------------------------------------ */
/* Fargate sizes                                                             */

/* The table of spec 1.3, written out independently of the library's. */
static size_t fargate_pairs(uint32_t (*out)[2])
{
    static const uint32_t rows[][4] = { { 256, 1024, 2048, 1024 },     { 512, 1024, 4096, 1024 },
                                        { 1024, 2048, 8192, 1024 },    { 2048, 4096, 16384, 1024 },
                                        { 4096, 8192, 30720, 1024 },   { 8192, 16384, 61440, 4096 },
                                        { 16384, 32768, 122880, 8192 } };
    size_t n = 0, r;

    out[n][0] = 256;
    out[n++][1] = 512;
    for (r = 0; r < sizeof rows / sizeof rows[0]; r++) {
        for (uint32_t m = rows[r][1]; m <= rows[r][2]; m += rows[r][3]) {
            out[n][0] = rows[r][0];
            out[n++][1] = m;
        }
    }
    return n;
}

static bool in_pairs(uint32_t (*pairs)[2], size_t n, uint32_t cpu, uint32_t mem)
{
    for (size_t i = 0; i < n; i++) {
        if (pairs[i][0] == cpu && pairs[i][1] == mem) {
            return true;
        }
    }
    return false;
}

static void test_taskdef__all_74_fargate_sizes_register(void **state)
{
    fixture *f = *state;
    uint32_t pairs[100][2];
    size_t n = fargate_pairs(pairs), i;

    assert_int_equal(n, 74);
    for (i = 0; i < n; i++) {
        char *req = jsonf("{'family':'f','networkMode':'awsvpc','requiresCompatibilities':"
                          "['FARGATE'],'cpu':'%u','memory':'%u','containerDefinitions':"
                          "[{'name':'a','image':'busybox'}]}",
                          pairs[i][0], pairs[i][1]);
        ecs_taskdef *td = accept(f, req);
        assert_int_equal(td->compatibilities, ECS_COMPAT_EC2 | ECS_COMPAT_FARGATE);
        assert_int_equal(td->requires, ECS_COMPAT_FARGATE);
        ecs_taskdef__free(f->ctx, td);
        free(req);
    }
}

static void test_taskdef__fargate_neighbours_are_refused(void **state)
{
    fixture *f = *state;
    static const uint32_t cpus[] = { 128, 256, 384, 512, 1024, 2048, 3072, 4096, 8192, 16384, 32768 };
    uint32_t pairs[100][2];
    size_t n = fargate_pairs(pairs), i, accepted = 0;

    /* every (cpu, memory) on a 256 MiB grid: exactly the 74 pass */
    for (i = 0; i < sizeof cpus / sizeof cpus[0]; i++) {
        for (uint32_t m = 256; m <= 131072; m += 256) {
            bool want = in_pairs(pairs, n, cpus[i], m);
            if (ecs_taskdef__fargate_size_ok(cpus[i], m) != want) {
                print_error("cpu %u memory %u: want %d\n", cpus[i], m, (int)want);
                fail();
            }
            accepted += want;
        }
    }
    assert_int_equal(accepted, 74);
    /* and off the grid */
    assert_false(ecs_taskdef__fargate_size_ok(1024, 2049));
    assert_false(ecs_taskdef__fargate_size_ok(8192, 17408));
    /* the error, through registration */
    refuse_exact(f,
                 "{'family':'f','networkMode':'awsvpc','requiresCompatibilities':['FARGATE'],"
                 "'cpu':'512','memory':'512','containerDefinitions':[{'name':'a','image':'b'}]}",
                 CCL,
                 "No Fargate configuration exists for given values: 512 CPU, 512 memory. See the "
                 "Amazon ECS documentation for the valid values.");
    refuse(f,
           "{'family':'f','networkMode':'awsvpc','requiresCompatibilities':['FARGATE'],"
           "'cpu':'4096','memory':'31744','containerDefinitions':[{'name':'a','image':'b'}]}",
           CCL, "No Fargate configuration exists for given values: 4096 CPU, 31744 memory.");
    refuse(f,
           "{'family':'f','networkMode':'awsvpc','requiresCompatibilities':['FARGATE'],"
           "'cpu':'8192','memory':'18432','containerDefinitions':[{'name':'a','image':'b'}]}",
           CCL, "No Fargate configuration exists for given values: 8192 CPU, 18432 memory.");
}

static void test_taskdef__fargate_task_level_rules(void **state)
{
    fixture *f = *state;

    accept_free(f, FARGATE("", ""));
    refuse_exact(f,
                 "{'family':'f','networkMode':'bridge','requiresCompatibilities':['FARGATE'],"
                 "'cpu':'256','memory':'512','containerDefinitions':[{'name':'a','image':'b'}]}",
                 CCL, "Fargate only supports network mode 'awsvpc'.");
    refuse_exact(f,
                 "{'family':'f','requiresCompatibilities':['FARGATE'],'cpu':'256','memory':'512',"
                 "'containerDefinitions':[{'name':'a','image':'b'}]}",
                 CCL, "Fargate only supports network mode 'awsvpc'.");
    refuse_exact(f,
                 "{'family':'f','networkMode':'awsvpc','requiresCompatibilities':['FARGATE'],"
                 "'memory':'512','containerDefinitions':[{'name':'a','image':'b'}]}",
                 CCL, "Fargate requires that 'cpu' be defined at the task level.");
    refuse_exact(f,
                 "{'family':'f','networkMode':'awsvpc','requiresCompatibilities':['FARGATE'],"
                 "'cpu':'256','containerDefinitions':[{'name':'a','image':'b','memory':512}]}",
                 CCL, "Fargate requires that 'memory' be defined at the task level.");
    refuse_exact(f, FARGATE("", "'placementConstraints':[{'type':'memberOf','expression':'x'}],"),
                 CCL, "placementConstraints: not supported on Fargate.");
    accept_free(f, FARGATE("", "'placementConstraints':[],'volumes':[],"));
    refuse(f, FARGATE("", "'ipcMode':'task',"), CCL, "ipcMode: not supported on Fargate.");
    refuse(f, FARGATE("", "'pidMode':'host',"), CCL, "pidMode: host is not supported");
    accept_free(f, FARGATE("", "'pidMode':'task',"));
    refuse(f, FARGATE("", "'volumes':[{'name':'v','host':{'sourcePath':'/x'}}],"), CCL,
           "volumes[0].host.sourcePath: host paths are not supported on Fargate.");
    accept_free(f, FARGATE("", "'volumes':[{'name':'v','host':{}}],"));
    refuse(f, FARGATE("", "'volumes':[{'name':'v','dockerVolumeConfiguration':{'scope':'task'}}],"),
           CCL, "volumes[0].dockerVolumeConfiguration:");
    /* Windows on Fargate: 1 to 4 vCPU */
    refuse(f, FARGATE("", "'runtimePlatform':{'operatingSystemFamily':'WINDOWS_SERVER_2019_CORE'},"),
           CCL, "runtimePlatform.operatingSystemFamily: Fargate runs Windows tasks");
    accept_free(f,
                "{'family':'w','networkMode':'awsvpc','requiresCompatibilities':['FARGATE'],"
                "'cpu':'1 vCPU','memory':'2 GB','runtimePlatform':{'operatingSystemFamily':"
                "'WINDOWS_SERVER_2019_CORE'},'containerDefinitions':[{'name':'a','image':'b'}]}");
}

static void test_taskdef__fargate_container_rules(void **state)
{
    fixture *f = *state;

    refuse(f, FARGATE(",'privileged':true", ""), CCL,
           "containerDefinitions[0].privileged: not supported on Fargate.");
    accept_free(f, FARGATE(",'privileged':false,'dnsServers':[]", ""));
    refuse(f, FARGATE(",'dnsServers':['1.1.1.1']", ""), CCL,
           "containerDefinitions[0].dnsServers: not supported on Fargate.");
    refuse(f, FARGATE(",'linuxParameters':{'sharedMemorySize':64}", ""), CCL,
           "containerDefinitions[0].linuxParameters.sharedMemorySize: not supported on Fargate.");
    refuse(f, FARGATE(",'linuxParameters':{'capabilities':{'add':['NET_ADMIN']}}", ""), CCL,
           "containerDefinitions[0].linuxParameters.capabilities.add:");
    accept_free(f, FARGATE(",'linuxParameters':{'initProcessEnabled':true,'capabilities':"
                           "{'add':['SYS_PTRACE'],'drop':['MKNOD']}}",
                           ""));
    refuse(f, FARGATE(",'resourceRequirements':[{'type':'GPU','value':'1'}]", ""), CCL,
           "containerDefinitions[0].resourceRequirements: GPUs are not supported on Fargate.");
    refuse(f, FARGATE(",'logConfiguration':{'logDriver':'fluentd'}", ""), CCL,
           "containerDefinitions[0].logConfiguration.logDriver: Fargate supports awslogs");
    accept_free(f, FARGATE(",'stopTimeout':120,'startTimeout':120", ""));
    refuse(f, FARGATE(",'stopTimeout':121", ""), CCL,
           "containerDefinitions[0].stopTimeout: at most 120 seconds on Fargate (121).");
    /* no documented Fargate bound on startTimeout (real definitions use 600) */
    accept_free(f, FARGATE(",'startTimeout':600", ""));
    refuse(f, FARGATE(",'startTimeout':-1", ""), CIP, "containerDefinitions[0].startTimeout must not be negative");
    /* the same timeouts are fine on EC2 */
    accept_free(f, EC2(",'stopTimeout':600,'startTimeout':600", ""));
}

static void test_taskdef__fargate_needs_an_execution_role(void **state)
{
    fixture *f = *state;
    const char *awslogs = ",'logConfiguration':{'logDriver':'awslogs','options':"
                          "{'awslogs-group':'g','awslogs-region':'us-east-1'}}";
    char *req;

    req = jsonf(FARGATE("%s", ""), awslogs);
    refuse_exact(f, req, CCL,
                 "executionRoleArn: Fargate requires task definition to have execution role ARN "
                 "to support log driver awslogs.");
    free(req);
    req = jsonf(FARGATE("%s", "'executionRoleArn':'arn:aws:iam::1:role/x',"), awslogs);
    accept_free(f, req);
    free(req);
    /* awslogs on EC2 needs no execution role */
    req = jsonf(EC2("%s", ""), awslogs);
    accept_free(f, req);
    free(req);
    refuse_exact(f,
                 "{'family':'f','networkMode':'awsvpc','requiresCompatibilities':['FARGATE'],"
                 "'cpu':'256','memory':'512','containerDefinitions':[{'name':'a','image':"
                 "'123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1'}]}",
                 CCL,
                 "executionRoleArn: Fargate requires task definition to have execution role ARN "
                 "to support ECR images.");
    accept_free(f, "{'family':'f','networkMode':'awsvpc','requiresCompatibilities':['FARGATE'],"
                   "'cpu':'256','memory':'512','containerDefinitions':[{'name':'a','image':"
                   "'public.ecr.aws/nginx/nginx:latest'}]}");
    refuse(f, FARGATE(",'repositoryCredentials':{'credentialsParameter':'arn:x'}", ""), CCL,
           "executionRoleArn: Fargate requires task definition to have execution role ARN to "
           "support private registry authentication.");
    refuse(f, FARGATE(",'secrets':[{'name':'A','valueFrom':'p'}]", ""), CCL,
           "executionRoleArn: Fargate requires task definition to have execution role ARN to "
           "support secrets.");
    refuse(f, FARGATE(",'logConfiguration':{'logDriver':'splunk','secretOptions':"
                      "[{'name':'t','valueFrom':'p'}]}",
                      ""),
           CCL, "executionRoleArn: Fargate requires");
    refuse(f, FARGATE(",'environmentFiles':[{'value':'arn:aws:s3:::b/k.env','type':'s3'}]", ""),
           CCL, "executionRoleArn: Fargate requires");
}

/* ------------------------------------------------------------------------ */
/* Names, counts, images                                                     */

static void test_taskdef__family_and_container_names(void **state)
{
    fixture *f = *state;
    char name255[256], *req;

    memset(name255, 'a', 255);
    name255[255] = '\0';
    req = jsonf("{'family':'%s','containerDefinitions':[{'name':'%s','image':'x','memory':4}]}",
                name255, name255);
    accept_free(f, req);
    free(req);
    req = jsonf("{'family':'%sa','containerDefinitions':[{'name':'a','image':'x','memory':4}]}",
                name255);
    refuse(f, req, CCL, "family: must be 1 to 255 letters, digits, hyphens and underscores");
    free(req);
    refuse(f, "{'family':'my app','containerDefinitions':[{'name':'a','image':'x','memory':4}]}",
           CCL, "family: must be 1 to 255");
    refuse(f, "{'family':'','containerDefinitions':[{'name':'a','image':'x','memory':4}]}", CCL,
           "family: must be 1 to 255");
    refuse(f, "{'containerDefinitions':[{'name':'a','image':'x','memory':4}]}", CIP,
           "family: required member is missing.");
    accept_free(f, "{'family':'A-z_0-9','containerDefinitions':[{'name':'Z_9-a','image':'x',"
                   "'memory':4}]}");
    refuse(f, "{'family':'f','containerDefinitions':[{'image':'x','memory':4}]}", CCL,
           "containerDefinitions[0].name: Container.name should not be null or empty.");
    refuse(f, "{'family':'f','containerDefinitions':[{'name':'','image':'x','memory':4}]}", CCL,
           "containerDefinitions[0].name: Container.name should not be null or empty.");
    refuse(f, "{'family':'f','containerDefinitions':[{'name':'a.b','image':'x','memory':4}]}",
           CCL, "containerDefinitions[0].name: must be 1 to 255 letters");
    refuse(f,
           "{'family':'f','containerDefinitions':[{'name':'a','image':'x','memory':4},"
           "{'name':'b','image':'x','memory':4},{'name':'a','image':'x','memory':4}]}",
           CCL,
           "containerDefinitions[2].name: duplicate container name 'a' (also "
           "containerDefinitions[0].name).");
}

static char *containers_json(size_t n)
{
    char *buf = malloc(64 * n + 128), *p;
    size_t i;

    assert_non_null(buf);
    p = buf + sprintf(buf, "{\"family\":\"f\",\"containerDefinitions\":[");
    for (i = 0; i < n; i++) {
        p += sprintf(p, "%s{\"name\":\"c%zu\",\"image\":\"x\",\"memory\":4}", i ? "," : "", i);
    }
    sprintf(p, "]}");
    return buf;
}

static void test_taskdef__one_to_ten_containers(void **state)
{
    fixture *f = *state;
    char *req;

    refuse_exact(f, "{'family':'f','containerDefinitions':[]}", CCL,
                 "containerDefinitions: Container list cannot be empty.");
    req = containers_json(10);
    accept_free(f, req);
    free(req);
    req = containers_json(11);
    {
        ecs_api_error err;
        ecs_taskdef *td = TD_SENTINEL;
        assert_int_equal(run(f, req, 0, &err, &td), ECS_E_LIMIT);
        assert_ptr_equal(td, TD_SENTINEL);
        assert_string_equal(err.code, CCL);
        assert_string_equal(err.message, "containerDefinitions: Too many containers (11); a task "
                                         "definition holds at most 10.");
    }
    free(req);
}

static void test_taskdef__image_is_required_and_checked(void **state)
{
    fixture *f = *state;
    char long_image[300], *req;

    refuse_exact(f, "{'family':'f','containerDefinitions':[{'name':'a','memory':4}]}", CCL,
                 "containerDefinitions[0].image: Container.image should not be null or empty.");
    refuse_exact(f, "{'family':'f','containerDefinitions':[{'name':'a','image':'','memory':4}]}",
                 CCL, "containerDefinitions[0].image: Container.image should not be null or empty.");
    refuse_exact(f,
                 "{'family':'f','containerDefinitions':[{'name':'a','image':'nginx latest',"
                 "'memory':4}]}",
                 CCL, "containerDefinitions[0].image: Container.image contains invalid characters.");
    refuse(f,
           "{'family':'f','containerDefinitions':[{'name':'a','image':'x:{{ env `TAG` }}',"
           "'memory':4}]}",
           CCL, "containerDefinitions[0].image: Container.image contains invalid characters.");
    accept_free(f, "{'family':'f','containerDefinitions':[{'name':'a','image':"
                   "'127.0.0.1:51670/amazon/x_y-z:v1.2#3','memory':4}]}");
    accept_free(f, "{'family':'f','containerDefinitions':[{'name':'a','image':'repo/app@sha256:"
                   "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef','memory':4}]}");
    refuse(f,
           "{'family':'f','containerDefinitions':[{'name':'a','image':'repo/app@sha256:0123',"
           "'memory':4}]}",
           CCL, "containerDefinitions[0].image: Container.image contains invalid characters.");
    memset(long_image, 'a', sizeof long_image);
    long_image[255] = '\0';
    req = jsonf("{'family':'f','containerDefinitions':[{'name':'a','image':'%s','memory':4}]}",
                long_image);
    accept_free(f, req);
    free(req);
    long_image[255] = 'a';
    long_image[256] = '\0';
    req = jsonf("{'family':'f','containerDefinitions':[{'name':'a','image':'%s','memory':4}]}",
                long_image);
    refuse(f, req, CCL, "containerDefinitions[0].image: the repository part is longer than 255");
    free(req);
    /* the digest does not count toward the 255 */
    long_image[255] = '\0';
    req = jsonf("{'family':'f','containerDefinitions':[{'name':'a','image':'%s@sha256:"
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef','memory':4}]}",
                long_image);
    accept_free(f, req);
    free(req);
}

/* ------------------------------------------------------------------------ */
/* Memory and cpu of containers                                              */

static void test_taskdef__container_memory_rules(void **state)
{
    fixture *f = *state;

    refuse_exact(f, "{'family':'f','containerDefinitions':[{'name':'app','image':'x'}]}", CCL,
                 "Invalid setting for container 'app'. At least one of 'memory' or "
                 "'memoryReservation' must be specified.");
    refuse_exact(f,
                 "{'family':'f','requiresCompatibilities':['EC2'],'containerDefinitions':"
                 "[{'name':'a','image':'x','memory':8},{'name':'b','image':'x'}]}",
                 CCL,
                 "Invalid setting for container 'b'. At least one of 'memory' or "
                 "'memoryReservation' must be specified.");
    accept_free(f, "{'family':'f','containerDefinitions':[{'name':'a','image':'x',"
                   "'memoryReservation':64}]}");
    accept_free(f, "{'family':'f','memory':'512','containerDefinitions':[{'name':'a','image':'x'}]}");
    /* memory equal to memoryReservation is valid (conformance README) */
    accept_free(f, EC2(",'memoryReservation':128", ""));
    refuse(f, EC2(",'memoryReservation':129", ""), CCL,
           "containerDefinitions[0].memoryReservation: must not be greater than memory (129 > 128 "
           "MiB).");
    refuse(f, EC2("", "'memory':'64',"), CCL,
           "containerDefinitions[0].memory: The 'memory' setting for container 'app' is greater "
           "than for the task (128 > 64 MiB).");
    accept_free(f, TWO(",'memoryReservation':32", ",'memoryReservation':32", "'memory':'64',"));
    refuse(f, TWO(",'memoryReservation':48", ",'memoryReservation':32", "'memory':'64',"), CCL,
           "memory: The sum of all container 'memoryReservation' values cannot be greater than "
           "the value of the task 'memory' (80 > 64 MiB).");
    refuse(f, TWO("", "", "'memory':'100',"), CCL,
           "memory: The sum of all container 'memory' values cannot be greater than the value of "
           "the task 'memory' (128 > 100 MiB).");
    refuse(f, EC2(",'memory':0", ""), CIP,
           "containerDefinitions[0].memory must be a positive number of MiB (0).");
    refuse(f, EC2(",'memoryReservation':-5", ""), CIP,
           "containerDefinitions[0].memoryReservation must be a positive number of MiB (-5).");
}

static void test_taskdef__container_cpu_rules(void **state)
{
    fixture *f = *state;

    accept_free(f, TWO(",'cpu':512", ",'cpu':512", "'cpu':'1024',"));
    refuse(f, TWO(",'cpu':512", ",'cpu':513", "'cpu':'1024',"), CCL,
           "cpu: The sum of all container 'cpu' values cannot be greater than the value of the "
           "task 'cpu' (1025 > 1024).");
    refuse(f, EC2(",'cpu':-1", ""), CIP, "containerDefinitions[0].cpu must not be negative (-1).");
    refuse(f, EC2(",'cpu':'256'", ""), CIP,
           "containerDefinitions[0].cpu must be an integer, not string.");
    refuse(f, EC2(",'cpu':2147483648", ""), CIP, "containerDefinitions[0].cpu is out of range");
    refuse(f, EC2(",'cpu':1.5", ""), CIP, "containerDefinitions[0].cpu must be an integer, not number.");
}

static void test_taskdef__at_least_one_essential_container(void **state)
{
    fixture *f = *state;

    refuse_exact(f, TWO(",'essential':false", ",'essential':false", ""), CCL,
                 "containerDefinitions: at least one container must be essential (essential "
                 "defaults to true).");
    accept_free(f, TWO(",'essential':false", "", ""));
    accept_free(f, TWO(",'essential':false", ",'essential':true", ""));
}

/* ------------------------------------------------------------------------ */
/* Ports                                                                     */

static void test_taskdef__port_mappings_per_network_mode(void **state)
{
    fixture *f = *state;

    refuse_exact(f, EC2(",'portMappings':[{'containerPort':80}]", "'networkMode':'none',"), CCL,
                 "containerDefinitions[0].portMappings: port mappings are not allowed when "
                 "networkMode is none.");
    accept_free(f, EC2(",'portMappings':[]", "'networkMode':'none',"));
    refuse_exact(f,
                 EC2(",'portMappings':[{'containerPort':8080,'hostPort':80}]",
                     "'networkMode':'awsvpc',"),
                 CCL,
                 "When networkMode=awsvpc, the host ports and container ports in port mappings "
                 "must match.");
    refuse_exact(f,
                 EC2(",'portMappings':[{'containerPort':8080,'hostPort':80}]",
                     "'networkMode':'host',"),
                 CCL,
                 "When networkMode=host, the host ports and container ports in port mappings "
                 "must match.");
    accept_free(f, EC2(",'portMappings':[{'containerPort':80,'hostPort':80}]",
                       "'networkMode':'awsvpc',"));
    accept_free(f, EC2(",'portMappings':[{'containerPort':80}]", "'networkMode':'host',"));
    accept_free(f, EC2(",'portMappings':[{'containerPort':80,'hostPort':8080},{'containerPort':80,"
                       "'hostPort':0},{'containerPort':81}]",
                       "'networkMode':'bridge',"));
    refuse(f, EC2(",'portMappings':[{'containerPort':0}]", ""), CIP,
           "containerDefinitions[0].portMappings[0].containerPort must be between 1 and 65535 (0).");
    refuse(f, EC2(",'portMappings':[{'containerPort':65536}]", ""), CIP,
           "containerDefinitions[0].portMappings[0].containerPort must be between 1 and 65535");
    refuse(f, EC2(",'portMappings':[{'containerPort':80},{'containerPort':81,'hostPort':70000}]", ""),
           CIP, "containerDefinitions[0].portMappings[1].hostPort must be between 0 and 65535");
    refuse(f, EC2(",'portMappings':[{'containerPort':80,'protocol':'http'}]", ""), CIP,
           "containerDefinitions[0].portMappings[0].protocol must be tcp or udp (got \"http\").");
    refuse(f, EC2(",'portMappings':[{'hostPort':80}]", ""), CIP,
           "containerDefinitions[0].portMappings[0]: containerPort or containerPortRange is "
           "required.");
    refuse(f, EC2(",'portMappings':[{'containerPort':80,'name':'-web'}]", ""), CIP,
           "containerDefinitions[0].portMappings[0].name must be 1 to 64 lowercase");
    accept_free(f, EC2(",'portMappings':[{'containerPort':80,'name':'web_1-x','appProtocol':'http'}]",
                       ""));
}

static void test_taskdef__container_port_ranges(void **state)
{
    fixture *f = *state;
    char *req, *ranges, *p;
    size_t i;

    accept_free(f, EC2(",'portMappings':[{'containerPortRange':'8000-8010'},{'containerPortRange':"
                       "'8000-8010','protocol':'udp'},{'containerPort':9000}]",
                       "'networkMode':'awsvpc',"));
    accept_free(f, EC2(",'portMappings':[{'containerPortRange':'1-65535'}]", ""));
    refuse(f, EC2(",'portMappings':[{'containerPortRange':'8000-8010'}]", "'networkMode':'host',"),
           CCL,
           "containerDefinitions[0].portMappings[0].containerPortRange is only supported when "
           "networkMode is bridge or awsvpc (networkMode is host).");
    refuse(f, EC2(",'portMappings':[{'containerPortRange':'8010-8000'}]", ""), CIP,
           "containerDefinitions[0].portMappings[0].containerPortRange must be \"first-last\"");
    refuse(f, EC2(",'portMappings':[{'containerPortRange':'80-80'}]", ""), CIP,
           "containerDefinitions[0].portMappings[0].containerPortRange must be");
    refuse(f, EC2(",'portMappings':[{'containerPortRange':'0-80'}]", ""), CIP,
           "containerDefinitions[0].portMappings[0].containerPortRange must be");
    refuse(f, EC2(",'portMappings':[{'containerPortRange':'1-65536'}]", ""), CIP,
           "containerDefinitions[0].portMappings[0].containerPortRange must be");
    refuse(f, EC2(",'portMappings':[{'containerPortRange':'a-b'}]", ""), CIP,
           "containerDefinitions[0].portMappings[0].containerPortRange must be");
    refuse(f, EC2(",'portMappings':[{'containerPortRange':'80-90','hostPort':80}]", ""), CIP,
           "containerDefinitions[0].portMappings[0].hostPort cannot be set with containerPortRange.");
    refuse(f, EC2(",'portMappings':[{'containerPortRange':'80-90','containerPort':80}]", ""), CIP,
           "containerDefinitions[0].portMappings[0]: containerPort and containerPortRange cannot "
           "both be set.");
    refuse(f, EC2(",'portMappings':[{'containerPortRange':'8000-8010'},{'containerPortRange':"
                  "'8005-8020'}]",
                  ""),
           CCL,
           "containerDefinitions[0].portMappings[1]: its ports overlap portMappings[0]; a port may "
           "be in only one port mapping per container.");
    refuse(f, EC2(",'portMappings':[{'containerPort':8005},{'containerPortRange':'8000-8010'}]", ""),
           CCL, "containerDefinitions[0].portMappings[1]: its ports overlap portMappings[0]");
    /* two single ports may repeat (bridge: one container port on two host ports) */
    accept_free(f, EC2(",'portMappings':[{'containerPort':80,'hostPort':8080},{'containerPort':80,"
                       "'hostPort':8081}]",
                       ""));
    /* at most 100 ranges per container */
    ranges = malloc(101 * 48);
    assert_non_null(ranges);
    for (p = ranges, i = 0; i < 101; i++) {
        p += sprintf(p, "%s{'containerPortRange':'%zu-%zu'}", i ? "," : "", 1000 + 10 * i,
                     1005 + 10 * i);
    }
    req = jsonf("{'family':'f','containerDefinitions':[{'name':'a','image':'x','memory':4,"
                "'portMappings':[%s]}]}",
                ranges);
    {
        ecs_api_error err;
        ecs_taskdef *td = TD_SENTINEL;
        assert_int_equal(run_raw(f, req, strlen(req), 0, &err, &td), ECS_E_LIMIT);
        assert_string_equal(err.message, "containerDefinitions[0].portMappings: at most 100 "
                                         "containerPortRange mappings per container.");
    }
    free(req);
    free(ranges);
}

/* ------------------------------------------------------------------------ */
/* dependsOn, links, volumesFrom                                             */

#define DEP2(a_extra, b_extra)                                                                  \
    "{'family':'f','containerDefinitions':[{'name':'a','image':'x','memory':8" a_extra "},"     \
    "{'name':'b','image':'x','memory':8" b_extra "}]}"

static void test_taskdef__depends_on_rules(void **state)
{
    fixture *f = *state;

    accept_free(f, DEP2(",'dependsOn':[{'containerName':'b','condition':'START'}]", ""));
    refuse(f, DEP2(",'dependsOn':[{'containerName':'db','condition':'START'}]", ""), CCL,
           "containerDefinitions[0].dependsOn[0].containerName: no container named 'db' in this "
           "task definition.");
    refuse(f, DEP2(",'dependsOn':[{'containerName':'a','condition':'START'}]", ""), CCL,
           "containerDefinitions[0].dependsOn[0].containerName: a container cannot depend on "
           "itself.");
    refuse(f, DEP2(",'dependsOn':[{'containerName':'b','condition':'HEALTHY'}]", ""), CCL,
           "containerDefinitions[0].dependsOn[0].condition: HEALTHY needs a healthCheck on "
           "container 'b'.");
    accept_free(f, DEP2(",'dependsOn':[{'containerName':'b','condition':'HEALTHY'}]",
                        ",'healthCheck':{'command':['CMD-SHELL','true']}"));
    refuse(f, DEP2(",'dependsOn':[{'containerName':'b','condition':'COMPLETE'}]", ""), CCL,
           "containerDefinitions[0].dependsOn[0]: A dependency container with SUCCESS or COMPLETE "
           "condition cannot be an essential container ('b' is essential).");
    refuse(f, DEP2(",'dependsOn':[{'containerName':'b','condition':'SUCCESS'}]", ""), CCL,
           "containerDefinitions[0].dependsOn[0]: A dependency container with SUCCESS or COMPLETE");
    accept_free(f, DEP2(",'dependsOn':[{'containerName':'b','condition':'SUCCESS'}]",
                        ",'essential':false"));
    accept_free(f, DEP2(",'dependsOn':[{'containerName':'b','condition':'COMPLETE'}]",
                        ",'essential':false"));
    refuse(f, DEP2(",'dependsOn':[{'containerName':'b','condition':'READY'}]", ""), CIP,
           "containerDefinitions[0].dependsOn[0].condition must be START, COMPLETE, SUCCESS or "
           "HEALTHY (got \"READY\").");
    refuse(f, DEP2(",'dependsOn':[{'containerName':'b','condition':'START'}]",
                   ",'dependsOn':[{'containerName':'a','condition':'START'}]"),
           CCL,
           "containerDefinitions[0].dependsOn[0]: containers wait for each other in a cycle (a -> "
           "b -> a), so none could start.");
    refuse(f,
           "{'family':'f','containerDefinitions':[{'name':'a','image':'x','memory':8},"
           "{'name':'b','image':'x','memory':8,'dependsOn':[{'containerName':'c','condition':"
           "'START'}]},{'name':'c','image':'x','memory':8,'dependsOn':[{'containerName':'a',"
           "'condition':'START'},{'containerName':'b','condition':'START'}]}]}",
           CCL,
           "containerDefinitions[1].dependsOn[0]: containers wait for each other in a cycle (b -> "
           "c -> b)");
    /* a cycle through links and dependsOn */
    refuse(f, DEP2(",'links':['b']", ",'dependsOn':[{'containerName':'a','condition':'START'}]"),
           CCL, "containerDefinitions[0].links[0]: containers wait for each other in a cycle");
    /* a diamond is no cycle */
    accept_free(f, "{'family':'f','containerDefinitions':[{'name':'a','image':'x','memory':8,"
                   "'dependsOn':[{'containerName':'b','condition':'START'},{'containerName':'c',"
                   "'condition':'START'}]},{'name':'b','image':'x','memory':8,'dependsOn':"
                   "[{'containerName':'d','condition':'START'}]},{'name':'c','image':'x','memory':"
                   "8,'dependsOn':[{'containerName':'d','condition':'START'}]},{'name':'d','image':"
                   "'x','memory':8}]}");
}

static void test_taskdef__links_and_volumes_from(void **state)
{
    fixture *f = *state;

    accept_free(f, DEP2(",'links':['b','b:db']", ""));
    refuse(f,
           "{'family':'f','networkMode':'awsvpc','containerDefinitions':[{'name':'a','image':'x',"
           "'memory':8,'links':['b']},{'name':'b','image':'x','memory':8}]}",
           CCL,
           "containerDefinitions[0].links: links are only supported when networkMode is bridge.");
    refuse(f,
           "{'family':'f','networkMode':'host','containerDefinitions':[{'name':'a','image':'x',"
           "'memory':8,'links':['b']},{'name':'b','image':'x','memory':8}]}",
           CCL, "containerDefinitions[0].links: links are only supported");
    refuse(f, DEP2(",'links':['c:db']", ""), CCL,
           "containerDefinitions[0].links[0]: no container named 'c' in this task definition.");
    refuse(f, DEP2(",'links':['a']", ""), CCL,
           "containerDefinitions[0].links[0]: a container cannot link to itself.");
    refuse(f, DEP2(",'links':['b:d b']", ""), CIP,
           "containerDefinitions[0].links[0]: the alias must be 1 to 255 letters");
    refuse(f, DEP2(",'links':[':x']", ""), CIP,
           "containerDefinitions[0].links[0] must be \"name\" or \"name:alias\".");
    accept_free(f, DEP2("", ",'volumesFrom':[{'sourceContainer':'a','readOnly':true}]"));
    refuse(f, DEP2("", ",'volumesFrom':[{'sourceContainer':'z'}]"), CCL,
           "containerDefinitions[1].volumesFrom[0].sourceContainer: no container named 'z'");
    refuse(f, DEP2("", ",'volumesFrom':[{'sourceContainer':'b'}]"), CCL,
           "containerDefinitions[1].volumesFrom[0].sourceContainer: a container cannot mount "
           "volumes from itself.");
    refuse(f, DEP2("", ",'volumesFrom':[{'readOnly':true}]"), CCL,
           "containerDefinitions[1].volumesFrom[0].sourceContainer: required.");
}

/* ------------------------------------------------------------------------ */
/* healthCheck, mounts, logging, placement, volumes                          */

static void test_taskdef__health_check_ranges_and_defaults(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *member;
        int lo, hi;
    } ranges[] = { { "interval", 5, 300 },
                   { "timeout", 2, 60 },
                   { "retries", 1, 10 },
                   { "startPeriod", 0, 300 } };
    size_t i;

    for (i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        int edge[4] = { ranges[i].lo, ranges[i].hi, ranges[i].lo - 1, ranges[i].hi + 1 };
        for (int k = 0; k < 4; k++) {
            char *req = jsonf(EC2(",'healthCheck':{'command':['CMD','true'],'%s':%d}", ""),
                              ranges[i].member, edge[k]);
            if (k < 2) {
                accept_free(f, req);
            } else {
                char want[160];
                snprintf(want, sizeof want,
                         "containerDefinitions[0].healthCheck.%s must be between %d and %d (%d).",
                         ranges[i].member, ranges[i].lo, ranges[i].hi, edge[k]);
                refuse_exact(f, req, CIP, want);
            }
            free(req);
        }
    }
    refuse(f, EC2(",'healthCheck':{'command':[]}", ""), CCL,
           "containerDefinitions[0].healthCheck.command must not be empty.");
    refuse(f, EC2(",'healthCheck':{'interval':10}", ""), CIP,
           "containerDefinitions[0].healthCheck.command: required member is missing.");
    /* no CMD prefix is fine: CMD is implied */
    accept_free(f, EC2(",'healthCheck':{'command':['/healthcheck']}", ""));
    expect_members(f,
                   "{'family':'f','containerDefinitions':[{'name':'a','image':'x','memory':8,"
                   "'healthCheck':{'command':['CMD','true'],'timeout':9}}]}",
                   "{'family':'f','containerDefinitions':[{'name':'a','image':'x','memory':8,"
                   "'healthCheck':{'command':['CMD','true'],'timeout':9,'interval':30,'retries':3},"
                   "'cpu':0,'essential':true,'portMappings':[],'environment':[],'mountPoints':[],"
                   "'volumesFrom':[]}],'volumes':[],'placementConstraints':[],'requiresAttributes':"
                   "[{'name':'ecs.capability.container-health-check'}],'compatibilities':"
                   "['EXTERNAL','EC2']}");
}

static void test_taskdef__mount_points_name_volumes(void **state)
{
    fixture *f = *state;

    accept_free(f, EC2(",'mountPoints':[{'sourceVolume':'data','containerPath':'/d'}]",
                       "'volumes':[{'name':'data','host':{'sourcePath':'/srv'}}],"));
    refuse_exact(f, EC2(",'mountPoints':[{'sourceVolume':'data','containerPath':'/d'}]",
                        "'volumes':[{'name':'date'}],"),
                 CCL,
                 "containerDefinitions[0].mountPoints[0].sourceVolume: no volume named 'data' in "
                 "volumes.");
    refuse(f, EC2(",'mountPoints':[{'containerPath':'/d'}]", "'volumes':[{'name':'data'}],"), CCL,
           "containerDefinitions[0].mountPoints[0].sourceVolume: required.");
    refuse(f, EC2(",'mountPoints':[{'sourceVolume':'data'}]", "'volumes':[{'name':'data'}],"), CCL,
           "containerDefinitions[0].mountPoints[0].containerPath: required.");
    refuse(f, EC2("", "'volumes':[{'name':'v'},{'name':'v'}],"), CCL,
           "volumes[1].name: duplicate volume name 'v' (also volumes[0].name).");
    refuse(f, EC2("", "'volumes':[{'name':'v w'}],"), CIP, "volumes[0].name must be 1 to 255");
    refuse(f, EC2("", "'volumes':[{'name':'v','host':{},'efsVolumeConfiguration':{'fileSystemId':"
                      "'fs-1'}}],"),
           CCL, "volumes[0]: host, dockerVolumeConfiguration, efsVolumeConfiguration and");
    refuse(f, EC2("", "'volumes':[{'name':'v','dockerVolumeConfiguration':{'scope':'task',"
                      "'autoprovision':true}}],"),
           CCL, "volumes[0].dockerVolumeConfiguration.autoprovision: only allowed when scope is "
                "shared.");
    refuse(f, EC2("", "'volumes':[{'name':'v','efsVolumeConfiguration':{'fileSystemId':'fs-1',"
                      "'authorizationConfig':{'iam':'ENABLED'}}}],"),
           CCL, "volumes[0].efsVolumeConfiguration.authorizationConfig.iam: IAM authorization "
                "needs transitEncryption ENABLED.");
    accept_free(f, EC2("", "'volumes':[{'name':'v','efsVolumeConfiguration':{'fileSystemId':'fs-1',"
                           "'transitEncryption':'ENABLED','authorizationConfig':{'iam':'ENABLED',"
                           "'accessPointId':'fsap-1'}}}],"));
    refuse(f, EC2("", "'volumes':[{'name':'v','efsVolumeConfiguration':{'fileSystemId':'fs-1',"
                      "'rootDirectory':'/x','transitEncryption':'ENABLED','authorizationConfig':"
                      "{'accessPointId':'fsap-1'}}}],"),
           CCL, "volumes[0].efsVolumeConfiguration.rootDirectory: must be omitted or \"/\"");
}

static void test_taskdef__logging_rules(void **state)
{
    fixture *f = *state;

    refuse_exact(f, EC2(",'logConfiguration':{'logDriver':'awslogs'}", ""), CCL,
                 "containerDefinitions[0].logConfiguration.options: Log driver awslogs requires "
                 "options: awslogs-region, awslogs-group");
    refuse_exact(f,
                 EC2(",'logConfiguration':{'logDriver':'awslogs','options':{'awslogs-group':'g'}}",
                     ""),
                 CCL,
                 "containerDefinitions[0].logConfiguration.options: Log driver awslogs requires "
                 "options: awslogs-region");
    refuse(f, EC2(",'logConfiguration':{'logDriver':'awsfirelens'}", ""), CCL,
           "containerDefinitions[0].logConfiguration.logDriver: awsfirelens needs a log router");
    accept_free(f, DEP2(",'logConfiguration':{'logDriver':'awsfirelens'}",
                        ",'firelensConfiguration':{'type':'fluentbit'}"));
    refuse(f, DEP2(",'firelensConfiguration':{'type':'fluentd'}",
                   ",'firelensConfiguration':{'type':'fluentbit'}"),
           CCL,
           "containerDefinitions[1].firelensConfiguration: only one container may be the log "
           "router (containerDefinitions[0] has firelensConfiguration).");
}

static void test_taskdef__placement_constraints(void **state)
{
    fixture *f = *state;
    ecs_taskdef *td;
    char *req, list[1024], *p = list;
    int i;

    td = accept(f, EC2("", "'placementConstraints':[{'type':'memberOf','expression':"
                           "'attribute:ecs.os-type == linux'},{'type':'memberOf','expression':"
                           "'attribute:ecs.instance-type =~ t3.*'}],"));
    assert_int_equal(td->nmember_of, 2);
    assert_string_equal(ecs_str__c(&td->member_of[0]), "attribute:ecs.os-type == linux");
    assert_string_equal(ecs_str__c(&td->member_of[1]), "attribute:ecs.instance-type =~ t3.*");
    ecs_taskdef__free(f->ctx, td);
    refuse(f, EC2("", "'placementConstraints':[{'type':'distinctInstance'}],"), CCL,
           "placementConstraints[0].type: constraint.type 'distinctInstance' is not supported; a "
           "task definition allows memberOf only.");
    refuse(f, EC2("", "'placementConstraints':[{'type':'memberOf'}],"), CCL,
           "placementConstraints[0].expression: a memberOf constraint needs an expression.");
    refuse(f, EC2("", "'placementConstraints':[{'expression':'x'}],"), CCL,
           "placementConstraints[0].type: required;");
    for (i = 0; i < 11; i++) {
        p += sprintf(p, "%s{'type':'memberOf','expression':'attribute:a%d == b'}", i ? "," : "", i);
    }
    req = jsonf(EC2("", "'placementConstraints':[%s],"), list);
    {
        ecs_api_error err;
        td = TD_SENTINEL;
        assert_int_equal(run(f, req, 0, &err, &td), ECS_E_LIMIT);
        assert_string_equal(err.code, CCL);
        assert_string_equal(err.message, "placementConstraints: at most 10 placement constraints "
                                         "are allowed (11 given).");
    }
    free(req);
}

static void test_taskdef__ephemeral_storage_and_accelerators(void **state)
{
    fixture *f = *state;

    accept_free(f, FARGATE("", "'ephemeralStorage':{'sizeInGiB':21},"));
    accept_free(f, FARGATE("", "'ephemeralStorage':{'sizeInGiB':200},"));
    refuse_exact(f, FARGATE("", "'ephemeralStorage':{'sizeInGiB':20},"), CIP,
                 "ephemeralStorage.sizeInGiB must be between 21 and 200 GiB (20).");
    refuse(f, FARGATE("", "'ephemeralStorage':{'sizeInGiB':201},"), CIP,
           "ephemeralStorage.sizeInGiB must be between 21 and 200 GiB (201).");
    accept_free(f, EC2(",'resourceRequirements':[{'type':'InferenceAccelerator','value':'d1'}]",
                       "'inferenceAccelerators':[{'deviceName':'d1','deviceType':'eia2.medium'}],"));
    refuse(f, EC2(",'resourceRequirements':[{'type':'InferenceAccelerator','value':'d2'}]",
                  "'inferenceAccelerators':[{'deviceName':'d1','deviceType':'eia2.medium'}],"),
           CCL, "containerDefinitions[0].resourceRequirements[0].value: no inferenceAccelerators");
    refuse(f, EC2(",'resourceRequirements':[{'type':'GPU','value':'1'},{'type':'GPU','value':'2'}]",
                  ""),
           CCL, "containerDefinitions[0].resourceRequirements[1].type: GPU is already given");
    refuse(f, EC2(",'resourceRequirements':[{'type':'GPU','value':'one'}]", ""), CIP,
           "containerDefinitions[0].resourceRequirements[0].value must be a positive number of GPUs.");
}

/* ------------------------------------------------------------------------ */
/* Launch types, compatibilities, requiresAttributes                         */

static void test_taskdef__compatibilities_follow_the_checks(void **state)
{
    fixture *f = *state;
    ecs_taskdef *td;

    td = accept(f, EC2("", ""));
    assert_int_equal(td->requires, 0);
    assert_int_equal(td->compatibilities, ECS_COMPAT_EC2 | ECS_COMPAT_EXTERNAL);
    assert_int_equal(td->network_mode, ECS_NET_BRIDGE);
    assert_false(td->network_mode_set);
    ecs_taskdef__free(f->ctx, td);
    /* Fargate-ready without asking for it */
    td = accept(f, "{'family':'f','networkMode':'awsvpc','cpu':'256','memory':'512',"
                   "'containerDefinitions':[{'name':'a','image':'x'}]}");
    assert_int_equal(td->compatibilities, ECS_COMPAT_EC2 | ECS_COMPAT_FARGATE);
    assert_true(td->network_mode_set);
    ecs_taskdef__free(f->ctx, td);
    td = accept(f, FARGATE("", ""));
    assert_int_equal(td->compatibilities, ECS_COMPAT_EC2 | ECS_COMPAT_FARGATE);
    ecs_taskdef__free(f->ctx, td);
    td = accept(f, EC2("", "'requiresCompatibilities':['EXTERNAL'],'networkMode':'host',"));
    assert_int_equal(td->requires, ECS_COMPAT_EXTERNAL);
    assert_int_equal(td->compatibilities, ECS_COMPAT_EC2 | ECS_COMPAT_EXTERNAL);
    ecs_taskdef__free(f->ctx, td);
    refuse(f, EC2("", "'requiresCompatibilities':['EXTERNAL'],'networkMode':'awsvpc',"), CCL,
           "networkMode: EXTERNAL (ECS Anywhere) does not support network mode 'awsvpc'.");
    refuse(f, EC2("", "'requiresCompatibilities':['EC2','FARGATE'],"), CCL,
           "Fargate only supports network mode 'awsvpc'.");
    td = accept(f, EC2("", "'requiresCompatibilities':['MANAGED_INSTANCES'],'networkMode':'host',"));
    assert_int_equal(td->compatibilities,
                     ECS_COMPAT_EC2 | ECS_COMPAT_EXTERNAL | ECS_COMPAT_MANAGED_INSTANCES);
    ecs_taskdef__free(f->ctx, td);
    refuse(f, EC2("", "'requiresCompatibilities':['MANAGED_INSTANCES'],"), CCL,
           "networkMode: MANAGED_INSTANCES needs networkMode awsvpc, host or none.");
    refuse(f, EC2("", "'requiresCompatibilities':['LAMBDA'],"), CIP,
           "requiresCompatibilities[0]: \"LAMBDA\" is not one of EC2, FARGATE, EXTERNAL, "
           "MANAGED_INSTANCES.");
    refuse(f, EC2("", "'networkMode':'default',"), CIP,
           "networkMode: \"default\" is not one of bridge, host, awsvpc, none.");
    /* an empty list means EC2 */
    td = accept(f, EC2("", "'requiresCompatibilities':[],"));
    assert_int_equal(td->requires, 0);
    ecs_taskdef__free(f->ctx, td);
}

static bool has_attr(const ecs_taskdef *td, const char *name)
{
    for (size_t i = 0; i < td->nrequires_attributes; i++) {
        if (strcmp(ecs_str__c(&td->requires_attributes[i]), name) == 0) {
            return true;
        }
    }
    return false;
}

static void test_taskdef__requires_attributes_are_derived(void **state)
{
    fixture *f = *state;
    ecs_taskdef *td;
    static const char *const want[] = {
        "ecs.capability.task-eni",
        "com.amazonaws.ecs.capability.task-iam-role",
        "ecs.capability.aws-appmesh",
        "ecs.capability.efs",
        "ecs.capability.efsAuth",
        "com.amazonaws.ecs.capability.ecr-auth",
        "ecs.capability.execution-role-ecr-pull",
        "com.amazonaws.ecs.capability.logging-driver.awslogs",
        "com.amazonaws.ecs.capability.docker-remote-api.1.18",
        "com.amazonaws.ecs.capability.docker-remote-api.1.19",
        "ecs.capability.execution-role-awslogs",
        "ecs.capability.secrets.asm.environment-variables",
        "ecs.capability.secrets.ssm.environment-variables",
        "com.amazonaws.ecs.capability.private-registry-authentication.secretsmanager",
        "ecs.capability.env-files.s3",
        "ecs.capability.container-health-check",
        "ecs.capability.container-ordering",
        "ecs.capability.firelens.fluentbit",
        "ecs.capability.firelens.options.config.file",
        "com.amazonaws.ecs.capability.logging-driver.awsfirelens",
        "com.amazonaws.ecs.capability.docker-remote-api.1.25",
    };
    size_t i;

    td = accept(f,
                "{'family':'f','networkMode':'awsvpc','taskRoleArn':'r','executionRoleArn':'e',"
                "'proxyConfiguration':{'type':'APPMESH','containerName':'app'},"
                "'volumes':[{'name':'v','efsVolumeConfiguration':{'fileSystemId':'fs-1',"
                "'transitEncryption':'ENABLED'}}],"
                "'containerDefinitions':[{'name':'app','memory':64,"
                "'image':'123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1',"
                "'logConfiguration':{'logDriver':'awslogs','options':{'awslogs-group':'g',"
                "'awslogs-region':'r'}},'secrets':[{'name':'A','valueFrom':"
                "'arn:aws:secretsmanager:eu-west-1:1:secret:x'},{'name':'B','valueFrom':'/p'}],"
                "'repositoryCredentials':{'credentialsParameter':'c'},'environmentFiles':"
                "[{'value':'arn:aws:s3:::b/e.env','type':'s3'}],'healthCheck':{'command':"
                "['CMD','true']},'dependsOn':[{'containerName':'log','condition':'START'}]},"
                "{'name':'log','image':'fluent-bit','memory':64,'firelensConfiguration':{'type':"
                "'fluentbit','options':{'config-file-type':'file','config-file-value':'/c'}},"
                "'linuxParameters':{'initProcessEnabled':true}},"
                "{'name':'web','image':'nginx','memory':64,'logConfiguration':"
                "{'logDriver':'awsfirelens'}}]}");
    for (i = 0; i < sizeof want / sizeof want[0]; i++) {
        if (!has_attr(td, want[i])) {
            print_error("missing requiresAttribute %s\n", want[i]);
            fail();
        }
    }
    assert_int_equal(td->nrequires_attributes, sizeof want / sizeof want[0]);
    ecs_taskdef__free(f->ctx, td);
    /* nothing special, nothing required */
    td = accept(f, EC2("", ""));
    assert_int_equal(td->nrequires_attributes, 0);
    ecs_taskdef__free(f->ctx, td);
    td = accept(f, EC2(",'stopTimeout':5", "'networkMode':'host','taskRoleArn':'r',"));
    assert_true(has_attr(td, "ecs.capability.container-ordering"));
    assert_true(has_attr(td, "com.amazonaws.ecs.capability.task-iam-role-network-host"));
    ecs_taskdef__free(f->ctx, td);
}

/* ------------------------------------------------------------------------ */
/* Describe output, lenient mode, normalisation                              */

static void test_taskdef__describe_output_is_refused_in_strict_mode(void **state)
{
    fixture *f = *state;

    refuse(f, "{'taskDefinition':" EC2("", "") "}", CIP,
           "taskDefinition: the request is DescribeTaskDefinition output");
    refuse(f, EC2("", "'revision':3,"), CIP,
           "revision: read-only member of describe output, not a RegisterTaskDefinition "
           "parameter; leave it out.");
    refuse(f, EC2("", "'compatibilities':['EC2'],"), CIP, "compatibilities: read-only member");
    refuse(f, EC2("", "'registeredAt':1.5,"), CIP, "registeredAt: read-only member");
    refuse(f, "[1,2]", CIP, "The request must be a JSON object, not array.");
}

static void test_taskdef__lenient_mode_unwraps_and_strips(void **state)
{
    fixture *f = *state;
    ecs_taskdef *td;
    char *text;

    td = accept_flags(f,
                      "{'taskDefinition':{'taskDefinitionArn':'arn:x','revision':8,'status':'ACTIVE',"
                      "'family':'web','cpu':null,'requiresAttributes':[{'name':'x'}],"
                      "'containerDefinitions':[{'name':'app','image':'nginx','memory':128,"
                      "'ulimits':null,'portMappings':[{'containerPort':80,'hostPort':null}]}],"
                      "'compatibilities':['EC2'],'registeredAt':'2024-01-01','registeredBy':'me',"
                      "'deregisteredAt':'2024-01-02'},'tags':[{'key':'k','value':'v'}]}",
                      ECS_TASKDEF_F_LENIENT);
    text = members_text(f, td);
    {
        char *want = jsonf(
            "{'family':'web','containerDefinitions':[{'name':'app','image':'nginx','memory':128,"
            "'portMappings':[{'containerPort':80,'hostPort':0,'protocol':'tcp'}],'cpu':0,"
            "'essential':true,'environment':[],'mountPoints':[],'volumesFrom':[]}],'volumes':[],"
            "'placementConstraints':[],'requiresAttributes':[],'compatibilities':"
            "['EXTERNAL','EC2']}");
        if (strcmp(text, want) != 0) {
            print_error("got  %s\nwant %s\n", text, want);
            fail();
        }
        free(want);
    }
    /* the wrapper's tags moved inside, for the plane to read */
    assert_non_null(ecs_taskdef__tags(td));
    assert_int_equal(ecs_json_len(ecs_taskdef__tags(td)), 1);
    free(text);
    ecs_taskdef__free(f->ctx, td);
    /* not a wrapper when other request members sit beside taskDefinition */
    refuse_with(f, "{'family':'f','taskDefinition':{}}", ECS_TASKDEF_F_LENIENT, CIP,
                "containerDefinitions: required member is missing.", true);
}

static void test_taskdef__strip_readonly_builds_a_request(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "{'taskDefinition':{'family':'f','revision':1,'a':{'b':null,'c':[null,1]}}}",
          "{'family':'f','a':{'c':[null,1]}}" },
        { "{'taskDefinition':{'family':'f','tags':[]},'tags':[{'key':'k'}]}",
          "{'family':'f','tags':[]}" },
        { "{'taskDefinition':{'family':'f'},'tags':null}", "{'family':'f'}" },
        { "{'family':'f','status':'ACTIVE','x':null}", "{'family':'f'}" },
        { "{'family':'f','taskDefinition':{'g':1}}", "{'family':'f','taskDefinition':{'g':1}}" },
        { "{'taskDefinition':5}", "{'taskDefinition':5}" },
        { "[null,{'a':null}]", "[null,{'a':null}]" },
        { "'text'", "'text'" },
        { "{'a':{'revision':1}}", "{'a':{'revision':1}}" },
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *in = jsonf("%s", cases[i].in), *want = jsonf("%s", cases[i].out), *got = NULL;
        ecs_json_doc *doc = NULL, *out = NULL;
        size_t len = 0;
        assert_int_equal(ecs_json_parse(f->ctx, in, strlen(in), NULL, &doc), ECS_OK);
        assert_int_equal(ecs_taskdef__strip_readonly(f->ctx, doc, ecs_json_root(doc), &out), ECS_OK);
        assert_int_equal(ecs_json_write_text(f->ctx, out, ecs_json_root(out), 0, &got, &len),
                         ECS_OK);
        if (strcmp(got, want) != 0) {
            print_error("%s\n  got  %s\n  want %s\n", in, got, want);
            fail();
        }
        ecs_json_text_free(f->ctx, got, len);
        ecs_json_doc_free(out);
        ecs_json_doc_free(doc);
        free(in);
        free(want);
    }
    /* very deep values are copied as they are, without recursion */
    {
        enum { DEPTH = 400 };
        char *in = malloc(2 * DEPTH + 64);
        ecs_json_doc *doc = NULL, *out = NULL;
        size_t n = 0;
        assert_non_null(in);
        n += (size_t)sprintf(in, "{\"family\":\"f\",\"x\":");
        for (int d = 0; d < DEPTH; d++) {
            in[n++] = '[';
        }
        for (int d = 0; d < DEPTH; d++) {
            in[n++] = ']';
        }
        in[n++] = '}';
        assert_int_equal(ecs_json_parse(f->ctx, in, n, NULL, &doc), ECS_OK);
        assert_int_equal(ecs_taskdef__strip_readonly(f->ctx, doc, ecs_json_root(doc), &out), ECS_OK);
        ecs_json_doc_free(out);
        ecs_json_doc_free(doc);
        free(in);
    }
}

static void test_taskdef__normalised_document(void **state)
{
    fixture *f = *state;

    /* awsvpc: hostPort made explicit and equal; repeated names: the last wins */
    expect_members(f,
                   "{'family':'x','family':'web','networkMode':'awsvpc','cpu':'.5 vCPU','memory':"
                   "'1 GB','containerDefinitions':[{'name':'a','image':'i','essential':false,"
                   "'portMappings':[{'containerPort':80},{'containerPort':81,'hostPort':0,"
                   "'protocol':'udp'},{'containerPortRange':'9000-9001'}]},{'name':'b','image':"
                   "'i','cpu':10}],'tags':[{'key':'k','value':'v'}]}",
                   "{'family':'web','networkMode':'awsvpc','cpu':'512','memory':'1024',"
                   "'containerDefinitions':[{'name':'a','image':'i','essential':false,"
                   "'portMappings':[{'containerPort':80,'hostPort':80,'protocol':'tcp'},"
                   "{'containerPort':81,'hostPort':81,'protocol':'udp'},{'containerPortRange':"
                   "'9000-9001','protocol':'tcp'}],'cpu':0,'environment':[],'mountPoints':[],"
                   "'volumesFrom':[]},{'name':'b','image':'i','cpu':10,'essential':true,"
                   "'portMappings':[],'environment':[],'mountPoints':[],'volumesFrom':[]}],"
                   "'volumes':[],'placementConstraints':[],'requiresAttributes':[{'name':"
                   "'ecs.capability.task-eni'}],'compatibilities':['EC2','FARGATE']}");
    /* host: same; given members keep their order and values */
    expect_members(f,
                   "{'containerDefinitions':[{'portMappings':[{'hostPort':22,'containerPort':22}],"
                   "'image':'i','name':'a','memory':4,'environment':[{'name':'A','value':'1'}]}],"
                   "'volumes':[],'family':'h','networkMode':'host'}",
                   "{'containerDefinitions':[{'portMappings':[{'hostPort':22,'containerPort':22,"
                   "'protocol':'tcp'}],'image':'i','name':'a','memory':4,'environment':[{'name':"
                   "'A','value':'1'}],'cpu':0,'essential':true,'mountPoints':[],'volumesFrom':[]}],"
                   "'volumes':[],'family':'h','networkMode':'host','placementConstraints':[],"
                   "'requiresAttributes':[],'compatibilities':['EXTERNAL','EC2']}");
}

/* decode -> members -> decode (lenient) -> members: the same text */
static void round_trip(fixture *f, const char *text, size_t len, const char *label)
{
    ecs_api_error err;
    ecs_taskdef *td = NULL, *td2 = NULL;
    char *t1, *t2;
    ecs_status rc = run_raw(f, text, len, ECS_TASKDEF_F_LENIENT, &err, &td);

    if (rc != ECS_OK) {
        print_error("%s: refused: %s %s\n", label, err.code, err.message);
        fail();
    }
    t1 = members_text(f, td);
    rc = run_raw(f, t1, strlen(t1), ECS_TASKDEF_F_LENIENT, &err, &td2);
    if (rc != ECS_OK) {
        print_error("%s: second pass refused: %s %s\n  %s\n", label, err.code, err.message, t1);
        fail();
    }
    t2 = members_text(f, td2);
    if (strcmp(t1, t2) != 0) {
        print_error("%s: round trip differs\n  1st %s\n  2nd %s\n", label, t1, t2);
        fail();
    }
    assert_int_equal(td->compatibilities, td2->compatibilities);
    assert_int_equal(td->nrequires_attributes, td2->nrequires_attributes);
    assert_int_equal(td->cpu, td2->cpu);
    assert_int_equal(td->memory_mib, td2->memory_mib);
    free(t1);
    free(t2);
    ecs_taskdef__free(f->ctx, td);
    ecs_taskdef__free(f->ctx, td2);
}

static void test_taskdef__my_api_example_registers_and_round_trips(void **state)
{
    fixture *f = *state;
    size_t len = 0;
    char *text = test_read_file(MY_API_EXAMPLE, &len);
    ecs_json_doc *doc = NULL;
    ecs_api_error err;
    ecs_taskdef *td = NULL;
    int shape = ecs_shape__action_input("RegisterTaskDefinition", 22);

    assert_non_null(text);
    assert_true(shape >= 0);
    assert_int_equal(ecs_json_parse(f->ctx, text, len, NULL, &doc), ECS_OK);
    memset(&err, 0, sizeof err);
    if (ecs_shape__check(&err, doc, ecs_json_root(doc), shape) != ECS_OK) {
        print_error("shape check: %s %s\n", err.code, err.message);
        fail();
    }
    assert_int_equal(ecs_taskdef__from_request(f->ctx, &err, doc, ecs_json_root(doc), 0, &td),
                     ECS_OK);
    assert_string_equal(ecs_str__c(&td->family), "my-api");
    assert_int_equal(td->requires, ECS_COMPAT_FARGATE);
    assert_int_equal(td->compatibilities, ECS_COMPAT_EC2 | ECS_COMPAT_FARGATE);
    assert_int_equal(td->cpu, 256);
    assert_int_equal(td->memory_mib, 512);
    assert_int_equal(td->ncontainers, 1);
    assert_int_equal(td->containers[0].nports, 1);
    assert_int_equal(td->containers[0].ports[0].container_port, 8080);
    assert_int_equal(td->containers[0].ports[0].host_port, 8080);
    assert_true(td->containers[0].essential);
    assert_int_equal(ecs_taskdef__reserved_cpu(td), 256);
    assert_int_equal(ecs_taskdef__reserved_memory(td), 512);
    assert_true(has_attr(td, "ecs.capability.task-eni"));
    assert_true(has_attr(td, "ecs.capability.execution-role-awslogs"));
    assert_true(has_attr(td, "ecs.capability.execution-role-ecr-pull"));
    ecs_taskdef__free(f->ctx, td);
    ecs_json_doc_free(doc);
    round_trip(f, text, len, "my-api-taskdef.json");
    free(text);
}

static void test_taskdef__round_trips_are_stable(void **state)
{
    fixture *f = *state;
    static const char *const defs[] = {
        EC2("", ""),
        FARGATE(",'healthCheck':{'command':['CMD','true'],'startPeriod':10}", ""),
        TWO(",'portMappings':[{'containerPort':80}],'links':['b:db']", ",'essential':false",
            "'cpu':'1 vCPU','memory':'2 gb','volumes':[{'name':'v'}],'tags':[{'key':'a'}],"),
        "{'family':'f','networkMode':'awsvpc','cpu':'.25 vcpu','memory':'.5 gb',"
        "'containerDefinitions':[{'name':'a','image':'x','portMappings':[{'containerPortRange':"
        "'1-2'},{'containerPort':3,'hostPort':3}]}]}",
    };
    size_t i;

    for (i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        char *text = jsonf("%s", defs[i]);
        round_trip(f, text, strlen(text), defs[i]);
        free(text);
    }
}

static void test_taskdef__size_limit_is_64_kib(void **state)
{
    fixture *f = *state;
    size_t n = 70000, used;
    char *req = malloc(n + 256);
    ecs_api_error err;
    ecs_taskdef *td = TD_SENTINEL;

    assert_non_null(req);
    used = (size_t)sprintf(req, "{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"a\","
                                "\"image\":\"x\",\"memory\":4,\"command\":[\"");
    memset(req + used, 'z', n);
    used += n;
    strcpy(req + used, "\"]}]}");
    assert_int_equal(run_raw(f, req, strlen(req), 0, &err, &td), ECS_E_LIMIT);
    assert_ptr_equal(td, TD_SENTINEL);
    assert_string_equal(err.code, CCL);
    assert_non_null(strstr(err.message, "The task definition is too large"));
    /* just under the limit is fine */
    used = (size_t)sprintf(req, "{\"family\":\"f\",\"containerDefinitions\":[{\"name\":\"a\","
                                "\"image\":\"x\",\"memory\":4,\"command\":[\"");
    memset(req + used, 'z', 65000);
    strcpy(req + used + 65000, "\"]}]}");
    td = NULL;
    assert_int_equal(run_raw(f, req, strlen(req), 0, &err, &td), ECS_OK);
    ecs_taskdef__free(f->ctx, td);
    free(req);
}

/* ------------------------------------------------------------------------ */
/* Defensive: requests that skipped the shape check                          */

static void test_taskdef__wrong_types_are_errors_not_crashes(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *req, *prefix;
    } cases[] = {
        { "{'family':5,'containerDefinitions':[]}", "family must be a string, not integer." },
        { "{'family':'f','containerDefinitions':{}}",
          "containerDefinitions must be a list, not object." },
        { "{'family':'f','containerDefinitions':[5]}",
          "containerDefinitions[0] must be an object, not integer." },
        { "{'family':'f','networkMode':true,'containerDefinitions':[]}",
          "networkMode must be a string, not boolean." },
        { "{'family':'f','requiresCompatibilities':'EC2','containerDefinitions':[]}",
          "requiresCompatibilities must be a list" },
        { "{'family':'f','requiresCompatibilities':[1],'containerDefinitions':[]}",
          "requiresCompatibilities[0] must be a string" },
        { EC2(",'portMappings':{'containerPort':80}", ""),
          "containerDefinitions[0].portMappings must be a list, not object." },
        { EC2(",'portMappings':[80]", ""),
          "containerDefinitions[0].portMappings[0] must be an object, not integer." },
        { EC2(",'essential':'yes'", ""), "containerDefinitions[0].essential must be a boolean" },
        { EC2(",'healthCheck':{'command':'CMD true'}", ""),
          "containerDefinitions[0].healthCheck.command must be a list" },
        { EC2(",'healthCheck':{'command':[1]}", ""),
          "containerDefinitions[0].healthCheck.command[0] must be a string" },
        { EC2(",'healthCheck':[]", ""), "containerDefinitions[0].healthCheck must be an object" },
        { EC2(",'dependsOn':['b']", ""),
          "containerDefinitions[0].dependsOn[0] must be an object" },
        { EC2(",'links':[{}]", ""), "containerDefinitions[0].links[0] must be a string" },
        { EC2(",'mountPoints':[{'sourceVolume':1}]", ""),
          "containerDefinitions[0].mountPoints[0].sourceVolume must be a string" },
        { EC2(",'logConfiguration':{'logDriver':7}", ""),
          "containerDefinitions[0].logConfiguration.logDriver must be a string" },
        { EC2(",'resourceRequirements':[{'type':'GPU','value':1}]", ""),
          "containerDefinitions[0].resourceRequirements[0].value must be a string" },
        { EC2(",'volumesFrom':[[]]", ""),
          "containerDefinitions[0].volumesFrom[0] must be an object, not array." },
        { EC2("", "'volumes':{},"), "volumes must be a list" },
        { EC2("", "'volumes':[{'name':'v','host':'x'}],"), "volumes[0].host must be an object" },
        { EC2("", "'placementConstraints':[{'type':1}],"), "placementConstraints[0].type must be" },
        { EC2("", "'ephemeralStorage':{'sizeInGiB':'21'},"), "ephemeralStorage.sizeInGiB must be" },
        { EC2("", "'inferenceAccelerators':[{'deviceName':[]}],"),
          "inferenceAccelerators[0].deviceName must be a string" },
        { EC2(",'name':'b'", ""), "" },
    };
    size_t i;

    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ecs_api_error err;
        ecs_taskdef *td = TD_SENTINEL;
        ecs_status rc = run(f, cases[i].req, 0, &err, &td);
        if (rc == ECS_OK) {
            /* only the last case, a harmless duplicate member, may pass */
            assert_int_equal(i, sizeof cases / sizeof cases[0] - 1);
            ecs_taskdef__free(f->ctx, td);
            continue;
        }
        assert_ptr_equal(td, TD_SENTINEL);
        if (strncmp(err.message, cases[i].prefix, strlen(cases[i].prefix)) != 0 &&
            strstr(err.message, cases[i].prefix) == NULL) {
            print_error("%s\n  got %s %s\n  want %s\n", cases[i].req, err.code, err.message,
                        cases[i].prefix);
            fail();
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Allocation failures                                                       */

/* A request that exercises every allocation path: lenient unwrapping,
 * several containers with ports, memberOf, many requiresAttributes. */
static const char oom_request[] =
    "{'taskDefinition':{'family':'web','networkMode':'awsvpc','revision':2,"
    "'requiresCompatibilities':['FARGATE'],'cpu':'1 vCPU','memory':'2 GB','executionRoleArn':'e',"
    "'taskRoleArn':'t','containerDefinitions':[{'name':'app','image':"
    "'123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1','portMappings':[{'containerPort':80},"
    "{'containerPort':443,'hostPort':443}],'healthCheck':{'command':['CMD','true']},"
    "'logConfiguration':{'logDriver':'awslogs','options':{'awslogs-group':'g',"
    "'awslogs-region':'r'}},'secrets':[{'name':'A','valueFrom':'/p'}],'ulimits':null},"
    "{'name':'side','image':'busybox','essential':false,'dependsOn':[{'containerName':'app',"
    "'condition':'HEALTHY'}],'portMappings':[{'containerPortRange':'9000-9100'}]}]},"
    "'tags':[{'key':'k','value':'v'}]}";

static void test_taskdef__oom_at_each_allocation_leaks_nothing(void **state)
{
    fixture *f = *state;
    char *text = jsonf("%s", oom_request);
    size_t len = strlen(text), n, base;
    ecs_json_doc *doc = NULL;
    ecs_taskdef *want = NULL;
    char *want_text;
    ecs_api_error err;
    bool fail_all;
    const ecs_json_val *root;

    assert_int_equal(ecs_json_parse(f->ctx, text, len, NULL, &doc), ECS_OK);
    root = ecs_json_root(doc);
    assert_int_equal(ecs_taskdef__from_request(f->ctx, &err, doc, root, ECS_TASKDEF_F_LENIENT,
                                               &want),
                     ECS_OK);
    want_text = members_text(f, want);
    base = f->ta.live_blocks;
    for (fail_all = false;; fail_all = true) {
        for (n = 1;; n++) {
            ecs_taskdef *td = TD_SENTINEL;
            ecs_status rc;
            test_alloc_fail_at(&f->ta, n, fail_all);
            rc = ecs_taskdef__from_request(f->ctx, &err, doc, root, ECS_TASKDEF_F_LENIENT, &td);
            if (f->ta.calls < n) {
                /* no failure was injected: the sweep is complete */
                assert_int_equal(rc, ECS_OK);
                ecs_taskdef__free(f->ctx, td);
                /* strip, writers, parses, names, ports, attributes... */
                assert_true(n > 30);
                break;
            }
            if (rc == ECS_OK) {
                /* a callee recovered from the refusal: the result must be right */
                char *got;
                test_alloc_fail_at(&f->ta, 0, false);
                got = members_text(f, td);
                assert_string_equal(got, want_text);
                free(got);
                ecs_taskdef__free(f->ctx, td);
            } else {
                if (rc != ECS_E_NOMEM) {
                    print_error("failing allocation %zu (fail_all %d): %s %s\n", n, (int)fail_all,
                                ecs_status_str(rc), err.message);
                    fail();
                }
                assert_ptr_equal(td, TD_SENTINEL);
                assert_string_equal(err.code, ECS_ERR_SERVER);
                assert_int_equal(ecs_ctx_errcode(f->ctx), ECS_E_NOMEM);
            }
            assert_int_equal(f->ta.live_blocks, base);
            assert_int_equal(f->ta.errors, 0);
            assert_true(n < 100000);
        }
        if (fail_all) {
            break;
        }
    }
    test_alloc_fail_at(&f->ta, 0, false);
    /* the same for the lenient preprocessing alone */
    for (n = 1;; n++) {
        ecs_json_doc *out = NULL;
        ecs_status rc;
        test_alloc_fail_at(&f->ta, n, true);
        rc = ecs_taskdef__strip_readonly(f->ctx, doc, root, &out);
        if (f->ta.calls < n) {
            assert_int_equal(rc, ECS_OK);
            ecs_json_doc_free(out);
            break;
        }
        assert_int_equal(rc, ECS_E_NOMEM);
        assert_null(out);
        assert_int_equal(f->ta.live_blocks, base);
    }
    test_alloc_fail_at(&f->ta, 0, false);
    free(want_text);
    ecs_taskdef__free(f->ctx, want);
    ecs_json_doc_free(doc);
    free(text);
}

/* ------------------------------------------------------------------------ */
/* Misuse and helpers                                                        */

static void test_taskdef__misuse_returns_invalid_arg(void **state)
{
    fixture *f = *state;
    ecs_json_doc *doc = NULL, *out = NULL;
    ecs_taskdef *td = TD_SENTINEL;
    ecs_api_error err;
    ecs_json_writer *w = NULL;

    assert_int_equal(ecs_json_parse(f->ctx, "{}", 2, NULL, &doc), ECS_OK);
    assert_int_equal(ecs_taskdef__from_request(NULL, &err, doc, ecs_json_root(doc), 0, &td),
                     ECS_E_INVALID_ARG);
    assert_int_equal(ecs_taskdef__from_request(f->ctx, &err, NULL, ecs_json_root(doc), 0, &td),
                     ECS_E_INVALID_ARG);
    assert_int_equal(ecs_taskdef__from_request(f->ctx, &err, doc, NULL, 0, &td), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_taskdef__from_request(f->ctx, &err, doc, ecs_json_root(doc), 0, NULL),
                     ECS_E_INVALID_ARG);
    assert_int_equal(ecs_taskdef__from_request(f->ctx, &err, doc, ecs_json_root(doc), 0x80, &td),
                     ECS_E_INVALID_ARG);
    /* err may be NULL: the context still says why */
    assert_int_equal(ecs_taskdef__from_request(f->ctx, NULL, doc, ecs_json_root(doc), 0, &td),
                     ECS_E_INVALID_ARG);
    assert_non_null(strstr(ecs_ctx_errmsg(f->ctx), "family: required member is missing."));
    assert_ptr_equal(td, TD_SENTINEL);
    assert_int_equal(ecs_taskdef__strip_readonly(f->ctx, NULL, NULL, &out), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_taskdef__strip_readonly(f->ctx, doc, ecs_json_root(doc), NULL),
                     ECS_E_INVALID_ARG);
    assert_null(out);
    assert_int_equal(ecs_json_writer_new(f->ctx, 0, &w), ECS_OK);
    assert_int_equal(ecs_taskdef__write_members(w, NULL), ECS_E_INVALID_ARG);
    assert_int_equal(ecs_taskdef__write_members(NULL, NULL), ECS_E_INVALID_ARG);
    ecs_json_writer_free(w);
    ecs_taskdef__free(f->ctx, NULL);
    ecs_taskdef__free(NULL, NULL);
    assert_int_equal(ecs_taskdef__reserved_cpu(NULL), 0);
    assert_int_equal(ecs_taskdef__reserved_memory(NULL), 0);
    assert_null(ecs_taskdef__tags(NULL));
    assert_null(ecs_taskdef__compat_name(0x100));
    ecs_json_doc_free(doc);
}

static void test_taskdef__reservations(void **state)
{
    fixture *f = *state;
    ecs_taskdef *td;

    td = accept(f, TWO(",'cpu':100,'memoryReservation':32", ",'cpu':50", ""));
    assert_int_equal(ecs_taskdef__reserved_cpu(td), 150);
    assert_int_equal(ecs_taskdef__reserved_memory(td), 32 + 64);
    assert_int_equal(td->containers[0].memory_reservation_mib, 32);
    assert_int_equal(td->containers[1].memory_mib, 64);
    ecs_taskdef__free(f->ctx, td);
    td = accept(f, TWO(",'cpu':100", "", "'cpu':'512','memory':'1024',"));
    assert_int_equal(ecs_taskdef__reserved_cpu(td), 512);
    assert_int_equal(ecs_taskdef__reserved_memory(td), 1024);
    ecs_taskdef__free(f->ctx, td);
    td = accept(f, EC2(",'resourceRequirements':[{'type':'GPU','value':'2'}]", ""));
    assert_int_equal(td->containers[0].gpus, 2);
    ecs_taskdef__free(f->ctx, td);
}

/* ------------------------------------------------------------------------ */
/* Conformance corpus                                                        */

typedef struct expectation {
    char file[128];
    bool valid;
    char reason[256];
} expectation;

static size_t read_sources(expectation *out, size_t cap)
{
    char *tsv = test_read_file(CONFORMANCE_DIR "/SOURCES.tsv", NULL), *line, *end;
    size_t n = 0;
    bool header = true;

    if (tsv == NULL) {
        return 0;
    }
    for (line = tsv; *line != '\0'; line = end) {
        char *col[8] = { 0 }, *p = line;
        size_t c = 0;
        end = strchr(line, '\n');
        if (end == NULL) {
            end = line + strlen(line);
        } else {
            *end++ = '\0';
        }
        if (header || *line == '\0') {
            header = false;
            continue;
        }
        while (c < 8) {
            col[c++] = p;
            p = strchr(p, '\t');
            if (p == NULL) {
                break;
            }
            *p++ = '\0';
        }
        if (c < 7 || n == cap) {
            continue;
        }
        snprintf(out[n].file, sizeof out[n].file, "%s", col[0]);
        out[n].valid = strcmp(col[6], "valid") == 0;
        snprintf(out[n].reason, sizeof out[n].reason, "%s", col[6]);
        n++;
    }
    free(tsv);
    return n;
}

/* Whole pipeline: parse, (lenient: strip), shape check, registration. */
static bool judge(fixture *f, const char *path, uint32_t flags, char *why, size_t why_len,
                  ecs_taskdef **out)
{
    size_t len = 0;
    char *text = test_read_file(path, &len);
    ecs_json_doc *doc = NULL, *stripped = NULL;
    const ecs_json_val *req;
    ecs_api_error err;
    ecs_taskdef *td = NULL;
    bool ok = false;
    int shape = ecs_shape__action_input("RegisterTaskDefinition", 22);

    memset(&err, 0, sizeof err);
    if (text == NULL) {
        snprintf(why, why_len, "cannot read");
    } else if (ecs_json_parse(f->ctx, text, len, NULL, &doc) != ECS_OK) {
        snprintf(why, why_len, "not JSON: %s", ecs_ctx_errmsg(f->ctx));
    } else {
        req = ecs_json_root(doc);
        if (flags & ECS_TASKDEF_F_LENIENT) {
            assert_int_equal(ecs_taskdef__strip_readonly(f->ctx, doc, req, &stripped), ECS_OK);
            req = ecs_json_root(stripped);
        }
        if (ecs_shape__check(&err, stripped ? stripped : doc, req, shape) != ECS_OK) {
            snprintf(why, why_len, "shape: %s: %s", err.code, err.message);
        } else if (ecs_taskdef__from_request(f->ctx, &err, stripped ? stripped : doc, req, flags,
                                             &td) != ECS_OK) {
            snprintf(why, why_len, "%s: %s", err.code, err.message);
        } else {
            snprintf(why, why_len, "accepted");
            ok = true;
        }
    }
    if (out != NULL && ok) {
        *out = td;
    } else {
        ecs_taskdef__free(f->ctx, td);
    }
    ecs_json_doc_free(stripped);
    ecs_json_doc_free(doc);
    free(text);
    return ok;
}

/* Where our verdict knowingly differs from SOURCES.tsv, and why. */
static const struct {
    const char *file, *why;
} known_disagreements[] = {
    { NULL, NULL }, /* none: every file gets its listed verdict */
};

static const char *known(const char *file)
{
    for (size_t i = 0; i < sizeof known_disagreements / sizeof known_disagreements[0]; i++) {
        if (known_disagreements[i].file != NULL && strcmp(known_disagreements[i].file, file) == 0) {
            return known_disagreements[i].why;
        }
    }
    return NULL;
}

static void test_taskdef__conformance_corpus_strict(void **state)
{
    fixture *f = *state;
    static expectation exp[128];
    size_t nexp = read_sources(exp, 128), i, files = 0, agree = 0, unexpected = 0, knowns = 0;
    DIR *dir = opendir(CONFORMANCE_DIR);
    struct dirent *ent;

    if (dir == NULL || nexp == 0) {
        if (dir != NULL) {
            closedir(dir);
        }
        print_message("SKIP: %s not found; conformance not checked\n", CONFORMANCE_DIR);
        skip();
    }
    while ((ent = readdir(dir)) != NULL) {
        char path[512], why[ECS_API_MSG_SIZE + 64];
        const expectation *e = NULL;
        const char *k;
        bool got;
        size_t l = strlen(ent->d_name);
        if (l < 6 || strcmp(ent->d_name + l - 5, ".json") != 0) {
            continue;
        }
        for (i = 0; i < nexp; i++) {
            if (strcmp(exp[i].file, ent->d_name) == 0) {
                e = &exp[i];
            }
        }
        if (e == NULL) {
            print_error("%s: not listed in SOURCES.tsv\n", ent->d_name);
            unexpected++;
            continue;
        }
        files++;
        snprintf(path, sizeof path, "%s/%s", CONFORMANCE_DIR, ent->d_name);
        got = judge(f, path, 0, why, sizeof why, NULL);
        k = known(ent->d_name);
        print_message("%-50s %-7s %s\n", ent->d_name, got ? "valid" : "invalid",
                      got ? "" : why);
        if (got == e->valid) {
            agree++;
            if (k != NULL) {
                print_error("%s: listed as a known disagreement but agrees now\n", ent->d_name);
                unexpected++;
            }
        } else if (k != NULL) {
            print_message("  known disagreement with SOURCES.tsv (%s): %s\n", e->reason, k);
            knowns++;
        } else {
            print_error("MISMATCH %s: expected %s, got %s (%s)\n", ent->d_name, e->reason,
                        got ? "valid" : "invalid", why);
            unexpected++;
        }
    }
    closedir(dir);
    print_message("conformance: %zu files, %zu agree with SOURCES.tsv, %zu known disagreements, "
                  "%zu unexpected\n",
                  files, agree, knowns, unexpected);
    assert_int_equal(files, nexp);
    assert_int_equal(unexpected, 0);
}

/* Pasted describe output and null-ridden files, in lenient mode. */
static void test_taskdef__conformance_corpus_lenient(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *file;
        bool valid;
    } cases[] = {
        { "028-firelens-efs-wrapped-describe.json", true },
        /* image "katsubushi/katsubushi:{{ env `TAG` `latest` }}" is a template */
        { "040-ecspresso-td-wrapped-template.json", false },
        { "041-ecspresso-td-plain-readonly-tags.json", false },
        { "059-docs-register-output-wrapped.json", true },
        { "061-docs-iam-troubleshoot-nulls.json", true },
        { "063-awscli-describe-output-wrapped.json", true },
        { "066-rw-connectforlife-describe-nulls.json", true },
        { "072-rw-bako-environment-files-describe.json", true },
        /* FARGATE with awslogs and no executionRoleArn */
        { "038-ctd-wildfly-fargate-null-ulimits.json", false },
        /* container cpu/memory are strings: still wrong */
        { "039-ctd-nginx-fargate-string-cpu-2018.json", false },
    };
    DIR *dir = opendir(CONFORMANCE_DIR);
    size_t i;

    if (dir == NULL) {
        print_message("SKIP: %s not found\n", CONFORMANCE_DIR);
        skip();
    }
    closedir(dir);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[512], why[ECS_API_MSG_SIZE + 64];
        ecs_taskdef *td = NULL;
        bool got;
        snprintf(path, sizeof path, "%s/%s", CONFORMANCE_DIR, cases[i].file);
        got = judge(f, path, ECS_TASKDEF_F_LENIENT, why, sizeof why, &td);
        print_message("lenient %-44s %-7s %s\n", cases[i].file, got ? "valid" : "invalid",
                      got ? "" : why);
        if (got != cases[i].valid) {
            print_error("lenient %s: expected %s (%s)\n", cases[i].file,
                        cases[i].valid ? "valid" : "invalid", why);
            fail();
        }
        if (got) {
            size_t len = 0;
            char *text = test_read_file(path, &len);
            round_trip(f, text, len, cases[i].file);
            free(text);
        }
        ecs_taskdef__free(f->ctx, td);
    }
}

/* ECS's own describe output (066, 072, 063) says what it derived. */
static void test_taskdef__derivations_match_real_describe_output(void **state)
{
    fixture *f = *state;
    static const char *const files[] = { "066-rw-connectforlife-describe-nulls.json",
                                         "072-rw-bako-environment-files-describe.json",
                                         "063-awscli-describe-output-wrapped.json" };
    size_t i;

    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512], why[ECS_API_MSG_SIZE + 64];
        size_t len = 0, matched = 0, listed = 0;
        char *text;
        ecs_json_doc *doc = NULL;
        const ecs_json_val *def, *list, *e;
        ecs_taskdef *td = NULL;
        uint32_t compat = 0;

        snprintf(path, sizeof path, "%s/%s", CONFORMANCE_DIR, files[i]);
        text = test_read_file(path, &len);
        if (text == NULL) {
            print_message("SKIP: %s not found\n", path);
            skip();
        }
        assert_true(judge(f, path, ECS_TASKDEF_F_LENIENT, why, sizeof why, &td));
        assert_int_equal(ecs_json_parse(f->ctx, text, len, NULL, &doc), ECS_OK);
        def = ecs_json_root(doc);
        if (ecs_json_obj_get(doc, def, "taskDefinition", 14) != NULL) {
            def = ecs_json_obj_get(doc, def, "taskDefinition", 14);
        }
        list = ecs_json_obj_get(doc, def, "requiresAttributes", 18);
        for (e = ecs_json_first(list); e != NULL; e = ecs_json_next(list, e)) {
            size_t n = 0;
            const char *name = ecs_json_str(doc, ecs_json_obj_get(doc, e, "name", 4), &n);
            listed++;
            if (name != NULL && has_attr(td, name)) {
                matched++;
            } else {
                print_message("%s: ECS lists %s, we do not derive it\n", files[i], name);
            }
        }
        print_message("%s: %zu of %zu requiresAttributes derived (we derive %zu)\n", files[i],
                      matched, listed, td->nrequires_attributes);
        /* we derive nothing ECS did not list */
        assert_int_equal(matched, td->nrequires_attributes);
        list = ecs_json_obj_get(doc, def, "compatibilities", 15);
        for (e = ecs_json_first(list); e != NULL; e = ecs_json_next(list, e)) {
            size_t n = 0;
            const char *c = ecs_json_str(doc, e, &n);
            for (uint32_t bit = 1; bit <= ECS_COMPAT_MANAGED_INSTANCES; bit <<= 1) {
                if (strcmp(c, ecs_taskdef__compat_name(bit)) == 0) {
                    compat |= bit;
                }
            }
        }
        assert_int_equal(td->compatibilities, compat);
        ecs_taskdef__free(f->ctx, td);
        ecs_json_doc_free(doc);
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_taskdef__size_strings_parse_in_every_form),
        T(test_taskdef__task_sizes_are_stored_as_unit_strings),
        T(test_taskdef__bad_task_sizes_are_refused),
        T(test_taskdef__ec2_cpu_range),
        T(test_taskdef__all_74_fargate_sizes_register),
        T(test_taskdef__fargate_neighbours_are_refused),
        T(test_taskdef__fargate_task_level_rules),
        T(test_taskdef__fargate_container_rules),
        T(test_taskdef__fargate_needs_an_execution_role),
        T(test_taskdef__family_and_container_names),
        T(test_taskdef__one_to_ten_containers),
        T(test_taskdef__image_is_required_and_checked),
        T(test_taskdef__container_memory_rules),
        T(test_taskdef__container_cpu_rules),
        T(test_taskdef__at_least_one_essential_container),
        T(test_taskdef__port_mappings_per_network_mode),
        T(test_taskdef__container_port_ranges),
        T(test_taskdef__depends_on_rules),
        T(test_taskdef__links_and_volumes_from),
        T(test_taskdef__health_check_ranges_and_defaults),
        T(test_taskdef__mount_points_name_volumes),
        T(test_taskdef__logging_rules),
        T(test_taskdef__placement_constraints),
        T(test_taskdef__ephemeral_storage_and_accelerators),
        T(test_taskdef__compatibilities_follow_the_checks),
        T(test_taskdef__requires_attributes_are_derived),
        T(test_taskdef__describe_output_is_refused_in_strict_mode),
        T(test_taskdef__lenient_mode_unwraps_and_strips),
        T(test_taskdef__strip_readonly_builds_a_request),
        T(test_taskdef__normalised_document),
        T(test_taskdef__my_api_example_registers_and_round_trips),
        T(test_taskdef__round_trips_are_stable),
        T(test_taskdef__size_limit_is_64_kib),
        T(test_taskdef__wrong_types_are_errors_not_crashes),
        T(test_taskdef__oom_at_each_allocation_leaks_nothing),
        T(test_taskdef__misuse_returns_invalid_arg),
        T(test_taskdef__reservations),
        T(test_taskdef__conformance_corpus_strict),
        T(test_taskdef__conformance_corpus_lenient),
        T(test_taskdef__derivations_match_real_describe_output),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
