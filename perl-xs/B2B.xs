/* B2B.xs: thin glue between Paygent::B2B (lib/Paygent/B2B.pm) and the C ABI (capi/include/paygent.h).
 * Each xsub converts its arguments to bytes, calls one C function, runs PXS_CHECK on the status and
 * converts the result. No protocol logic lives here. The handle is stored as ext magic on the
 * object's hash and freed exactly once, by the magic's free hook, when the hash is destroyed. */
#define PERL_NO_GET_CONTEXT
#include "EXTERN.h"
#include "perl.h"
#include "XSUB.h"

#include "paygent.h"

static int pxs_mg_free(pTHX_ SV *sv, MAGIC *mg) {
    PERL_UNUSED_ARG(sv);
    if (mg->mg_ptr) {
        paygent_free((PaygentModule *)mg->mg_ptr);
        mg->mg_ptr = NULL;
    }
    return 0;
}

/* No dup hook: ithreads clones are refused by CLONE_SKIP in B2B.pm. */
static MGVTBL pxs_vtbl = { NULL, NULL, NULL, NULL, pxs_mg_free, NULL, NULL, NULL };

/* The handle of a Paygent::B2B object, or NULL (not a reference, no handle). */
static PaygentModule *pxs_handle(pTHX_ SV *self) {
    MAGIC *mg;
    if (!self || !SvROK(self) || SvTYPE(SvRV(self)) != SVt_PVHV)
        return NULL;
    mg = mg_findext(SvRV(self), PERL_MAGIC_ext, &pxs_vtbl);
    return mg ? (PaygentModule *)mg->mg_ptr : NULL;
}

/* Remember a failed call for Paygent::PException::getInfo(): code ("E02005"), message (the
 * resultMessage wording) and the warnings of the call. */
static void pxs_record_error(pTHX_ PaygentModule *h, uint32_t status) {
    SV *code = get_sv("Paygent::PException::LAST_CODE", GV_ADD);
    SV *msg = get_sv("Paygent::PException::LAST_MESSAGE", GV_ADD);
    AV *warnings = get_av("Paygent::PException::LAST_WARNINGS", GV_ADD);
    size_t i, n;
    sv_setpvf(code, "E%05lu", (unsigned long)status);
    if (h) {
        PaygentBytes m = paygent_last_error_message(h);
        sv_setpvn(msg, m.is_null ? "" : (const char *)m.ptr, m.len);
        av_clear(warnings);
        n = paygent_warning_count(h);
        for (i = 0; i < n; i++) {
            PaygentBytes w = paygent_warning(h, i);
            if (!w.is_null)
                av_push(warnings, newSVpvn((const char *)w.ptr, w.len));
        }
    } else {
        sv_setpvf(msg, "E%05lu: internal error: not a Paygent::B2B object", (unsigned long)status);
        av_clear(warnings);
    }
}

/* The one check after every status-returning C call. */
#define PXS_CHECK(h, st)                          \
    STMT_START {                                  \
        if ((st) != PAYGENT_STATUS_OK)                   \
            pxs_record_error(aTHX_ (h), (st));    \
    } STMT_END

/* Bytes of a Perl value: undef = "", numbers and references stringified, byte strings as they
 * are. A UTF-8 flagged string is downgraded when every character fits in a byte (so a byte
 * string that was upgraded by accident round-trips), else sent as its UTF-8 encoding
 * (utf8::encode). The copy is mortal: valid until the xsub returns. */
static const uint8_t *pxs_bytes(pTHX_ SV *sv, size_t *len) {
    SV *copy;
    STRLEN l;
    const char *p;
    if (!sv) {
        *len = 0;
        return NULL;
    }
    SvGETMAGIC(sv);
    if (!SvOK(sv)) {
        *len = 0;
        return NULL;
    }
    copy = sv_newmortal();
    sv_copypv_nomg(copy, sv);
    if (SvUTF8(copy) && !sv_utf8_downgrade(copy, TRUE))
        sv_utf8_encode(copy);
    p = SvPV_nomg(copy, l);
    *len = (size_t)l;
    return (const uint8_t *)p;
}

static SV *pxs_sv(pTHX_ PaygentBytes b) {
    return b.is_null ? newSV(0) : newSVpvn((const char *)b.ptr, b.len);
}

