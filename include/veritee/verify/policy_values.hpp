// Policy values written as text outside a TOML file (the command line's per-field options):
// report-field hex of an exact size, TCB minimums as named SPLs or a raw TCB_VERSION, and the
// names of POLICY bits. Messages name the report field (ABI 1.58 Table 22), never an option;
// the caller adds where the text came from.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <span>
#include <string_view>

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/snp/named_bits.hpp"
#include "veritee/verify/policy.hpp"

namespace veritee::verify {

// Hex of one of the allowed sizes, case-insensitive, with or without a leading "0x".
Result<Bytes> field_hex(std::string_view text, std::initializer_list<std::size_t> sizes);

// "bl=3,tee=0,snp=8,ucode=115[,fmc=1]" (any non-empty subset, each 0-255), or a raw 8-byte
// TCB_VERSION as 16 hex digits (optionally "0x"). The raw value's SPL positions depend on the
// product (ABI 1.58 Table 3, DESIGN.md 3.2), so it becomes one minimum per product whose
// layout has its reserved bytes clear.
Result<TcbRule> tcb_minimum_text(std::string_view text);

// "MAJOR.MINOR" (or "MAJOR.MINOR.BUILD"), each 0-255.
Result<snp::FirmwareVersion> version_text(std::string_view text, bool* has_build);

// A bit of `table` (GuestPolicy::bits(), PlatformInfo::bits()) by name, case-insensitive
// ("page_swap_disable" as `show` prints it, or "PAGE_SWAP_DISABLE" as the ABI does); the
// error lists the known names.
Result<RequiredBit> named_bit(std::span<const snp::NamedBit> table, std::string_view name);

}  // namespace veritee::verify
