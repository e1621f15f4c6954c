// Helpers shared by the verifier tests.
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "support/corpus.hpp"
#include "veritee/common/check.hpp"
#include "veritee/verify/verifier.hpp"

namespace veritee::test {

// "id: pass|fail|skip (evidence|endorsement): detail" per line, for failure messages.
std::string dump(const CheckList& checks);

// The check's status, or testing::AssertionFailure when the check is absent.
testing::AssertionResult check_is(const CheckList& checks, const std::string& id,
                                  CheckStatus status);

// The first PASS row matching `pred`.
template <class Pred>
std::optional<ManifestRow> pass_row(Pred pred) {
  return find_row([&](const ManifestRow& r) { return r.oracle_pass() && pred(r); });
}

}  // namespace veritee::test
