/* C smoke test of the paygent ABI: compiled and run by tests/smoke.rs.
 * Exit status 0 = all checks passed; every failed check prints a line. */
#include <stdio.h>
#include <string.h>

#include "paygent.h"

static int failures = 0;

#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond)) {                                                      \
            fprintf(stderr, "smoke.c:%d: check failed: %s\n", __LINE__, #cond); \
            failures++;                                                     \
        }                                                                   \
    } while (0)

#define LIT(s) (const uint8_t *)(s), (sizeof(s) - 1)

static int bytes_eq(PaygentBytes b, const char *s, size_t n) {
    return !b.is_null && b.len == n && (n == 0 || memcmp(b.ptr, s, n) == 0);
}
#define BYTES_EQ(b, s) bytes_eq((b), (s), sizeof(s) - 1)

static int starts_with(PaygentBytes b, const char *s) {
    size_t n = strlen(s);
    return !b.is_null && b.len >= n && memcmp(b.ptr, s, n) == 0;
}

static void null_handles(void) {
    CHECK(paygent_new(99) == NULL);
    paygent_free(NULL);
    CHECK(paygent_req_put(NULL, LIT("a"), LIT("b")) == PAYGENT_STATUS_E01901);
    CHECK(paygent_post(NULL) == PAYGENT_STATUS_E01901);
    CHECK(paygent_init(NULL) == PAYGENT_STATUS_E01901);
    CHECK(paygent_result_status(NULL).is_null);
    CHECK(paygent_record_count(NULL) == 0);
    CHECK(paygent_last_error_code(NULL) == PAYGENT_STATUS_E01901);
    CHECK(paygent_version().len > 0);
}

static void parameters(void) {
    PaygentModule *h = paygent_new(PAYGENT_DIALECT_PERL);
    CHECK(h != NULL);
    /* binary-safe: a NUL and Windows-31J bytes inside the value */
    static const uint8_t sjis[] = {0x83, 0x65, 0x00, 0x83, 0x58, 0x83, 0x67};
    CHECK(paygent_req_put(h, LIT("customer_name"), sjis, sizeof sjis) == PAYGENT_STATUS_OK);
    CHECK(paygent_req_put(h, LIT("amount"), LIT("1000")) == PAYGENT_STATUS_OK);
    CHECK(paygent_req_put(h, LIT("customer_name"), LIT("x")) == PAYGENT_STATUS_OK);
    CHECK(paygent_req_put(h, LIT("empty"), NULL, 0) == PAYGENT_STATUS_OK);
    CHECK(paygent_req_put(h, LIT("bad"), NULL, 3) == PAYGENT_STATUS_E01901);
    CHECK(paygent_last_error_code(h) == PAYGENT_STATUS_E01901);
    CHECK(paygent_req_count(h) == 3);
    PaygentBytes k, v;
    CHECK(paygent_req_entry(h, 0, &k, &v) && BYTES_EQ(k, "customer_name") && BYTES_EQ(v, "x"));
    CHECK(paygent_req_entry(h, 1, &k, &v) && BYTES_EQ(k, "amount") && BYTES_EQ(v, "1000"));
    CHECK(!paygent_req_entry(h, 3, &k, &v));
    CHECK(!paygent_req_entry(h, 0, NULL, &v));
    CHECK(paygent_req_put(h, LIT("customer_name"), sjis, sizeof sjis) == PAYGENT_STATUS_OK);
    PaygentBytes got = paygent_req_get(h, LIT("customer_name"));
    CHECK(!got.is_null && got.len == sizeof sjis && memcmp(got.ptr, sjis, sizeof sjis) == 0);
    CHECK(BYTES_EQ(paygent_req_get(h, LIT("empty")), ""));
    CHECK(paygent_req_get(h, LIT("missing")).is_null);
    /* reply getters are null before any reply */
    CHECK(paygent_result_status(h).is_null);
    CHECK(paygent_response_code(h).is_null);
    CHECK(paygent_response_detail(h).is_null);
    CHECK(paygent_record_count(h) == 0);
    CHECK(!paygent_record_field(h, 0, 0, &k, &v));
    CHECK(paygent_set_timeout(h, LIT("35")) == PAYGENT_STATUS_OK);
    CHECK(paygent_set_result_csv(h, LIT("/tmp/x.csv")) == PAYGENT_STATUS_OK);
    paygent_free(h);
}

