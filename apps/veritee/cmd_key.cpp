// veritee key: a key derived by the firmware (SNP_GET_DERIVED_KEY), after refusing locally
// whatever the firmware could not take. Key material is shown only with --out or --print.
#include <string.h>  // explicit_bzero

#include <charconv>
#include <iostream>
#include <memory>

#include "command_registry.hpp"
#include "guest_options.hpp"
#include "output.hpp"
#include "veritee/guest/derived_key.hpp"
#include "veritee/guest/sev_guest_client.hpp"

namespace veritee::cli {
namespace {

struct KeyFlags {
  GuestFlags guest;
  std::string root = "vcek", fields, tcb = "0", launch_mit = "0", out;
  std::uint32_t svn = 0, vmpl = 0;
  bool print = false;
};

Result<guest::DerivedKeyRequest> build_request(const KeyFlags& f) {
  guest::DerivedKeyRequest r;
  if (f.root == "vcek")
    r.root = guest::RootKey::kVcek;
  else if (f.root == "vmrk")
    r.root = guest::RootKey::kVmrk;
  else
    return fail(Errc::kInvalidInput, "--root: vcek or vmrk, got \"" + f.root + "\"");
  auto fields = guest::parse_field_names(f.fields);
  if (!fields) return std::unexpected(fields.error());
  auto tcb = hex_u64_flag("--tcb", f.tcb);
  if (!tcb) return std::unexpected(tcb.error());
  auto mit = hex_u64_flag("--launch-mit", f.launch_mit);
  if (!mit) return std::unexpected(mit.error());
  r.guest_field_select = *fields;
  r.vmpl = f.vmpl;
  r.guest_svn = f.svn;
  r.tcb_version = *tcb;
  r.launch_mit_vector = *mit;
  return r;
}

int run_key(const KeyFlags& f) {
  auto request = build_request(f);
  if (!request) {
    print_error(request.error());
    return kExitUsage;
  }
  auto device = guest::open_sev_guest_device(f.guest.device);
  if (!device) return provider_failure(device.error());
  guest::SevGuestClient client(**device);
  auto key = client.get_derived_key(*request);
  if (!key) return provider_failure(key.error());

  const std::string fields = guest::field_names(request->guest_field_select);
  if (text_output()) {
    std::cout << "derived a 32-byte key from the " << f.root << " root, mixing in " << fields
              << " at VMPL " << request->vmpl << '\n';
  }
  int rc = kExitVerified;
  if (!f.out.empty()) {
    if (auto ok = write_output(f.out, *key, 0600); !ok) {
      print_error(ok.error());
      rc = kExitUsage;
    } else if (text_output()) {
      std::cout << "key written to " << f.out << " (mode 0600)\n";
    }
  }
  if (output().json) {
    // The key itself only with --print, as in the text output.
    emit_json({{"root", f.root}, {"fields", fields}, {"vmpl", request->vmpl},
               {"out", f.out.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.out)},
               {"key", f.print ? nlohmann::json(to_hex(*key)) : nlohmann::json(nullptr)},
               {"exit_code", rc}});
  } else if (f.print) {
    payload() << to_hex(*key) << '\n';
  }
  if (f.out.empty() && !f.print && text_output()) std::cout << "key not shown (use --out FILE or --print)\n";
  explicit_bzero(key->data(), key->size());
  return rc;
}

const Registration kKey{
    {"key", "Derive a key from the firmware (SNP_GET_DERIVED_KEY), refusing unsafe requests", 42,
     [](CLI::App& cmd) -> Runner {
       auto f = std::make_shared<KeyFlags>();
       cmd.add_option("--root", f->root, "root key: vcek or vmrk")->capture_default_str();
       cmd.add_option("--fields", f->fields,
                      "what to mix in: policy,image,family,measurement,svn,tcb,launch-mit");
       cmd.add_option("--svn", f->svn, "GUEST_SVN to mix in (at most the guest's)");
       cmd.add_option("--tcb", f->tcb,
                      "TCB_VERSION to mix in, raw 64-bit hex (at most COMMITTED_TCB)")
           ->capture_default_str();
       cmd.add_option("--launch-mit", f->launch_mit,
                      "LAUNCH_MIT_VECTOR, hex (firmware ABI 1.58; not carried by Linux's uapi)");
       cmd.add_option("--vmpl", f->vmpl, "VMPL to mix in (>= the guest's)")
           ->check(CLI::Range(0, 3));
       cmd.add_option("--out", f->out, "write the 32 key bytes to this file (mode 0600)");
       cmd.add_flag("--print", f->print, "print the key as hex");
       cmd.add_option("--device", f->guest.device, "the SEV guest device")->capture_default_str();
       cmd.footer(std::string("Before any key request, veritee reads a fresh report and refuses "
                              "locally fields the firmware cannot take (a rejected request makes "
                              "the kernel disable the VMPCK until reboot).\n"
                              "Exit codes: 0 key derived; 2 usage error, a request refused "
                              "locally because the firmware could not take it, or the key file "
                              "cannot be written; 4 the device or firmware failed or is "
                              "unavailable."));
       return [f] { return run_key(*f); };
     }}};

}  // namespace
}  // namespace veritee::cli
