#include "veritee/verify/policy.hpp"

#include <string>
#include <vector>

namespace veritee::verify {

std::string TcbMinimum::to_string() const {
  std::string out;  // appended in place (each appraisal with a TCB rule writes it)
  out.reserve(48);
  auto add = [&](const char* name, const std::optional<std::uint8_t>& v) {
    if (!v) return;
    if (!out.empty()) out += ' ';
    out += name;
    out += ">=";
    out += std::to_string(*v);
  };
  add("fmc", fmc);
  add("bl", bl);
  add("tee", tee);
  add("snp", snp);
  add("ucode", ucode);
  return out.empty() ? "(none)" : out;
}

std::vector<std::string> TcbMinimum::shortfalls(const snp::TcbParts& tcb) const {
  std::vector<std::string> out;
  auto cmp = [&](const char* name, std::optional<std::uint8_t> have,
                 const std::optional<std::uint8_t>& want) {
    if (!want) return;
    if (!have) {
      out.push_back(std::string(name) + " absent < " + std::to_string(*want));
    } else if (*have < *want) {
      out.push_back(std::string(name) + " " + std::to_string(*have) + " < " +
                    std::to_string(*want));
    }
  };
  // FMC exists only in Turin's layout: a minimum FMC does not apply to other products.
  if (tcb.fmc) cmp("fmc", tcb.fmc, fmc);
  cmp("bl", tcb.boot_loader, bl);
  cmp("tee", tcb.tee, tee);
  cmp("snp", tcb.snp, snp);
  cmp("ucode", tcb.microcode, ucode);
  return out;
}

const TcbMinimum& TcbRule::for_product(snp::Product product) const {
  auto it = per_product.find(product);
  return it != per_product.end() ? it->second : all;
}

}  // namespace veritee::verify
