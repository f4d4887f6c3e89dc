/*
 * Tests of ecs-sim's SHA-256 and HMAC-SHA256 (tools/ecs-sim/sha256.c)
 * against the FIPS 180-4 examples and the RFC 4231 test cases, and of its
 * Signature Version 4 check (tools/ecs-sim/sigv4.c) against AWS's published
 * values: the IAM ListUsers example of the SigV4 documentation (signing
 * key, canonical request hash, signature) and cases of the SigV4 test suite
 * (get-vanilla, get-vanilla-query-order-key-case, post-x-www-form-urlencoded,
 * credentials AKIDEXAMPLE, 2015-08-30T12:36:00Z). Then what must be refused:
 * a wrong signature, a stale or future date, an unknown key, another region
 * or service, a changed body, unsigned required headers, no signature.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"
#include "sha256.h"
#include "sigv4.h"

/* 2015-08-30T12:36:00Z, the time of AWS's examples. */
#define EXAMPLE_TIME INT64_C(1440938160)
#define EXAMPLE_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void hex_of_sha256(const void *data, size_t len, char out[65])
{
    unsigned char d[SIM_SHA256_LEN];
    sim_sha256(data, len, d);
    sim_hex(d, sizeof d, out);
}

static void hex_of_hmac(const void *key, size_t klen, const void *msg, size_t mlen, char out[65])
{
    unsigned char d[SIM_SHA256_LEN];
    sim_hmac_sha256(key, klen, msg, mlen, d);
    sim_hex(d, sizeof d, out);
}

