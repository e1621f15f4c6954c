#include "veritee/verify/batch_verifier.hpp"

#include <atomic>
#include <thread>
#include <vector>

#include "veritee/snp/evidence.hpp"

namespace veritee {
namespace {

BatchItem verify_one(std::size_t index, const std::string& input, const EndorsementLookup& lookup,
                     const Verifier& verifier, const VerifyOptions& options) {
  BatchItem item;
  item.index = index;
  item.input = input;
  auto bytes = read_file(input);
  if (!bytes) {
    item.verdict = Verdict::kInputMalformed;
    item.error = bytes.error().message;
    return item;
  }
  auto evidence = snp::load_evidence(*bytes);
  if (!evidence) {
    item.verdict = Verdict::kInputMalformed;
    item.error = evidence.error().message;
    return item;
  }
  auto report = evidence->report();
  if (!report) {
    item.verdict = Verdict::kInputMalformed;
    item.error = report.error().message;
    return item;
  }
  item.report.assign(report->bytes().begin(), report->bytes().end());
  auto endorsements = lookup(*report);
  if (!endorsements) {
    item.verdict = Verdict::kEndorsementProblem;
    item.error = endorsements.error().message;
    return item;
  }
  item.result = verifier.verify(*report, *endorsements, options);
  item.verdict = item.result->checks.verdict();
  return item;
}

}  // namespace

void verify_batch(std::span<const std::string> inputs, const EndorsementLookup& lookup,
                  const Verifier& verifier, const VerifyOptions& options, unsigned threads,
                  const std::function<void(const BatchItem&)>& emit) {
  if (threads == 0) threads = std::max(1U, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(1, inputs.size())));
  std::atomic<std::size_t> next{0};
  std::mutex emit_mutex;
  auto worker = [&] {
    for (std::size_t i = next++; i < inputs.size(); i = next++) {
      BatchItem item = verify_one(i, inputs[i], lookup, verifier, options);
      std::lock_guard lock(emit_mutex);
      emit(item);
    }
  };
  std::vector<std::jthread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
}

Result<Endorsements> MemoizedLookup::operator()(const snp::Report& report) {
  // A zero CHIP_ID (VLEK-signed or MASK_CHIP_KEY) does not identify the signer: no memo.
  if (all_zero(report.chip_id())) return inner_(report);
  std::string key = std::to_string(report.key_info().signing_key_field()) + ":" +
                    (report.cpuid() ? std::to_string(report.cpuid()->family) + "/" +
                                          std::to_string(report.cpuid()->model)
                                    : std::string("-")) +
                    ":" + to_hex(report.chip_id()) + ":" +
                    std::to_string(report.reported_tcb().raw());
  {
    std::lock_guard lock(mutex_);
    if (auto it = found_.find(key); it != found_.end()) return it->second;
  }
  auto found = inner_(report);
  if (!found) return found;
  std::lock_guard lock(mutex_);
  found_.emplace(key, *found);
  return found;
}

}  // namespace veritee
