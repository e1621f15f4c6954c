// The closed list of check ids of the Verifier's trace: everything that can appear in
// `veritee verify` output and in an EAR's veritee.checks. Each entry carries the stage it
// belongs to, whom a failure may blame, the AR4SI component it speaks for (and the claim it
// puts there when it fails) and the line that documents it. Relying parties match on these
// ids, so an id is never renamed; adding a check means adding a row here (a test fails on
// any emitted id without a row, and on a row without its component or documentation).
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include "veritee/common/check.hpp"

namespace veritee::verify {

// AR4SI claim values (draft-ietf-rats-ar4si section 2.3; values as in veraison/ear).
namespace claim {
inline constexpr int kNoClaim = 0;
inline constexpr int kAffirming = 2;         // trustworthy / approved / genuine / encrypted
inline constexpr int kApprovedBoot = 3;      // executables: approved boot-time
inline constexpr int kWarning = 32;          // unsafe config / isolated memory ...
inline constexpr int kContraindicated = 96;  // untrustworthy / unsupportable / visible ...
inline constexpr int kUnrecognized = 97;     // instance / hardware not recognized
inline constexpr int kCryptoFailed = 99;     // cryptographic validation failed
}  // namespace claim

// The eight AR4SI components, in the order the draft lists them.
enum class Component {
  kInstanceIdentity, kConfiguration, kExecutables, kFileSystem, kHardware, kRuntimeOpaque,
  kStorageOpaque, kSourcedData,
};
inline constexpr std::size_t kComponents = 8;
std::string_view to_string(Component c);  // "instance-identity", ...

enum class Stage {
  kAuthenticity,  // is this genuine evidence, endorsed by the vendor (any failure: every
                  // component is "cryptographic validation failed")
  kFreshness,     // was it produced for this request (nonces); a failure counts as above
  kAppraisal,     // does it meet the policy's reference values (a failure: `on_fail` in
                  // `component`)
};
std::string_view to_string(Stage s);  // "authenticity", "freshness", "appraisal"

// Whom a failure of the check may blame (a bit set of CheckSubject).
enum Blames : unsigned { kBlameEvidence = 1, kBlameEndorsement = 2, kBlameEither = 3 };

enum class Family { kAny, kSnp, kDcap };

struct CheckInfo {
  std::string_view id;
  Family family;
  Stage stage;
  unsigned blames;      // Blames
  Component component;  // what the check speaks for
  int on_fail;          // the claim a failed appraisal puts in `component`
  std::string_view doc;  // one line, as the docs say it
};

std::span<const CheckInfo> check_registry();
// The row of `id`, or nullptr for an id that is not registered. A row whose id ends in ".*" is
// a family: "report.reserved.*" is the row of "report.reserved.0x208".
const CheckInfo* find_check(std::string_view id);
// True when `check` is registered and its subject is one its row allows.
bool registered(const Check& check);

}  // namespace veritee::verify
