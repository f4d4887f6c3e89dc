/*
 * Verifying AWS Signature Version 4 (header form, AWS4-HMAC-SHA256).
 *
 * The Authorization header names the key, the scope (date, region,
 * service, "aws4_request"), the signed headers and the signature. The
 * string to sign is the algorithm, X-Amz-Date, the scope and the hash of
 * the canonical request (sigv4_canon.c); the signature is its HMAC under
 * the key derived from the secret, the date, the region and the service.
 * The payload hash is always computed from the body received, so a body
 * changed in flight fails the comparison; X-Amz-Date must be within the
 * configured skew of the wall clock, which bounds replays.
 */
#include "sigv4.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sim_sigv4_signing_key(const char *secret, const char *date8, const char *region,
                           const char *service, unsigned char out[SIM_SHA256_LEN])
{
    unsigned char k[SIM_SHA256_LEN];
    size_t sl = strlen(secret);
    char *first = malloc(sl + 5);
    if (first == NULL) {
        memset(out, 0, SIM_SHA256_LEN);
        return;
    }
    memcpy(first, "AWS4", 4);
    memcpy(first + 4, secret, sl + 1);
    sim_hmac_sha256(first, sl + 4, date8, strlen(date8), k);
    memset(first, 0, sl + 4);
    free(first);
    sim_hmac_sha256(k, sizeof k, region, strlen(region), k);
    sim_hmac_sha256(k, sizeof k, service, strlen(service), k);
    sim_hmac_sha256(k, sizeof k, "aws4_request", 12, out);
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static bool digits(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10u + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

bool sim_sigv4_parse_amz_date(const char *s, size_t len, int64_t *out)
{
    unsigned y, mo, d, h, mi, se;
    static const unsigned mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (len != 16 || s[8] != 'T' || s[15] != 'Z' || !digits(s, 4, &y) ||
        !digits(s + 4, 2, &mo) || !digits(s + 6, 2, &d) || !digits(s + 9, 2, &h) ||
        !digits(s + 11, 2, &mi) || !digits(s + 13, 2, &se))
        return false;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || se > 60)
        return false;
    *out = days_from_civil((int64_t)y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 +
           (int64_t)se;
    return true;
}

static bool deny(sim_sigv4_error *err, int status, const char *code)
{
    err->status = status;
    err->code = code;
    return false;
}

static bool refuse(sim_sigv4_error *err, int status, const char *code, const char *msg)
{
    snprintf(err->message, sizeof err->message, "%s", msg);
    return deny(err, status, code);
}

static bool mem_has(const char *s, size_t n, const char *needle)
{
    size_t nl = strlen(needle);
    for (size_t i = 0; i + nl <= n; i++) {
        if (memcmp(s + i, needle, nl) == 0)
            return true;
    }
    return false;
}

/* The parts of "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...". */
typedef struct auth_parts {
    const char *cred, *signed_headers, *sig;
    size_t cred_len, signed_len, sig_len;
} auth_parts;

static bool split_authorization(const char *v, size_t n, auth_parts *p)
{
    static const char alg[] = "AWS4-HMAC-SHA256";
    size_t i = sizeof alg - 1;
    memset(p, 0, sizeof *p);
    if (n <= i || memcmp(v, alg, i) != 0 || (v[i] != ' ' && v[i] != '\t'))
        return false;
    while (i < n) {
        size_t a, e;
        const char **dst = NULL;
        size_t *dlen = NULL;
        while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
            i++;
        if (i == n)
            break;
        a = i;
        while (i < n && v[i] != '=' && v[i] != ',')
            i++;
        if (i == n || v[i] != '=')
            return false;
        if (i - a == 10 && memcmp(v + a, "Credential", 10) == 0) {
            dst = &p->cred;
            dlen = &p->cred_len;
        } else if (i - a == 13 && memcmp(v + a, "SignedHeaders", 13) == 0) {
            dst = &p->signed_headers;
            dlen = &p->signed_len;
        } else if (i - a == 9 && memcmp(v + a, "Signature", 9) == 0) {
            dst = &p->sig;
            dlen = &p->sig_len;
        } else {
            return false;
        }
        if (*dst != NULL)
            return false;
        e = ++i;
        while (e < n && v[e] != ',' && v[e] != ' ' && v[e] != '\t')
            e++;
        *dst = v + i;
        *dlen = e - i;
        i = e;
    }
    return p->cred != NULL && p->signed_headers != NULL && p->sig != NULL;
}

/* Whether the ';'-list holds `name`. */
static bool list_has(const char *list, size_t n, const char *name)
{
    size_t nl = strlen(name), i = 0;
    while (i < n) {
        size_t a = i;
        while (i < n && list[i] != ';')
            i++;
        if (i - a == nl && memcmp(list + a, name, nl) == 0)
            return true;
        i++;
    }
    return false;
}

/* Copy s[0..n) into a NUL-terminated buffer of cap bytes; false if too long. */
static bool copy_z(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        return false;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return true;
}

static bool same_time_const(const char *a, const char *b, size_t n)
{
    unsigned char d = 0;
    for (size_t i = 0; i < n; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d == 0;
}

bool sim_sigv4_check(const sim_sigv4_config *cfg, const sim_http_request *req, const char *body,
                     size_t body_len, int64_t now_s, sim_sigv4_error *err)
{
    const sim_http_field *auth = sim_http_field_get(req, "authorization");
    const sim_http_field *date = sim_http_field_get(req, "x-amz-date");
    const sim_http_field *phash = sim_http_field_get(req, "x-amz-content-sha256");
    const sim_credential *key = NULL;
    auth_parts ap;
    char ak[129], cdate[16], region[64], service[64], amz_date[17], scope[300];
    char payload_hex[2 * SIM_SHA256_LEN + 1], cr_hex[2 * SIM_SHA256_LEN + 1],
        sig_hex[2 * SIM_SHA256_LEN + 1];
    unsigned char digest[SIM_SHA256_LEN], skey[SIM_SHA256_LEN];
    const char *c, *end, *parts[5];
    size_t plen[5], np = 0;
    char *cr, *sts;
    size_t cr_len, sts_len;
    int64_t t;
    bool region_ok = false;

    err->status = 0;
    err->code = "";
    err->message[0] = '\0';
    if (auth == NULL) {
        if (req->query != NULL && req->query_len > 0 &&
            mem_has(req->query, req->query_len, "X-Amz-Signature"))
            return refuse(err, 403, "InvalidSignatureException",
                          "pre-signed query-string requests are not accepted; sign the "
                          "Authorization header");
        return refuse(err, 403, "MissingAuthenticationTokenException",
                      "request is not signed: this server requires an Authorization header with "
                      "AWS Signature Version 4");
    }
    if (sim_http_field_count(req, "authorization") > 1)
        return refuse(err, 403, "IncompleteSignatureException",
                      "more than one Authorization header");
    if (!split_authorization(auth->value, auth->value_len, &ap))
        return refuse(err, 403, "IncompleteSignatureException",
                      "Authorization header must be 'AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/"
                      "SERVICE/aws4_request, SignedHeaders=..., Signature=...'");
    /* Credential=AK/YYYYMMDD/region/service/aws4_request */
    c = ap.cred;
    end = ap.cred + ap.cred_len;
    while (np < 5) {
        const char *s = c;
        while (c < end && *c != '/')
            c++;
        parts[np] = s;
        plen[np++] = (size_t)(c - s);
        if (c == end)
            break;
        c++;
    }
    if (np != 5 || c != end || plen[0] == 0 || plen[4] != 12 ||
        memcmp(parts[4], "aws4_request", 12) != 0 || !copy_z(ak, sizeof ak, parts[0], plen[0]) ||
        !copy_z(cdate, sizeof cdate, parts[1], plen[1]) || plen[1] != 8 ||
        !copy_z(region, sizeof region, parts[2], plen[2]) || plen[2] == 0 ||
        !copy_z(service, sizeof service, parts[3], plen[3]))
        return refuse(err, 403, "IncompleteSignatureException",
                      "Credential must be KEY/YYYYMMDD/REGION/SERVICE/aws4_request");
    if (ap.sig_len != 2 * SIM_SHA256_LEN)
        return refuse(err, 403, "IncompleteSignatureException",
                      "Signature must be 64 hexadecimal digits");
    for (size_t i = 0; i < cfg->ncreds; i++) {
        if (strcmp(cfg->creds[i].access_key, ak) == 0) {
            key = &cfg->creds[i];
            break;
        }
    }
    if (key == NULL) {
        snprintf(err->message, sizeof err->message,
                 "the access key '%s' is not known to this server", ak);
        return deny(err, 403, "UnrecognizedClientException");
    }
    if (strcmp(service, cfg->service) != 0) {
        snprintf(err->message, sizeof err->message,
                 "credential scope names service '%s'; this endpoint is '%s'", service,
                 cfg->service);
        return deny(err, 403, "InvalidSignatureException");
    }
    for (size_t i = 0; i < cfg->nregions; i++)
        region_ok = region_ok || strcmp(cfg->regions[i], region) == 0;
    if (!region_ok) {
        snprintf(err->message, sizeof err->message,
                 "credential scope names region '%s', which this server does not serve "
                 "(it serves %s)", region, cfg->nregions > 0 ? cfg->regions[0] : "none");
        return deny(err, 403, "InvalidSignatureException");
    }
    if (date == NULL || sim_http_field_count(req, "x-amz-date") > 1)
        return refuse(err, 403, "IncompleteSignatureException",
                      "a single X-Amz-Date header is required with the signature");
    if (!copy_z(amz_date, sizeof amz_date, date->value, date->value_len) ||
        !sim_sigv4_parse_amz_date(date->value, date->value_len, &t))
        return refuse(err, 403, "IncompleteSignatureException",
                      "X-Amz-Date must be a UTC time as YYYYMMDDTHHMMSSZ");
    if (memcmp(amz_date, cdate, 8) != 0) {
        snprintf(err->message, sizeof err->message,
                 "credential scope date %s is not the date of X-Amz-Date %s", cdate, amz_date);
        return deny(err, 403, "InvalidSignatureException");
    }
    if (t < now_s - cfg->max_skew_s || t > now_s + cfg->max_skew_s) {
        snprintf(err->message, sizeof err->message,
                 "Signature expired: X-Amz-Date %s is more than %lld s away from the server's "
                 "clock (epoch %lld)", amz_date, (long long)cfg->max_skew_s, (long long)now_s);
        return deny(err, 403, "InvalidSignatureException");
    }
    if (!list_has(ap.signed_headers, ap.signed_len, "host") ||
        !list_has(ap.signed_headers, ap.signed_len, "x-amz-date") ||
        (sim_http_field_get(req, "x-amz-target") != NULL &&
         !list_has(ap.signed_headers, ap.signed_len, "x-amz-target")))
        return refuse(err, 403, "InvalidSignatureException",
                      "SignedHeaders must include host, x-amz-date and x-amz-target");
    sim_sha256(body, body_len, digest);
    sim_hex(digest, SIM_SHA256_LEN, payload_hex);
    if (phash != NULL && !(phash->value_len == 2 * SIM_SHA256_LEN &&
                           memcmp(phash->value, payload_hex, phash->value_len) == 0))
        return refuse(err, 403, "InvalidSignatureException",
                      "X-Amz-Content-Sha256 is not the SHA-256 of the body received");
    cr = sim_sigv4_canonical_request(req, ap.signed_headers, ap.signed_len, payload_hex, &cr_len);
    if (cr == NULL)
        return refuse(err, 403, "InvalidSignatureException",
                      "SignedHeaders must be lower-case names in ascending order, each present "
                      "in the request");
    sim_sha256(cr, cr_len, digest);
    free(cr);
    sim_hex(digest, SIM_SHA256_LEN, cr_hex);
    snprintf(scope, sizeof scope, "%s/%s/%s/aws4_request", cdate, region, service);
    sts_len = 17 + 16 + 1 + strlen(scope) + 1 + 64;
    sts = malloc(sts_len + 1);
    if (sts == NULL)
        return refuse(err, 503, "ServiceUnavailableException", "out of memory");
    snprintf(sts, sts_len + 1, "AWS4-HMAC-SHA256\n%s\n%s\n%s", amz_date, scope, cr_hex);
    sim_sigv4_signing_key(key->secret, cdate, region, service, skey);
    sim_hmac_sha256(skey, sizeof skey, sts, strlen(sts), digest);
    free(sts);
    memset(skey, 0, sizeof skey);
    sim_hex(digest, SIM_SHA256_LEN, sig_hex);
    if (!same_time_const(sig_hex, ap.sig, 2 * SIM_SHA256_LEN)) {
        snprintf(err->message, sizeof err->message,
                 "the signature does not match the one computed for this request with the "
                 "secret of '%s'; check the secret key and the signing steps", ak);
        return deny(err, 403, "InvalidSignatureException");
    }
    return true;
}
