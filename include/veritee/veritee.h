/* veritee's C ABI: verify AMD SEV-SNP evidence from C, Python (ctypes) or any language with a
 * C FFI. C17, no C++ types; every object is an opaque handle owned by the caller, freed with
 * its _free function (NULL is accepted). All functions are thread-safe: handles are not shared
 * state, and one options handle may be read by several threads verifying at once as long as
 * none of them changes it.
 *
 * The verification is the CLI's `veritee verify` with the endorsements given as bytes: offline,
 * no cache and no network. Without a signer certificate the result says which endorsement is
 * missing (VERITEE_ENDORSEMENT_PROBLEM).
 *
 * Link: pkg-config --cflags --libs veritee, or find_package(veritee CONFIG) and
 * target_link_libraries(app PRIVATE veritee::veritee). */
#ifndef VERITEE_VERITEE_H
#define VERITEE_VERITEE_H

#include <stddef.h>
#include <stdint.h>

#if defined(VERITEE_CAPI_BUILDING)
#define VERITEE_API __attribute__((visibility("default")))
#else
#define VERITEE_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The outcome of a call. The values 0-3 are also the exit codes `veritee verify` gives for
 * the same outcome, so a program may return them as they are. */
typedef enum veritee_status {
  VERITEE_OK = 0,                  /* verified: every check passed or was skipped */
  VERITEE_EVIDENCE_FAILED = 1,     /* the evidence failed a check (forged, wrong TCB, ...) */
  VERITEE_MALFORMED_INPUT = 2,     /* unreadable evidence or an invalid argument/option */
  VERITEE_ENDORSEMENT_PROBLEM = 3, /* a certificate or CRL is missing or unusable */
  VERITEE_INTERNAL_ERROR = 70      /* out of memory or a bug; the message says which */
} veritee_status;

/* "ok", "evidence failed", ...; never NULL. */
VERITEE_API const char* veritee_status_string(veritee_status status);

/* The library's version, "MAJOR.MINOR.PATCH"; static storage. */
VERITEE_API const char* veritee_version(void);
/* The ABI version (the shared library's SONAME number); changes on incompatible changes. */
VERITEE_API int veritee_abi_version(void);

/* Options of a verification; NULL options mean the defaults (now, product from the
 * evidence, CRL checked when given). */
typedef struct veritee_options veritee_options;

/* NULL only when out of memory. */
VERITEE_API veritee_options* veritee_options_new(void);
VERITEE_API void veritee_options_free(veritee_options* options);
/* Verify as of this time (RFC 3339, e.g. "2024-05-06T21:14:27Z"); NULL restores "now".
 * VERITEE_MALFORMED_INPUT for an unparsable time (the options are left unchanged). */
VERITEE_API veritee_status veritee_options_set_time(veritee_options* options, const char* rfc3339);
/* "milan", "genoa" or "turin": must match the evidence; NULL clears it. */
VERITEE_API veritee_status veritee_options_set_product(veritee_options* options,
                                                       const char* product);
/* The ARK-signed CRL (DER or PEM); NULL/0 clears it. VERITEE_ENDORSEMENT_PROBLEM when the
 * bytes are not a CRL. */
VERITEE_API veritee_status veritee_options_set_crl(veritee_options* options, const uint8_t* crl,
                                                   size_t crl_len);
/* Nonzero: fail (rather than skip) the revocation check when no CRL is given. */
VERITEE_API veritee_status veritee_options_set_require_crl(veritee_options* options, int require);
/* The message of the last failed setter on this handle, "" when none; owned by the handle. */
VERITEE_API const char* veritee_options_error(const veritee_options* options);

/* The result of one verification; owns every string it hands out (valid until freed). */
typedef struct veritee_result veritee_result;

/* Verifies evidence: a raw report, an Azure HCL blob or a MSG_REPORT_RSP, binary or as hex or
 * base64 text (what `veritee show` reads). `signer`: the VCEK or VLEK (PEM or DER), optionally
 * bundled with its ASK/ASVK and ARK; `chain`: more CA certificates (PEM or DER); both optional
 * (NULL, 0). Stores a new result in *result (also for malformed input: it carries the message)
 * unless result is NULL or memory ran out, and returns its status. */
VERITEE_API veritee_status veritee_verify(const uint8_t* evidence, size_t evidence_len,
                                          const uint8_t* signer, size_t signer_len,
                                          const uint8_t* chain, size_t chain_len,
                                          const veritee_options* options,
                                          veritee_result** result);
VERITEE_API void veritee_result_free(veritee_result* result);

VERITEE_API veritee_status veritee_result_status(const veritee_result* result);
/* 1 when the report is authentic (status VERITEE_OK), else 0. */
VERITEE_API int veritee_result_verified(const veritee_result* result);
/* Why the input could not be verified at all (status 2, or 3 for unusable endorsement bytes);
 * "" when the checks ran. */
VERITEE_API const char* veritee_result_error(const veritee_result* result);
/* The checks as a JSON array of {"id", "ok", "status", "subject", "detail"}; "[]" when the
 * checks did not run. */
VERITEE_API const char* veritee_result_checks_json(const veritee_result* result);
/* The decoded report as a JSON object (the "report" member of `veritee verify --json`);
 * "null" when the evidence could not be read. */
VERITEE_API const char* veritee_result_report_json(const veritee_result* result);
/* Everything at once: {"verified", "status", "error", "checks", "report"}. */
VERITEE_API const char* veritee_result_json(const veritee_result* result);

#ifdef __cplusplus
}
#endif

#endif /* VERITEE_VERITEE_H */