static void test_sha256__fips_180_4_examples(void **state)
{
    static const char two_block[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    static const char long_msg[] =
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
        "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    char hex[65];
    (void)state;
    hex_of_sha256("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    hex_of_sha256("", 0, hex);
    assert_string_equal(hex, EMPTY_SHA256);
    hex_of_sha256(two_block, sizeof two_block - 1, hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    hex_of_sha256(long_msg, sizeof long_msg - 1, hex);
    assert_string_equal(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_sha256__million_a_in_uneven_pieces(void **state)
{
    char chunk[997], hex[65];
    unsigned char d[SIM_SHA256_LEN];
    sim_sha256_ctx s;
    size_t left = 1000000;
    (void)state;
    memset(chunk, 'a', sizeof chunk);
    sim_sha256_init(&s);
    for (size_t step = 1; left > 0; step = step % 997 + 1) {
        size_t n = step < left ? step : left;
        sim_sha256_update(&s, chunk, n);
        left -= n;
    }
    sim_sha256_final(&s, d);
    sim_hex(d, sizeof d, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_sha256__padding_boundaries_match_one_shot(void **state)
{
    /* Lengths around 55, 56, 63, 64 bytes put the length field in the same
     * block or the next: incremental and one-shot must agree. */
    unsigned char msg[200], d1[SIM_SHA256_LEN], d2[SIM_SHA256_LEN];
    (void)state;
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (unsigned char)(i * 7 + 3);
    for (size_t len = 0; len <= sizeof msg; len++) {
        sim_sha256_ctx s;
        sim_sha256(msg, len, d1);
        sim_sha256_init(&s);
        for (size_t i = 0; i < len; i++)
            sim_sha256_update(&s, msg + i, 1);
        sim_sha256_final(&s, d2);
        assert_memory_equal(d1, d2, sizeof d1);
    }
}

static void test_hmac__rfc_4231_cases(void **state)
{
    static const char tc6[] = "Test Using Larger Than Block-Size Key - Hash Key First";
    static const char tc7[] = "This is a test using a larger than block-size key and a larger "
                              "than block-size data. The key needs to be hashed before being "
                              "used by the HMAC algorithm.";
    unsigned char k0b[20], kaa[131], dd[50], cd[50], k4[25];
    char hex[65];
    (void)state;
    memset(k0b, 0x0b, sizeof k0b);
    memset(kaa, 0xaa, sizeof kaa);
    memset(dd, 0xdd, sizeof dd);
    memset(cd, 0xcd, sizeof cd);
    for (unsigned i = 0; i < sizeof k4; i++)
        k4[i] = (unsigned char)(i + 1);
    hex_of_hmac(k0b, 20, "Hi There", 8, hex);
    assert_string_equal(hex, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    hex_of_hmac("Jefe", 4, "what do ya want for nothing?", 28, hex);
    assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    hex_of_hmac(kaa, 20, dd, sizeof dd, hex);
    assert_string_equal(hex, "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    hex_of_hmac(k4, sizeof k4, cd, sizeof cd, hex);
    assert_string_equal(hex, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    hex_of_hmac(kaa, sizeof kaa, tc6, sizeof tc6 - 1, hex);
    assert_string_equal(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    hex_of_hmac(kaa, sizeof kaa, tc7, sizeof tc7 - 1, hex);
    assert_string_equal(hex, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

/* ---------------------------------------------------------------------- */
/* SigV4                                                                    */

typedef struct parsed {
    char *text; /* owns the bytes the request points into */
    sim_http_request req;
    const char *body;
    size_t body_len;
} parsed;

static void parse(parsed *p, const char *text)
{
    size_t scan = 0, len = strlen(text), end;
    const char *why;
    p->text = malloc(len + 1);
    assert_non_null(p->text);
    memcpy(p->text, text, len + 1);
    end = sim_http_head_end(p->text, len, &scan);
    assert_true(end > 0);
    assert_int_equal(sim_http_parse_head(p->text, end, &p->req, &why), 0);
    p->body = p->text + end;
    p->body_len = len - end;
    assert_int_equal(p->body_len, p->req.content_length);
}

static const sim_credential k_creds[] = {
    { "AKIDOTHER", "not-the-secret" },
    { "AKIDEXAMPLE", EXAMPLE_SECRET },
};
static const char *const k_regions[] = { "us-east-1" };

static sim_sigv4_config config(const char *service)
{
    sim_sigv4_config c;
    c.creds = k_creds;
    c.ncreds = 2;
    c.regions = k_regions;
    c.nregions = 1;
    c.service = service;
    c.max_skew_s = 900;
    return c;
}

static bool check(const char *service, const char *text, int64_t now, sim_sigv4_error *err)
{
    parsed p;
    sim_sigv4_config c = config(service);
    bool ok;
    parse(&p, text);
    ok = sim_sigv4_check(&c, &p.req, p.body, p.body_len, now, err);
    free(p.text);
    return ok;
}

#define LIST_USERS_SIG "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
#define LIST_USERS(sig)                                                                         \
    "GET /?Action=ListUsers&Version=2010-05-08 HTTP/1.1\r\n"                                     \
    "Host: iam.amazonaws.com\r\n"                                                                \
    "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"                         \
    "X-Amz-Date: 20150830T123600Z\r\n"                                                           \
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"             \
    "aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" sig "\r\n"            \
    "\r\n"

static void test_sigv4__iam_example_signing_key(void **state)
{
    unsigned char k[SIM_SHA256_LEN];
    char hex[65];
    (void)state;
    sim_sigv4_signing_key(EXAMPLE_SECRET, "20150830", "us-east-1", "iam", k);
    sim_hex(k, sizeof k, hex);
    assert_string_equal(hex, "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

static void test_sigv4__iam_example_canonical_request(void **state)
{
    static const char want[] = "GET\n/\nAction=ListUsers&Version=2010-05-08\n"
                               "content-type:application/x-www-form-urlencoded; charset=utf-8\n"
                               "host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
                               "content-type;host;x-amz-date\n" EMPTY_SHA256;
    static const char sh[] = "content-type;host;x-amz-date";
    parsed p;
    size_t len = 0;
    char *cr, hex[65];
    (void)state;
    parse(&p, LIST_USERS(LIST_USERS_SIG));
    cr = sim_sigv4_canonical_request(&p.req, sh, sizeof sh - 1, EMPTY_SHA256, &len);
    assert_non_null(cr);
    assert_string_equal(cr, want);
    hex_of_sha256(cr, len, hex);
    assert_string_equal(hex, "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
    free(cr);
    free(p.text);
}

static void test_sigv4__iam_example_is_accepted(void **state)
{
    sim_sigv4_error err;
    (void)state;
    assert_true(check("iam", LIST_USERS(LIST_USERS_SIG), EXAMPLE_TIME, &err));
    /* 15 minutes either way is still in time. */
    assert_true(check("iam", LIST_USERS(LIST_USERS_SIG), EXAMPLE_TIME + 900, &err));
    assert_true(check("iam", LIST_USERS(LIST_USERS_SIG), EXAMPLE_TIME - 900, &err));
}

#define VANILLA(sig)                                                                            \
    "GET / HTTP/1.1\r\nHost:example.amazonaws.com\r\nX-Amz-Date:20150830T123600Z\r\n"            \
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"         \
    "aws4_request, SignedHeaders=host;x-amz-date, Signature=" sig "\r\n\r\n"

static void test_sigv4__suite_get_vanilla(void **state)
{
    static const char want[] = "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z"
                               "\n\nhost;x-amz-date\n" EMPTY_SHA256;
    sim_sigv4_error err;
    parsed p;
    size_t len = 0;
    char *cr, hex[65];
    (void)state;
    parse(&p, VANILLA("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
    cr = sim_sigv4_canonical_request(&p.req, "host;x-amz-date", 15, EMPTY_SHA256, &len);
    assert_non_null(cr);
    assert_string_equal(cr, want);
    hex_of_sha256(cr, len, hex);
    assert_string_equal(hex, "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
    free(cr);
    free(p.text);
    assert_true(check("service",
                      VANILLA("5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
                      EXAMPLE_TIME, &err));
}

static void test_sigv4__suite_query_order_key_case(void **state)
{
    sim_sigv4_error err;
    (void)state;
    assert_true(check("service",
                      "GET /?Param2=value2&Param1=value1 HTTP/1.1\r\n"
                      "Host:example.amazonaws.com\r\nX-Amz-Date:20150830T123600Z\r\n"
                      "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/"
                      "service/aws4_request, SignedHeaders=host;x-amz-date, Signature="
                      "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500\r\n\r\n",
                      EXAMPLE_TIME, &err));
}

#define FORM_POST(body, sig)                                                                    \
    "POST / HTTP/1.1\r\nContent-Type:application/x-www-form-urlencoded\r\n"                      \
    "Host:example.amazonaws.com\r\nX-Amz-Date:20150830T123600Z\r\nContent-Length: 13\r\n"       \
    "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"         \
    "aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" sig "\r\n\r\n" body

#define FORM_SIG "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"

static void test_sigv4__suite_post_form_body_is_hashed(void **state)
{
    sim_sigv4_error err;
    (void)state;
    assert_true(check("service", FORM_POST("Param1=value1", FORM_SIG), EXAMPLE_TIME, &err));
    /* The same signature over another body of the same length. */
    assert_false(check("service", FORM_POST("Param1=value2", FORM_SIG), EXAMPLE_TIME, &err));
    assert_int_equal(err.status, 403);
    assert_string_equal(err.code, "InvalidSignatureException");
}

static void test_sigv4__wrong_signature_is_refused(void **state)
{
    sim_sigv4_error err;
    (void)state;
    assert_false(check("iam",
                       LIST_USERS("5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d8"),
                       EXAMPLE_TIME, &err));
    assert_int_equal(err.status, 403);
    assert_string_equal(err.code, "InvalidSignatureException");
    assert_non_null(strstr(err.message, "AKIDEXAMPLE"));
    /* Same signature, secret of another key. */
    assert_false(check("iam",
                       "GET /?Action=ListUsers&Version=2010-05-08 HTTP/1.1\r\n"
                       "Host: iam.amazonaws.com\r\n"
                       "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
                       "X-Amz-Date: 20150830T123600Z\r\n"
                       "Authorization: AWS4-HMAC-SHA256 Credential=AKIDOTHER/20150830/us-east-1/"
                       "iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="
                       LIST_USERS_SIG "\r\n\r\n",
                       EXAMPLE_TIME, &err));
    assert_string_equal(err.code, "InvalidSignatureException");
}

static void test_sigv4__stale_and_future_dates_are_refused(void **state)
{
    sim_sigv4_error err;
    (void)state;
    assert_false(check("iam", LIST_USERS(LIST_USERS_SIG), EXAMPLE_TIME + 901, &err));
    assert_int_equal(err.status, 403);
    assert_string_equal(err.code, "InvalidSignatureException");
    assert_non_null(strstr(err.message, "Signature expired"));
    assert_false(check("iam", LIST_USERS(LIST_USERS_SIG), EXAMPLE_TIME - 901, &err));
    assert_string_equal(err.code, "InvalidSignatureException");
}

static void test_sigv4__scope_must_match_the_server(void **state)
{
    sim_sigv4_error err;
    (void)state;
    /* The IAM example checked by a server of another service. */
    assert_false(check("ecs", LIST_USERS(LIST_USERS_SIG), EXAMPLE_TIME, &err));
    assert_string_equal(err.code, "InvalidSignatureException");
    assert_non_null(strstr(err.message, "service 'iam'"));
    assert_false(check("iam",
                       "GET / HTTP/1.1\r\nHost: a\r\nX-Amz-Date: 20150830T123600Z\r\n"
                       "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/"
                       "iam/aws4_request, SignedHeaders=host;x-amz-date, Signature="
                       LIST_USERS_SIG "\r\n\r\n",
                       EXAMPLE_TIME, &err));
    assert_non_null(strstr(err.message, "region 'eu-west-1'"));
    /* Scope date other than X-Amz-Date's. */
    assert_false(check("iam",
                       "GET / HTTP/1.1\r\nHost: a\r\nX-Amz-Date: 20150830T123600Z\r\n"
                       "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150831/us-east-1/"
                       "iam/aws4_request, SignedHeaders=host;x-amz-date, Signature="
                       LIST_USERS_SIG "\r\n\r\n",
                       EXAMPLE_TIME, &err));
    assert_string_equal(err.code, "InvalidSignatureException");
}

static void test_sigv4__unknown_key_and_missing_signature(void **state)
{
    sim_sigv4_error err;
    (void)state;
    assert_false(check("iam",
                       "GET / HTTP/1.1\r\nHost: a\r\nX-Amz-Date: 20150830T123600Z\r\n"
                       "Authorization: AWS4-HMAC-SHA256 Credential=AKIDNOBODY/20150830/us-east-1/"
                       "iam/aws4_request, SignedHeaders=host;x-amz-date, Signature="
                       LIST_USERS_SIG "\r\n\r\n",
                       EXAMPLE_TIME, &err));
    assert_int_equal(err.status, 403);
    assert_string_equal(err.code, "UnrecognizedClientException");
    assert_false(check("iam", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", EXAMPLE_TIME, &err));
    assert_string_equal(err.code, "MissingAuthenticationTokenException");
}

static void test_sigv4__malformed_authorization_headers(void **state)
{
    static const char *const bad[] = {
        "AWS4-HMAC-SHA1 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" LIST_USERS_SIG,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
        "SignedHeaders=host;x-amz-date",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam, "
        "SignedHeaders=host;x-amz-date, Signature=" LIST_USERS_SIG,
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=abc",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
        "Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=" LIST_USERS_SIG,
        "AWS4-HMAC-SHA256",
        "",
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[1024];
        sim_sigv4_error err;
        snprintf(text, sizeof text,
                 "GET / HTTP/1.1\r\nHost: a\r\nX-Amz-Date: 20150830T123600Z\r\n"
                 "Authorization: %s\r\n\r\n", bad[i]);
        assert_false(check("iam", text, EXAMPLE_TIME, &err));
        assert_int_equal(err.status, 403);
        assert_string_equal(err.code, "IncompleteSignatureException");
    }
}

static void test_sigv4__required_headers_must_be_signed(void **state)
{
    sim_sigv4_error err;
    (void)state;
    /* x-amz-target present but not signed: refused before any HMAC. */
    assert_false(check("service",
                       "GET / HTTP/1.1\r\nHost:example.amazonaws.com\r\n"
                       "X-Amz-Date:20150830T123600Z\r\nX-Amz-Target: Svc.Op\r\n"
                       "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/"
                       "us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature="
                       "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\r\n\r\n",
                       EXAMPLE_TIME, &err));
    assert_non_null(strstr(err.message, "x-amz-target"));
    /* A signed header that the request does not carry; a list out of order. */
    assert_false(check("service",
                       "GET / HTTP/1.1\r\nHost:example.amazonaws.com\r\n"
                       "X-Amz-Date:20150830T123600Z\r\n"
                       "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/"
                       "us-east-1/service/aws4_request, SignedHeaders=host;my-header;x-amz-date, "
                       "Signature=" LIST_USERS_SIG "\r\n\r\n",
                       EXAMPLE_TIME, &err));
    assert_string_equal(err.code, "InvalidSignatureException");
    assert_false(check("service",
                       "GET / HTTP/1.1\r\nHost:example.amazonaws.com\r\n"
                       "X-Amz-Date:20150830T123600Z\r\n"
                       "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/"
                       "us-east-1/service/aws4_request, SignedHeaders=x-amz-date;host, "
                       "Signature=" LIST_USERS_SIG "\r\n\r\n",
                       EXAMPLE_TIME, &err));
    assert_string_equal(err.code, "InvalidSignatureException");
}

static void test_sigv4__payload_hash_header_must_match_body(void **state)
{
    sim_sigv4_error err;
    (void)state;
    assert_false(check("service",
                       "POST / HTTP/1.1\r\nHost:example.amazonaws.com\r\n"
                       "X-Amz-Date:20150830T123600Z\r\nContent-Length: 2\r\n"
                       "X-Amz-Content-Sha256: " EMPTY_SHA256 "\r\n"
                       "Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/"
                       "us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature="
                       LIST_USERS_SIG "\r\n\r\n{}",
                       EXAMPLE_TIME, &err));
    assert_non_null(strstr(err.message, "X-Amz-Content-Sha256"));
}

static void test_sigv4__amz_date_parsing(void **state)
{
    int64_t t = 0;
    (void)state;
    assert_true(sim_sigv4_parse_amz_date("20150830T123600Z", 16, &t));
    assert_true(t == EXAMPLE_TIME);
    assert_true(sim_sigv4_parse_amz_date("19700101T000000Z", 16, &t));
    assert_true(t == 0);
    assert_true(sim_sigv4_parse_amz_date("20240229T235959Z", 16, &t));
    assert_true(t == INT64_C(1709251199));
    assert_false(sim_sigv4_parse_amz_date("20150830T123600", 15, &t));
    assert_false(sim_sigv4_parse_amz_date("20151330T123600Z", 16, &t));
    assert_false(sim_sigv4_parse_amz_date("2015-08-30T12:3Z", 16, &t));
    assert_false(sim_sigv4_parse_amz_date("20150830X123600Z", 16, &t));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256__fips_180_4_examples),
        cmocka_unit_test(test_sha256__million_a_in_uneven_pieces),
        cmocka_unit_test(test_sha256__padding_boundaries_match_one_shot),
        cmocka_unit_test(test_hmac__rfc_4231_cases),
        cmocka_unit_test(test_sigv4__iam_example_signing_key),
        cmocka_unit_test(test_sigv4__iam_example_canonical_request),
        cmocka_unit_test(test_sigv4__iam_example_is_accepted),
        cmocka_unit_test(test_sigv4__suite_get_vanilla),
        cmocka_unit_test(test_sigv4__suite_query_order_key_case),
        cmocka_unit_test(test_sigv4__suite_post_form_body_is_hashed),
        cmocka_unit_test(test_sigv4__wrong_signature_is_refused),
        cmocka_unit_test(test_sigv4__stale_and_future_dates_are_refused),
        cmocka_unit_test(test_sigv4__scope_must_match_the_server),
        cmocka_unit_test(test_sigv4__unknown_key_and_missing_signature),
        cmocka_unit_test(test_sigv4__malformed_authorization_headers),
        cmocka_unit_test(test_sigv4__required_headers_must_be_signed),
        cmocka_unit_test(test_sigv4__payload_hash_header_must_match_body),
        cmocka_unit_test(test_sigv4__amz_date_parsing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
