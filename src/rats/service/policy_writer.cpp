// Policy TOML from a golden report (policy_from_report, include/veritee/rats/policy_file.hpp).
// Every value is a number, a boolean or a hex/name string from a fixed alphabet, so no TOML
// escaping arises; the tests read every written policy back with parse_policy.
#include "veritee/rats/policy_file.hpp"

#include <algorithm>
#include <sstream>

#include "veritee/common/bytes.hpp"
#include "veritee/snp/guest_policy.hpp"
#include "veritee/snp/key_info.hpp"
#include "veritee/snp/tcb_version.hpp"

namespace veritee::rats {
namespace {

std::string quoted(ByteView bytes) { return "\"" + to_hex(bytes) + "\""; }

const char* boolean(bool b) { return b ? "true" : "false"; }

// A file name in a comment: one line, printable.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s) out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? '?' : c);
  return out;
}

// [min_tcb]: every SPL at most the lowest of REPORTED, COMMITTED and CURRENT_TCB, so the
// golden report meets it on all three (the rule compares each).
void min_tcb(std::ostringstream& out, const snp::Report& r, snp::Product product) {
  const snp::TcbParts reported = r.reported_tcb().decode(product);
  snp::TcbParts low = reported;
  for (const snp::TcbVersion& t : {r.committed_tcb(), r.current_tcb()}) {
    const snp::TcbParts p = t.decode(product);
    low.boot_loader = std::min(low.boot_loader, p.boot_loader);
    low.tee = std::min(low.tee, p.tee);
    low.snp = std::min(low.snp, p.snp);
    low.microcode = std::min(low.microcode, p.microcode);
    if (low.fmc && p.fmc) low.fmc = std::min(*low.fmc, *p.fmc);
  }
  out << "\n# REPORTED_TCB (" << reported.to_string() << "), the TCB the VCEK is issued for";
  if (!(low == reported)) out << ", lowered to what COMMITTED_TCB and CURRENT_TCB also meet";
  out << ":\n# REPORTED_TCB, COMMITTED_TCB and CURRENT_TCB must be at least this.\n[min_tcb]\n";
  if (low.fmc) out << "fmc = " << unsigned{*low.fmc} << '\n';
  out << "bl = " << unsigned{low.boot_loader} << '\n'
      << "tee = " << unsigned{low.tee} << '\n'
      << "snp = " << unsigned{low.snp} << '\n'
      << "ucode = " << unsigned{low.microcode} << '\n';
}

}  // namespace

std::string policy_from_report(const snp::Report& r, snp::Product product, std::string_view source) {
  std::ostringstream out;
  const snp::GuestPolicy policy = r.policy();
  const snp::KeyInfo key = r.key_info();
  out << "# veritee appraisal policy pinning the golden report " << printable(source) << "\n"
      << "# (report version " << r.version() << ", " << snp::to_string(product)
      << "), written by `veritee policy from-report`. docs/policy.md describes every key;\n"
      << "# `veritee verify --policy FILE REPORT` and `veritee serve --policy FILE` read it.\n\n"
      << "# Freshness is the service's (`serve` requires a nonce it issued by default; verify\n"
      << "# has none to check): require_nonce = true\n\n";

  out << "# Guest POLICY (ABI 1.58 Table 9) as the golden report has it: bits it has clear are\n"
      << "# forbidden, the ones it has set are required.\n"
      << "allow_debug = " << boolean(policy.debug()) << '\n'
      << "allow_migrate_ma = " << boolean(policy.migrate_ma()) << '\n'
      << "allow_smt = " << boolean(policy.smt()) << '\n'
      << "require_single_socket = " << boolean(policy.single_socket()) << '\n'
      << "min_abi = \"" << unsigned{policy.abi_major()} << '.' << unsigned{policy.abi_minor()} << "\"\n";
  if (policy.debug()) out << "# The golden guest is debuggable: the host can read its memory.\n";
  std::string required;
  for (const auto& bit : snp::GuestPolicy::bits()) {
    // RESERVED_MBO is always 1; DEBUG and MIGRATE_MA are the allow_ keys above.
    if (bit.name == "RESERVED_MBO" || bit.name == "DEBUG" || bit.name == "MIGRATE_MA") continue;
    if ((policy.raw() >> bit.bit) & 1U) required += (required.empty() ? "\"" : ", \"") + std::string(bit.name) + "\"";
  }
  if (!required.empty()) out << "required_policy_bits = [" << required << "]\n";

  out << "\n# The guest image and its launch.\n"
      << "measurements = [\n  " << quoted(r.measurement()) << ",\n]\n"
      << "host_data = " << quoted(r.host_data()) << '\n'
      << "family_id = " << quoted(r.family_id()) << '\n'
      << "image_id = " << quoted(r.image_id()) << '\n';
  if (all_zero(r.id_key_digest())) out << "# ID_KEY_DIGEST is zero: the guest was launched without an ID block.\n";
  out << "id_key_digests = [\n  " << quoted(r.id_key_digest()) << ",\n]\n";
  if (key.author_key_en()) {
    out << "author_key_digests = [\n  " << quoted(r.author_key_digest()) << ",\n]\n";
  } else {
    out << "# author_key_digests: not pinned, KEY_INFO.AUTHOR_KEY_EN is 0 (no author key).\n";
  }
  out << "vmpl = " << r.vmpl() << '\n'
      << "min_guest_svn = " << r.guest_svn() << '\n';

  out << "\n# The platform.\n"
      << "products = [\"" << snp::to_string(product) << "\"]\n";
  if (auto k = key.signing_key()) out << "signing_keys = [\"" << snp::to_string(*k) << "\"]\n";
  const snp::FirmwareVersion fw = r.current_version();
  if (!(fw == snp::FirmwareVersion{})) {
    out << "min_version = \"" << unsigned{fw.major} << '.' << unsigned{fw.minor} << "\"  # CURRENT "
        << fw.to_string() << '\n';
  }

  out << "\n# Values of this one launch, request or chip: pinning them admits only this guest.\n"
      << "# report_id = " << quoted(r.report_id()) << '\n'
      << "# report_data = " << quoted(r.report_data()) << '\n'
      << "# chip_ids = [" << quoted(r.chip_id()) << "]\n";

  min_tcb(out, r, product);
  return out.str();
}

}  // namespace veritee::rats
