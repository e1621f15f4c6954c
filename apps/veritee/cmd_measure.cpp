// veritee measure --ovmf FILE --vcpus N (--vcpu-type T | --vcpu-sig HEX | --vcpu-family N
// --vcpu-model N --vcpu-stepping N) [--vmm-type qemu|ec2|gce] [--guest-features HEX]
// [--kernel F [--initrd F] [--append STR]] [--snp-ovmf-hash HEX] [--json | --policy-snippet]
// [--check REPORT]; veritee measure --ovmf FILE --ovmf-hash-only.
// The expected SEV-SNP launch MEASUREMENT (docs/measure.md). Flag names are sev-snp-measure's.
#include <iostream>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "command_registry.hpp"
#include "veritee/common/check.hpp"
#include "veritee/snp/measure/measure.hpp"

namespace veritee::cli {
namespace {

namespace m = snp::measure;

struct MeasureFlags {
  std::string ovmf, mode = "snp", vmm_type = "qemu", vcpu_type, vcpu_sig, guest_features = "0x1";
  std::optional<unsigned> vcpus, family, model, stepping;
  std::optional<std::string> kernel, initrd, append;
  std::string snp_ovmf_hash, check;
  bool ovmf_hash_only = false, json = false, policy_snippet = false;
};

// The vCPU signature and how it was given ("EPYC-v4", "--vcpu-sig", "family 25 model 1 ...").
struct Signature {
  std::optional<std::uint32_t> value;
  std::string source;
};

Result<Signature> signature_flags(const MeasureFlags& f) {
  const bool fms = f.family || f.model || f.stepping;
  const int given = int(!f.vcpu_type.empty()) + int(!f.vcpu_sig.empty()) + int(fms);
  if (given > 1) {
    return fail(Errc::kInvalidInput,
                "give the vCPU as one of --vcpu-type, --vcpu-sig or --vcpu-family/--vcpu-model/"
                "--vcpu-stepping, not several");
  }
  if (!f.vcpu_type.empty()) {
    auto sig = m::vcpu_type_signature(f.vcpu_type);
    if (!sig) return fail(Errc::kInvalidInput, "--vcpu-type: " + sig.error().message);
    return Signature{*sig, f.vcpu_type};
  }
  if (!f.vcpu_sig.empty()) {
    auto sig = hex_u64_flag("--vcpu-sig", f.vcpu_sig);
    if (!sig) return std::unexpected(sig.error());
    if (*sig > 0xFFFFFFFFU) {
      return fail(Errc::kInvalidInput, "--vcpu-sig: a CPUID signature is 32 bits, got " + f.vcpu_sig);
    }
    return Signature{static_cast<std::uint32_t>(*sig), "--vcpu-sig"};
  }
  if (fms) {
    if (!f.family || !f.model || !f.stepping) {
      return fail(Errc::kInvalidInput,
                  "--vcpu-family, --vcpu-model and --vcpu-stepping go together: give all three");
    }
    auto sig = m::cpuid_signature(*f.family, *f.model, *f.stepping);
    if (!sig) return std::unexpected(sig.error());
    return Signature{*sig, "family " + std::to_string(*f.family) + " model " +
                               std::to_string(*f.model) + " stepping " +
                               std::to_string(*f.stepping)};
  }
  return Signature{};
}

Result<m::Digest> digest_flag(const std::string& name, const std::string& text) {
  auto bytes = from_hex(text);
  if (!bytes || bytes->size() != m::kDigestSize) {
    return fail(Errc::kInvalidInput,
                name + ": expected 96 hex digits (48 bytes), got \"" + text + "\"");
  }
  m::Digest d{};
  std::copy(bytes->begin(), bytes->end(), d.begin());
  return d;
}

std::string_view page_type_name(m::PageType t) {
  switch (t) {
    case m::PageType::kNormal: return "normal";
    case m::PageType::kVmsa: return "vmsa";
    case m::PageType::kZero: return "zero";
    case m::PageType::kUnmeasured: return "unmeasured";
    case m::PageType::kSecrets: return "secrets";
    case m::PageType::kCpuid: return "cpuid";
  }
  return "unknown";
}

nlohmann::json ovmf_json(const std::string& file, const m::OvmfImage& ovmf) {
  nlohmann::json j = {{"file", file},
                      {"size", ovmf.bytes().size()},
                      {"gpa", m::hex_number(ovmf.gpa())},
                      {"metadata_offset", m::hex_number(ovmf.metadata_offset())}};
  auto entries = nlohmann::json::array();
  for (const auto& e : ovmf.footer()) {
    entries.push_back({{"guid", e.guid.to_string()}, {"offset", m::hex_number(e.offset)},
                       {"data", to_hex(e.data)}});
  }
  j["footer_table"] = entries;
  auto sections = nlohmann::json::array();
  for (const auto& s : ovmf.sections()) {
    sections.push_back({{"type", std::string(m::to_string(s.type))},
                        {"gpa", m::hex_number(s.gpa)},
                        {"size", m::hex_number(s.size)}});
  }
  j["sev_metadata_sections"] = sections;
  if (auto eip = ovmf.sev_es_reset_eip()) j["sev_es_reset_eip"] = m::hex_number(*eip);
  if (auto t = ovmf.sev_hash_table()) {
    j["sev_hash_table"] = {{"gpa", m::hex_number(t->gpa)}, {"size", m::hex_number(t->size)}};
  }
  return j;
}

// Firmware, kernel and initrd images are read whole; larger ones are refused (docs/limits.md).
constexpr std::size_t kMaxImageBytes = std::size_t{512} << 20;

struct Loaded {
  Bytes image;
  m::OvmfImage ovmf;
};

std::optional<Loaded> load_ovmf(const std::string& path) {
  auto bytes = read_file(path, kMaxImageBytes);
  if (!bytes) {
    print_error(bytes.error());
    return std::nullopt;
  }
  Loaded l{std::move(*bytes), {}};
  auto parsed = m::OvmfImage::parse(l.image);
  if (!parsed) {
    print_error(path + ": " + parsed.error().message);
    return std::nullopt;
  }
  l.ovmf = *parsed;
  return l;
}

int run_ovmf_hash_only(const MeasureFlags& f, const m::OvmfImage& ovmf) {
  if (f.vcpus || f.kernel || f.initrd || f.append || !f.snp_ovmf_hash.empty() ||
      !f.check.empty() || f.policy_snippet) {
    print_error("--ovmf-hash-only takes only --ovmf (and --json)");
    return kExitUsage;
  }
  auto hash = m::ovmf_hash(ovmf);
  if (!hash) {
    print_error(hash.error());
    return kExitUsage;
  }
  if (f.json) {
    nlohmann::json j = {{"ovmf_hash", to_hex(*hash)}, {"ovmf", ovmf_json(f.ovmf, ovmf)}};
    std::cout << j.dump(2) << '\n';
  } else {
    std::cout << to_hex(*hash) << '\n';
  }
  return kExitVerified;
}

int run_measure(const MeasureFlags& f) {
  if (f.mode != "snp" && f.mode != "snp:ovmf-hash") {
    print_error("--mode " + f.mode +
                ": only SEV-SNP launch digests are computed (snp, snp:ovmf-hash)");
    return kExitUsage;
  }
  auto loaded = load_ovmf(f.ovmf);
  if (!loaded) return kExitUsage;
  const m::OvmfImage& ovmf = loaded->ovmf;
  if (f.ovmf_hash_only || f.mode == "snp:ovmf-hash") return run_ovmf_hash_only(f, ovmf);

  if (f.json && f.policy_snippet) {
    print_error("--json and --policy-snippet are two outputs: give one");
    return kExitUsage;
  }
  if (!f.vcpus) {
    print_error("--vcpus is required: each vCPU adds a VMSA page to the measurement");
    return kExitUsage;
  }
  if (!f.kernel && (f.initrd || f.append)) {
    print_error(std::string(f.initrd ? "--initrd" : "--append") +
                " without --kernel: the hashes table is measured only for a direct kernel boot");
    return kExitUsage;
  }
  m::LaunchParams p;
  p.vcpus = *f.vcpus;
  auto vmm = m::parse_vmm_type(f.vmm_type);
  if (!vmm) {
    print_error("--vmm-type: " + vmm.error().message);
    return kExitUsage;
  }
  p.vmm = *vmm;
  auto sig = signature_flags(f);
  if (!sig) {
    print_error(sig.error());
    return kExitUsage;
  }
  p.vcpu_signature = sig->value;
  if (p.vmm == m::VmmType::kQemu && !p.vcpu_signature) {
    print_error("--vcpu-type, --vcpu-sig or --vcpu-family/--vcpu-model/--vcpu-stepping is "
                "required with --vmm-type qemu: QEMU puts the vCPU signature in each VMSA");
    return kExitUsage;
  }
  if (p.vmm != m::VmmType::kQemu && p.vcpu_signature) {
    std::cerr << "veritee: note: " << m::to_string(p.vmm)
              << " sets RDX to 0x600 whatever the vCPU: the vCPU signature is not used\n";
  }
  auto features = hex_u64_flag("--guest-features", f.guest_features);
  if (!features) {
    print_error(features.error());
    return kExitUsage;
  }
  p.guest_features = *features;
  if (!f.snp_ovmf_hash.empty()) {
    auto h = digest_flag("--snp-ovmf-hash", f.snp_ovmf_hash);
    if (!h) {
      print_error(h.error());
      return kExitUsage;
    }
    p.ovmf_hash = *h;
  }
  nlohmann::json kernel_json = nullptr;
  if (f.kernel) {
    auto kernel = read_file(*f.kernel, kMaxImageBytes);
    if (!kernel) {
      print_error(kernel.error());
      return kExitUsage;
    }
    Bytes initrd;
    if (f.initrd) {
      auto i = read_file(*f.initrd, kMaxImageBytes);
      if (!i) {
        print_error(i.error());
        return kExitUsage;
      }
      initrd = std::move(*i);
    }
    auto hashes = m::KernelHashes::compute(*kernel, initrd, f.append.value_or(""));
    if (!hashes) {
      print_error(hashes.error());
      return kExitUsage;
    }
    p.kernel = *hashes;
    kernel_json = {{"kernel", *f.kernel},
                   {"kernel_sha256", to_hex(hashes->kernel)},
                   {"initrd", f.initrd ? nlohmann::json(*f.initrd) : nlohmann::json(nullptr)},
                   {"initrd_sha256", to_hex(hashes->initrd)},
                   {"append", f.append.value_or("")},
                   {"cmdline_sha256", to_hex(hashes->cmdline)}};
  }

  auto result = m::measure(ovmf, p);
  if (!result) {
    print_error(f.ovmf + ": " + result.error().message);
    return kExitUsage;
  }
  const std::string measurement = to_hex(result->measurement);

  int rc = kExitVerified;
  std::string check_line;
  if (!f.check.empty()) {
    auto input = read_report_input(f.check, "");
    if (!input) return kExitUsage;
    const std::string reported = to_hex(input->report().measurement());
    if (reported == measurement) {
      check_line = "check: " + f.check + ": MEASUREMENT matches";
    } else {
      check_line = "check: " + f.check + ": MEASUREMENT " + reported +
                   " is not the expected " + measurement;
      rc = kExitPolicy;
    }
  }

  const std::string vcpu_text =
      p.vcpu_signature ? m::hex_number(*p.vcpu_signature) + " (" + sig->source + ")" : "not used";
  if (f.json) {
    auto steps = nlohmann::json::array();
    for (const auto& s : result->steps) {
      steps.push_back({{"what", s.what},
                       {"page_type", std::string(page_type_name(s.type))},
                       {"gpa", m::hex_number(s.gpa)},
                       {"size", m::hex_number(s.size)}});
    }
    nlohmann::json inputs = {
        {"vcpus", p.vcpus},
        {"vmm_type", std::string(m::to_string(p.vmm))},
        {"vcpu_signature", p.vcpu_signature ? nlohmann::json(m::hex_number(*p.vcpu_signature))
                                            : nlohmann::json(nullptr)},
        {"vcpu_signature_from", p.vcpu_signature ? nlohmann::json(sig->source)
                                                 : nlohmann::json(nullptr)},
        {"guest_features", m::hex_number(p.guest_features)},
        {"kernel_hashes", kernel_json},
        {"snp_ovmf_hash_given", result->ovmf_hash_given}};
    nlohmann::json j = {{"measurement", measurement},
                        {"ovmf_hash", to_hex(result->ovmf_hash)},
                        {"inputs", inputs},
                        {"ovmf", ovmf_json(f.ovmf, ovmf)},
                        {"ap_eip", m::hex_number(result->ap_eip)},
                        {"pages", result->pages},
                        {"steps", steps}};
    if (!f.check.empty()) {
      j["check"] = {{"report", f.check}, {"match", rc == kExitVerified}};
    }
    std::cout << j.dump(2) << '\n';
    return rc;
  }
  if (f.policy_snippet) {
    std::cout << "# " << f.ovmf << ", " << m::to_string(p.vmm) << ", " << p.vcpus
              << " vCPU(s), vCPU " << vcpu_text << ", guest features " << m::hex_number(p.guest_features)
              << (p.kernel ? ", kernel hashes" : "") << '\n'
              << "measurements = [\"" << measurement << "\"]\n";
    if (!check_line.empty()) std::cerr << check_line << '\n';
    return rc;
  }
  std::cout << "ovmf: " << f.ovmf << " (" << ovmf.bytes().size() << " bytes at GPA "
            << m::hex_number(ovmf.gpa()) << ", " << ovmf.sections().size() << " SEV metadata sections)"
            << (result->ovmf_hash_given ? ", OVMF hash given" : "") << '\n'
            << "vmm: " << m::to_string(p.vmm) << ", vcpus: " << p.vcpus << ", vcpu signature: "
            << vcpu_text << ", guest features: " << m::hex_number(p.guest_features) << '\n'
            << "kernel hashes: " << (p.kernel ? "measured" : "none") << '\n';
  if (!check_line.empty()) std::cout << check_line << '\n';
  std::cout << measurement << '\n';
  return rc;
}

const Registration kMeasure{
    {"measure", "Compute the expected SEV-SNP launch MEASUREMENT from an OVMF image", 50,
     [](CLI::App& cmd) -> Runner {
       auto f = std::make_shared<MeasureFlags>();
       cmd.add_option("--ovmf", f->ovmf, "the OVMF firmware image the host boots")->required();
       cmd.add_option("--mode", f->mode, "snp (default) or snp:ovmf-hash, as sev-snp-measure");
       cmd.add_option("--vcpus", f->vcpus, "number of vCPUs (one VMSA page each)");
       cmd.add_option("--vcpu-type", f->vcpu_type,
                      "QEMU CPU model: EPYC, EPYC-v1..v4, EPYC-Rome, EPYC-Milan, EPYC-Genoa, "
                      "EPYC-Turin, ...");
       cmd.add_option("--vcpu-sig", f->vcpu_sig, "CPUID(1).EAX signature, hex (e.g. 0xa00f11)");
       cmd.add_option("--vcpu-family", f->family, "CPU family (with --vcpu-model/--vcpu-stepping)");
       cmd.add_option("--vcpu-model", f->model, "CPU model");
       cmd.add_option("--vcpu-stepping", f->stepping, "CPU stepping");
       cmd.add_option("--vmm-type", f->vmm_type, "qemu, ec2 or gce (any case)")
           ->capture_default_str();
       cmd.add_option("--guest-features", f->guest_features,
                      "SEV_FEATURES of the VMSAs, hex (0x1 SNP only, 0x21 with DebugSwap)")
           ->capture_default_str();
       cmd.add_option("--kernel", f->kernel, "kernel file of a direct boot (measured hashes)");
       cmd.add_option("--initrd", f->initrd, "initrd file (empty when not given)");
       cmd.add_option("--append", f->append, "kernel command line");
       cmd.add_option("--snp-ovmf-hash", f->snp_ovmf_hash,
                      "precomputed OVMF hash (96 hex digits, from --ovmf-hash-only)");
       cmd.add_flag("--ovmf-hash-only", f->ovmf_hash_only,
                    "print only the digest of the OVMF pages (what --snp-ovmf-hash takes)");
       cmd.add_flag("--json", f->json, "print the inputs, OVMF sections and steps as JSON");
       cmd.add_flag("--policy-snippet", f->policy_snippet,
                    "print the policy line: measurements = [\"...\"]");
       cmd.add_option("--check", f->check,
                      "compare with this report's MEASUREMENT: exit 0 if equal, 5 if not");
       cmd.footer(
           "The MEASUREMENT is the last line of the output. Exit codes: 0 done (or --check "
           "matches); 2 usage error or an image/parameters that cannot be measured; 5 --check "
           "REPORT has another MEASUREMENT.");
       return [f] { return run_measure(*f); };
     }}};

}  // namespace
}  // namespace veritee::cli
