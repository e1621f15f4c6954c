// Verifying many reports on all cores: each worker takes the next input, loads and verifies
// it, and hands its result to one serialized callback (JSON lines in the CLI). Endorsements
// come from a lookup the caller supplies (explicit files, a resolver over cache and KDS);
// MemoizedLookup keeps the ones already found in memory, parsed, so a batch from one fleet
// parses and chain-checks each certificate once.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <span>
#include <string>

#include "veritee/verify/endorsements.hpp"
#include "veritee/verify/verifier.hpp"

namespace veritee {

using EndorsementLookup = std::function<Result<Endorsements>(const snp::Report&)>;

struct BatchItem {
  std::size_t index = 0;   // position in the input list
  std::string input;       // the file name as given
  Verdict verdict = Verdict::kVerified;
  std::optional<VerificationResult> result;  // absent when the input or endorsements failed
  std::string error;                         // why, when absent
  Bytes report;  // the report's bytes as verified (for appraisal), when it was read
};

// Runs on `threads` workers (0: all cores). `emit` is called once per input, never
// concurrently, in completion order.
void verify_batch(std::span<const std::string> inputs, const EndorsementLookup& lookup,
                  const Verifier& verifier, const VerifyOptions& options, unsigned threads,
                  const std::function<void(const BatchItem&)>& emit);

// Remembers what `inner` found per (signing key kind, product, CHIP_ID, REPORTED_TCB); only
// successful lookups are kept, and none for a zero CHIP_ID (VLEK or MASK_CHIP_KEY), which does
// not identify the signer. Thread-safe.
class MemoizedLookup {
 public:
  explicit MemoizedLookup(EndorsementLookup inner) : inner_(std::move(inner)) {}
  Result<Endorsements> operator()(const snp::Report& report);

 private:
  EndorsementLookup inner_;
  std::mutex mutex_;
  std::map<std::string, Endorsements> found_;
};

}  // namespace veritee
