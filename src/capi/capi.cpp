// The C ABI (include/veritee/veritee.h) over the offline core: evidence bytes decoded as
// `veritee show` decodes them, endorsements from bytes, the Verifier, results as JSON text.
// No exception leaves this file: every entry point catches at the boundary (C callers cannot
// unwind) and reports VERITEE_INTERNAL_ERROR with the message.
#include "veritee/veritee.h"

#include <chrono>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "veritee/common/time.hpp"
#include "veritee/snp/evidence.hpp"
#include "veritee/snp/report_format.hpp"
#include "veritee/verify/endorsement_bytes.hpp"
#include "veritee/verify/result_json.hpp"
#include "veritee/verify/verifier.hpp"
#include "veritee/x509/crl.hpp"

#ifndef VERITEE_VERSION
#error "VERITEE_VERSION must be defined by the build"
#endif
#ifndef VERITEE_ABI_VERSION
#error "VERITEE_ABI_VERSION must be defined by the build"
#endif

struct veritee_options {
  std::optional<veritee::TimePoint> at;  // unset: the clock at each verification
  std::optional<veritee::snp::Product> product;
  std::optional<veritee::x509::Crl> crl;
  bool require_crl = false;
  std::string error;
};

struct veritee_result {
  veritee_status status = VERITEE_INTERNAL_ERROR;
  std::string error;
  std::string checks = "[]";
  std::string report = "null";
  std::string all;
};

namespace {

using veritee::Errc;

// Text that is never invalid UTF-8 on the way out (a certificate name could hold anything).
std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

veritee_status status_of(veritee::Verdict verdict) {
  switch (verdict) {
    case veritee::Verdict::kVerified: return VERITEE_OK;
    case veritee::Verdict::kInputMalformed: return VERITEE_MALFORMED_INPUT;
    case veritee::Verdict::kEvidenceFailed: return VERITEE_EVIDENCE_FAILED;
    case veritee::Verdict::kEndorsementProblem: return VERITEE_ENDORSEMENT_PROBLEM;
  }
  return VERITEE_EVIDENCE_FAILED;
}

// Unusable endorsements are an endorsement problem (as the CLI's exit 3); anything else the
// caller handed over is malformed input.
veritee_status status_of(const veritee::Error& e) {
  return e.code == Errc::kEndorsementInvalid || e.code == Errc::kEndorsementMissing
             ? VERITEE_ENDORSEMENT_PROBLEM
             : VERITEE_MALFORMED_INPUT;
}

veritee::ByteView view(const uint8_t* data, size_t len) {
  return data ? veritee::ByteView(data, len) : veritee::ByteView();
}

void finish(veritee_result& r) {
  nlohmann::json all{{"verified", r.status == VERITEE_OK},
                     {"status", static_cast<int>(r.status)},
                     {"error", r.error},
                     {"checks", nlohmann::json::parse(r.checks, nullptr, false)},
                     {"report", nlohmann::json::parse(r.report, nullptr, false)}};
  r.all = dump(all);
}

void fill(veritee_result& r, const uint8_t* evidence, size_t evidence_len, const uint8_t* signer,
          size_t signer_len, const uint8_t* chain, size_t chain_len,
          const veritee_options* options) {
  const veritee_options defaults;
  const veritee_options& o = options ? *options : defaults;
  if (!evidence) {
    r.status = VERITEE_MALFORMED_INPUT;
    r.error = "no evidence given";
    return;
  }
  auto ev = veritee::snp::load_evidence(view(evidence, evidence_len));
  if (!ev) {
    r.status = status_of(ev.error());
    r.error = ev.error().message;
    return;
  }
  auto report = ev->report();
  if (!report) {
    r.status = VERITEE_MALFORMED_INPUT;
    r.error = report.error().message;
    return;
  }
  auto endorsements =
      veritee::endorsements_from_bytes(view(signer, signer_len), view(chain, chain_len));
  if (!endorsements) {
    r.status = status_of(endorsements.error());
    r.error = endorsements.error().message;
    return;
  }
  endorsements->crl = o.crl;
  const veritee::VerifyOptions verify_options{o.at.value_or(std::chrono::system_clock::now()),
                                              o.product, o.require_crl};
  const veritee::VerificationResult result =
      veritee::Verifier().verify(*report, *endorsements, verify_options);
  r.status = status_of(result.checks.verdict());
  r.checks = dump(veritee::checks_to_json(result.checks));
  // Decoded with the product the verification settled on (it may come from the certificate).
  const auto context = veritee::snp::decide_product(*report, o.product, result.product);
  nlohmann::json decoded = veritee::snp::report_to_json(*report, context);
  decoded["evidence"] = {{"encoding", std::string(veritee::to_string(ev->encoding))},
                         {"container", std::string(veritee::snp::to_string(ev->container))},
                         {"report_offset", ev->report_offset}};
  r.report = dump(decoded);
}

template <class F>
veritee_status guarded(veritee_options* o, F&& f) {
  if (!o) return VERITEE_MALFORMED_INPUT;
  try {
    o->error.clear();
    return f(*o);
  } catch (const std::exception& e) {
    o->error = e.what();
    return VERITEE_INTERNAL_ERROR;
  } catch (...) {
    return VERITEE_INTERNAL_ERROR;
  }
}

}  // namespace