static void config_failures(void) {
    PaygentModule *h = paygent_new(PAYGENT_DIALECT_PERL);
    CHECK(paygent_config_fail(h, 1234) == PAYGENT_STATUS_E01901);
    CHECK(paygent_config_fail(h, PAYGENT_STATUS_E01001) == PAYGENT_STATUS_OK);
    CHECK(paygent_init(h) == PAYGENT_STATUS_E01001);
    CHECK(paygent_last_error_code(h) == PAYGENT_STATUS_E01001);
    CHECK(BYTES_EQ(paygent_last_error_message(h), "E01001: Properties file doesn't exist."));
    CHECK(paygent_warning_count(h) == 1);
    CHECK(BYTES_EQ(paygent_warning(h, 0), "E01001: Properties file doesn't exist."));
    CHECK(paygent_warning(h, 1).is_null);
    /* post initialises lazily and reports the same error; nothing is sent */
    CHECK(paygent_req_put(h, LIT("telegram_kind"), LIT("020")) == PAYGENT_STATUS_OK);
    CHECK(paygent_last_error_code(h) == PAYGENT_STATUS_OK);
    CHECK(paygent_post(h) == PAYGENT_STATUS_E01001);
    CHECK(paygent_result_status(h).is_null);
    CHECK(paygent_config_reset(h) == PAYGENT_STATUS_OK);
    CHECK(paygent_config_fail(h, PAYGENT_STATUS_E01002) == PAYGENT_STATUS_OK);
    CHECK(paygent_init(h) == PAYGENT_STATUS_E01002);
    CHECK(BYTES_EQ(paygent_last_error_message(h),
                   "E01002: Properties file contains inappropriate value."));
    paygent_free(h);
}

/* Needs the core's config, request and transport: a configured object posting to a closed
 * port fails with a connection error, and an unknown kind is refused before sending. */
static void configured_post(void) {
    PaygentModule *h = paygent_new(PAYGENT_DIALECT_PERL);
    CHECK(paygent_config_set(h, LIT("HTTPS_CERT_FILE"), LIT("/nonexistent/client.crt")) == 0);
    CHECK(paygent_config_set(h, LIT("HTTPS_KEY_FILE"), LIT("/nonexistent/client.key")) == 0);
    CHECK(paygent_config_set(h, LIT("HTTPS_CA_FILE"), LIT("/nonexistent/ca.pem")) == 0);
    CHECK(paygent_config_set(h, LIT("timeout_value"), LIT("5")) == 0);
    CHECK(paygent_config_set(h, LIT("select_max_cnt"), LIT("2000")) == 0);
    CHECK(paygent_config_set(h, LIT("log_output_path"), LIT("")) == 0);
    CHECK(paygent_config_set(h, LIT("url.02"), LIT("https://127.0.0.1:1/n/card/request")) == 0);
    CHECK(paygent_config_set(h, NULL, 0, LIT("x")) == PAYGENT_STATUS_E01901);
    CHECK(paygent_init(h) == PAYGENT_STATUS_OK);
    CHECK(paygent_req_put(h, LIT("telegram_kind"), LIT("9")) == PAYGENT_STATUS_OK);
    CHECK(paygent_post(h) == PAYGENT_STATUS_E02003);
    CHECK(BYTES_EQ(paygent_last_error_message(h), "E02003: HTTP request contains unexpected value."));
    CHECK(paygent_req_put(h, LIT("telegram_kind"), LIT("020")) == PAYGENT_STATUS_OK);
    uint32_t st = paygent_post(h);
    CHECK(st == PAYGENT_STATUS_E02004 || st == PAYGENT_STATUS_E02005);
    CHECK(starts_with(paygent_last_error_message(h), "E0200"));
    CHECK(paygent_result_status(h).is_null);
    CHECK(BYTES_EQ(paygent_telegram_kind(h), "020"));
    paygent_free(h);
}

int main(void) {
    null_handles();
    parameters();
    config_failures();
    configured_post();
    if (failures) {
        fprintf(stderr, "smoke: %d check(s) failed\n", failures);
        return 1;
    }
    printf("smoke: all checks passed\n");
    return 0;
}
