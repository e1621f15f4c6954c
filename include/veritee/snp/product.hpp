// AMD EPYC product lines that sign SEV-SNP reports, and how a report or certificate names them
// (DESIGN.md 3.3; AMD doc 57230 for the KDS product names).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "veritee/common/error.hpp"

namespace veritee::snp {

// The KDS product line: decides the TCB layout, the pinned roots and the KDS URL segment.
// Bergamo and Siena are endorsed on the Genoa line.
enum class Product { kMilan, kGenoa, kTurin };

// "milan", "genoa", "turin".
std::string_view to_string(Product product);
// "Milan", "Genoa", "Turin": the KDS URL segment and the ARK/ASK common-name suffix.
std::string_view kds_name(Product product);
// Case-insensitive "milan", "genoa", "turin", "bergamo", "siena".
Result<Product> parse_product(std::string_view name);

// CPUID_FAM_ID, CPUID_MOD_ID, CPUID_STEP from a v3+ report (family and model combined).
struct Cpuid {
  std::uint8_t family = 0;
  std::uint8_t model = 0;
  std::uint8_t stepping = 0;
};

struct CpuidProduct {
  Product product;
  std::string_view model_name;  // "Milan", "Genoa", "Bergamo/Siena", "Turin"
};

// Family 0x19 model 0x00-0x0F Milan, 0x10-0x1F Genoa, 0xA0-0xAF Bergamo/Siena (Genoa line);
// family 0x1A model 0x00-0x11 Turin. Anything else is Errc::kUnknownProduct.
Result<CpuidProduct> product_from_cpuid(Cpuid cpuid);

// The VCEK/VLEK productName extension ("Milan-B0", "Genoa", "Turin-C1", ...) or an AMD CA
// common name ("ARK-Milan", "SEV-Genoa", "SEV-VLEK-Turin").
Result<Product> product_from_certificate_name(std::string_view name);

// The common name of a product line's CA (AMD doc 57230 section 4.2): "SEV-Milan" for the ASK
// that signs VCEKs, "SEV-VLEK-Milan" for the ASVK that signs VLEKs.
std::string ca_common_name(Product product, bool vlek);

}  // namespace veritee::snp