extern "C" {

const char* veritee_status_string(veritee_status status) {
  switch (status) {
    case VERITEE_OK: return "ok";
    case VERITEE_EVIDENCE_FAILED: return "evidence failed a check";
    case VERITEE_MALFORMED_INPUT: return "malformed input";
    case VERITEE_ENDORSEMENT_PROBLEM: return "endorsement missing or unusable";
    case VERITEE_INTERNAL_ERROR: return "internal error";
  }
  return "unknown status";
}

const char* veritee_version(void) { return VERITEE_VERSION; }
int veritee_abi_version(void) { return VERITEE_ABI_VERSION; }

veritee_options* veritee_options_new(void) { return new (std::nothrow) veritee_options(); }
void veritee_options_free(veritee_options* options) { delete options; }

veritee_status veritee_options_set_time(veritee_options* options, const char* rfc3339) {
  return guarded(options, [&](veritee_options& o) {
    if (!rfc3339) {
      o.at.reset();
      return VERITEE_OK;
    }
    auto t = veritee::parse_time(rfc3339);
    if (!t) {
      o.error = t.error().message;
      return VERITEE_MALFORMED_INPUT;
    }
    o.at = *t;
    return VERITEE_OK;
  });
}

veritee_status veritee_options_set_product(veritee_options* options, const char* product) {
  return guarded(options, [&](veritee_options& o) {
    if (!product) {
      o.product.reset();
      return VERITEE_OK;
    }
    auto p = veritee::snp::parse_product(product);
    if (!p) {
      o.error = p.error().message;
      return VERITEE_MALFORMED_INPUT;
    }
    o.product = *p;
    return VERITEE_OK;
  });
}

veritee_status veritee_options_set_crl(veritee_options* options, const uint8_t* crl,
                                       size_t crl_len) {
  return guarded(options, [&](veritee_options& o) {
    if (!crl || crl_len == 0) {
      o.crl.reset();
      return VERITEE_OK;
    }
    auto parsed = veritee::x509::Crl::load(view(crl, crl_len));
    if (!parsed) {
      o.error = parsed.error().message;
      return VERITEE_ENDORSEMENT_PROBLEM;
    }
    o.crl = std::move(*parsed);
    return VERITEE_OK;
  });
}

veritee_status veritee_options_set_require_crl(veritee_options* options, int require) {
  return guarded(options, [&](veritee_options& o) {
    o.require_crl = require != 0;
    return VERITEE_OK;
  });
}

const char* veritee_options_error(const veritee_options* options) {
  return options ? options->error.c_str() : "";
}

veritee_status veritee_verify(const uint8_t* evidence, size_t evidence_len, const uint8_t* signer,
                              size_t signer_len, const uint8_t* chain, size_t chain_len,
                              const veritee_options* options, veritee_result** result) {
  if (result) *result = nullptr;
  veritee_result* r = new (std::nothrow) veritee_result();
  if (!r) return VERITEE_INTERNAL_ERROR;
  try {
    fill(*r, evidence, evidence_len, signer, signer_len, chain, chain_len, options);
    finish(*r);
  } catch (const std::exception& e) {
    r->status = VERITEE_INTERNAL_ERROR;
    r->error = e.what();
    r->all.clear();
  } catch (...) {
    r->status = VERITEE_INTERNAL_ERROR;
    r->error = "unknown exception";
    r->all.clear();
  }
  const veritee_status status = r->status;
  if (result) {
    *result = r;
  } else {
    delete r;
  }
  return status;
}

void veritee_result_free(veritee_result* result) { delete result; }

veritee_status veritee_result_status(const veritee_result* result) {
  return result ? result->status : VERITEE_MALFORMED_INPUT;
}
int veritee_result_verified(const veritee_result* result) {
  return result && result->status == VERITEE_OK ? 1 : 0;
}
const char* veritee_result_error(const veritee_result* result) {
  return result ? result->error.c_str() : "";
}
const char* veritee_result_checks_json(const veritee_result* result) {
  return result ? result->checks.c_str() : "[]";
}
const char* veritee_result_report_json(const veritee_result* result) {
  return result ? result->report.c_str() : "null";
}
const char* veritee_result_json(const veritee_result* result) {
  return result && !result->all.empty() ? result->all.c_str() : "null";
}

}  // extern "C"
