// The report inspector (docs/inspect.md): POST /v1/inspect decodes and verifies evidence a
// person pastes or drops into the page `veritee serve` and `veritee inspect` serve at "/".
// Transport-independent: a JSON body in, an HTTP status and a JSON body out; the page's files
// (embedded at build time from src/rats/service/inspector/) and their Content-Security-Policy.
//
// Request (docs/inspect.md): {"evidence": text, "vcek": text, "collateral": text or object,
// "product": "milan"|"genoa"|"turin", "appraise": bool}; only "evidence" is required. Text is
// what the CLI reads from a file: binary bytes as base64, or hex/base64/PEM/JSON text as is.
// Response 200: {"kind": "snp"|"dcap", "show": <show --json>, "verify": <verify --json>,
// "certificate": {...}|null, "policy": {"toml": text|null, "note": text|null}}.
// 400: {"error": the CLI's wording}. Nothing is stored; no EAR is signed.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "veritee/common/check.hpp"
#include "veritee/rats/appraiser.hpp"

namespace veritee::rats {

// How `verify --json`'s "exit_code" is derived from a verdict (and whether authentic evidence
// failed the policy): the CLI's exit codes. The member is left out when this is empty.
using ExitCodeOf = std::function<int(Verdict verdict, bool fails_policy)>;

struct InspectConfig {
  EndorsementSource endorsements;  // the verifier's sources; without them nothing is verified
  const snp::TrustStore* roots = &snp::TrustStore::amd();
  CrlMode crl = CrlMode::kIfAvailable;
  const AppraisalPolicy* policy = nullptr;  // "appraise": true appraises against it
  Clock verification_clock;                 // certificate validity; the system clock when empty
  ExitCodeOf exit_code_of;
};

// The service's appraiser settings as the inspector's (same sources, roots, CRL mode, clock and
// policy). `appraiser` must outlive the result (its policy is referenced).
InspectConfig inspect_config(const AppraiserConfig& appraiser, ExitCodeOf exit_code_of);

struct InspectReply {
  int status = 200;
  std::string body;  // JSON
};

// POST /v1/inspect. The body's size limit is the transport's (64 KiB like /v1/attest).
InspectReply inspect(std::string_view json_body, const InspectConfig& config);

// The page's files by request path ("/", "/inspector.js", "/inspector.css"); nullopt for
// anything else.
struct InspectorAsset {
  std::string_view content_type;
  std::string_view body;
};
std::optional<InspectorAsset> inspector_asset(std::string_view path);

// Sent with every inspector response: scripts, styles and requests from this origin only; no
// inline code, no frames, no forms posting elsewhere.
inline constexpr std::string_view kInspectorCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

}  // namespace veritee::rats
