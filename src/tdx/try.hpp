// Internal to libveritee_tdx: early return of a Result's error, for the long sequential reads of
// quote and collateral layouts. `VERITEE_TRY(x, f())` declares `x` as f()'s value.
#pragma once

#include <expected>
#include <utility>

#define VERITEE_TRY(var, expr)                              \
  auto var##_result = (expr);                               \
  if (!var##_result) return std::unexpected(var##_result.error()); \
  auto var = std::move(*var##_result)
