// DCAP quotes and collateral: the quote parser (any bytes, after hex/base64 detection) with its
// text and JSON display, and the collateral JSON reader with the TCB Info and QE Identity
// documents inside it (the same input read as collateral, TCB Info and identity).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "veritee/tdx/collateral.hpp"
#include "veritee/tdx/quote.hpp"
#include "veritee/tdx/quote_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  veritee::ByteView input(data, size);
  if (auto q = veritee::tdx::load_quote(input)) {
    const auto& quote = q->quote;
    if (quote.size() + quote.trailing() != quote.bytes().size()) __builtin_trap();
    if (quote.signed_bytes().size() > quote.size()) __builtin_trap();
    (void)veritee::tdx::quote_to_json(quote).dump();
    (void)veritee::tdx::quote_to_text(quote);
  }
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto c = veritee::tdx::parse_collateral(text)) {
    (void)veritee::tdx::parse_tcb_info(c->tcb_info);
    (void)veritee::tdx::parse_enclave_identity(c->qe_identity);
  }
  (void)veritee::tdx::parse_tcb_info(text);
  (void)veritee::tdx::parse_enclave_identity(text);
  return 0;
}