MODULE = Paygent::B2B    PACKAGE = Paygent::B2B

PROTOTYPES: DISABLE

int
_attach(self, dialect)
    SV *self
    unsigned int dialect
  CODE:
    RETVAL = 0;
    if (SvROK(self) && SvTYPE(SvRV(self)) == SVt_PVHV) {
        if (pxs_handle(aTHX_ self)) {
            RETVAL = 1;
        } else {
            PaygentModule *h = paygent_new(dialect);
            if (h) {
                sv_magicext(SvRV(self), NULL, PERL_MAGIC_ext, &pxs_vtbl, (const char *)h, 0);
                RETVAL = 1;
            }
        }
    }
  OUTPUT:
    RETVAL

unsigned int
_config_reset(self)
    SV *self
  CODE:
    PaygentModule *h = pxs_handle(aTHX_ self);
    RETVAL = paygent_config_reset(h);
    PXS_CHECK(h, RETVAL);
  OUTPUT:
    RETVAL

unsigned int
_config_fail(self, code)
    SV *self
    unsigned int code
  CODE:
    PaygentModule *h = pxs_handle(aTHX_ self);
    RETVAL = paygent_config_fail(h, code);
    PXS_CHECK(h, RETVAL);
  OUTPUT:
    RETVAL

unsigned int
_init(self)
    SV *self
  ALIAS:
    _post = 1
  CODE:
    PaygentModule *h = pxs_handle(aTHX_ self);
    RETVAL = ix == 1 ? paygent_post(h) : paygent_init(h);
    PXS_CHECK(h, RETVAL);
  OUTPUT:
    RETVAL

unsigned int
_config_set(self, key, val)
    SV *self
    SV *key
    SV *val
  ALIAS:
    _req_put = 1
  CODE:
    PaygentModule *h = pxs_handle(aTHX_ self);
    size_t kl, vl;
    const uint8_t *k = pxs_bytes(aTHX_ key, &kl);
    const uint8_t *v = pxs_bytes(aTHX_ val, &vl);
    RETVAL = ix == 1 ? paygent_req_put(h, k, kl, v, vl) : paygent_config_set(h, k, kl, v, vl);
    PXS_CHECK(h, RETVAL);
  OUTPUT:
    RETVAL

unsigned int
_set(self, val)
    SV *self
    SV *val
  ALIAS:
    _set_result_csv = 1
    _set_send_file_path = 2
    _set_timeout = 3
    _set_select_max_cnt = 4
    _set_default_id = 5
    _set_default_password = 6
    _set_encoding = 7
  CODE:
    PaygentModule *h = pxs_handle(aTHX_ self);
    size_t vl;
    const uint8_t *v = pxs_bytes(aTHX_ val, &vl);
    switch (ix) {
    case 1: RETVAL = paygent_set_result_csv(h, v, vl); break;
    case 2: RETVAL = paygent_set_send_file_path(h, v, vl); break;
    case 3: RETVAL = paygent_set_timeout(h, v, vl); break;
    case 4: RETVAL = paygent_set_select_max_cnt(h, v, vl); break;
    case 5: RETVAL = paygent_set_default_id(h, v, vl); break;
    case 6: RETVAL = paygent_set_default_password(h, v, vl); break;
    case 7: RETVAL = paygent_set_encoding(h, v, vl); break;
    default: RETVAL = PAYGENT_STATUS_E01901; break;
    }
    PXS_CHECK(h, RETVAL);
  OUTPUT:
    RETVAL

SV *
_req_get(self, key)
    SV *self
    SV *key
  CODE:
    PaygentModule *h = pxs_handle(aTHX_ self);
    size_t kl;
    const uint8_t *k = pxs_bytes(aTHX_ key, &kl);
    RETVAL = pxs_sv(aTHX_ paygent_req_get(h, k, kl));
  OUTPUT:
    RETVAL

SV *
_result_status(self)
    SV *self
  ALIAS:
    _response_code = 1
    _response_detail = 2
    _result_message = 3
    _telegram_kind = 4
  CODE:
    PaygentModule *h = pxs_handle(aTHX_ self);
    PaygentBytes b;
    switch (ix) {
    case 1: b = paygent_response_code(h); break;
    case 2: b = paygent_response_detail(h); break;
    case 3: b = paygent_result_message(h); break;
    case 4: b = paygent_telegram_kind(h); break;
    default: b = paygent_result_status(h); break;
    }
    RETVAL = pxs_sv(aTHX_ b);
  OUTPUT:
    RETVAL

SV *
_records(self)
    SV *self
  CODE:
    PaygentModule *h = pxs_handle(aTHX_ self);
    AV *records = newAV();
    size_t i, j, n = paygent_record_count(h);
    for (i = 0; i < n; i++) {
        HV *record = newHV();
        size_t fields = paygent_record_field_count(h, i);
        for (j = 0; j < fields; j++) {
            PaygentBytes k, v;
            if (paygent_record_field(h, i, j, &k, &v) && k.len <= (size_t)I32_MAX)
                (void)hv_store(record, (const char *)k.ptr, (I32)k.len, pxs_sv(aTHX_ v), 0);
        }
        av_push(records, newRV_noinc((SV *)record));
    }
    RETVAL = newRV_noinc((SV *)records);
  OUTPUT:
    RETVAL

SV *
_req_keys(self)
    SV *self
  CODE:
    PaygentModule *h = pxs_handle(aTHX_ self);
    AV *keys = newAV();
    size_t i, n = paygent_req_count(h);
    for (i = 0; i < n; i++) {
        PaygentBytes k, v;
        if (paygent_req_entry(h, i, &k, &v))
            av_push(keys, pxs_sv(aTHX_ k));
    }
    RETVAL = newRV_noinc((SV *)keys);
  OUTPUT:
    RETVAL

int
_has_handle(self)
    SV *self
  CODE:
    RETVAL = pxs_handle(aTHX_ self) != NULL;
  OUTPUT:
    RETVAL

SV *
_version()
  CODE:
    RETVAL = pxs_sv(aTHX_ paygent_version());
  OUTPUT:
    RETVAL

void
_perl_variables()
  PPCODE:
    /* The core's table of paygent.properties variables: (name, key, env fallback) triples. */
    size_t n = paygent_perl_variable_count(), i;
    EXTEND(SP, (SSize_t)(n * 3));
    for (i = 0; i < n; i++) {
        mPUSHs(pxs_sv(aTHX_ paygent_perl_variable_name(i)));
        mPUSHs(pxs_sv(aTHX_ paygent_perl_variable_key(i)));
        mPUSHi(paygent_perl_variable_env_fallback(i) ? 1 : 0);
    }

SV *
_failure_phase(self)
    SV *self
  CODE:
    RETVAL = pxs_sv(aTHX_ paygent_failure_phase(pxs_handle(aTHX_ self)));
  OUTPUT:
    RETVAL

SV *
_confirm(self)
    SV *self
  CODE:
    /* The 094 inquiry about the last telegram, as a hash: outcome, then its items. */
    PaygentModule *h = pxs_handle(aTHX_ self);
    HV *answer = newHV();
    size_t i, n = h ? paygent_confirm(h) : 0;
    for (i = 0; i < n; i++) {
        PaygentBytes k, v;
        if (paygent_confirm_item(h, i, &k, &v) && k.len <= (size_t)I32_MAX)
            (void)hv_store(answer, (const char *)k.ptr, (I32)k.len, pxs_sv(aTHX_ v), 0);
    }
    RETVAL = newRV_noinc((SV *)answer);
  OUTPUT:
    RETVAL

SV *
_info(self)
    SV *self
  CODE:
    /* The report's "key\tvalue\n" text; B2B.pm's info() splits it. */
    PaygentModule *h = pxs_handle(aTHX_ self);
    char buf[2048];
    size_t n = paygent_info(h, (uint8_t *)buf, sizeof buf);
    if (n <= sizeof buf) {
        RETVAL = newSVpvn(buf, n);
    } else {
        RETVAL = newSV(n);
        paygent_info(h, (uint8_t *)SvPVX(RETVAL), n);
        SvPVX(RETVAL)[n] = '\0';
        SvCUR_set(RETVAL, n);
        SvPOK_on(RETVAL);
    }
  OUTPUT:
    RETVAL
