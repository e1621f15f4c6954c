// veritee id-block --id-key PEM [--author-key PEM] --measurement HEX --policy HEX
// [--family-id HEX] [--image-id HEX] [--guest-svn N] --out-dir D: writes the ID_BLOCK and
// ID_AUTH_INFO a host passes to SNP_LAUNCH_FINISH (base64, as QEMU's sev-snp-guest id-block and
// id-auth take them) and prints the key digests the guest's reports will carry (docs/measure.md).
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli_common.hpp"
#include "command_registry.hpp"
#include "output.hpp"
#include "veritee/common/check.hpp"
#include "veritee/snp/measure/id_block.hpp"

namespace veritee::cli {
namespace {

namespace m = snp::measure;

struct IdBlockFlags {
  std::string id_key, author_key, measurement, policy, family_id, image_id, out_dir;
  std::uint32_t guest_svn = 0;
};

Result<std::array<std::uint8_t, 16>> id_flag(const std::string& name, const std::string& text) {
  std::array<std::uint8_t, 16> out{};
  if (text.empty()) return out;
  auto bytes = from_hex(text);
  if (!bytes || bytes->size() != out.size()) {
    return fail(Errc::kInvalidInput,
                name + ": expected 32 hex digits (16 bytes), got \"" + text + "\"");
  }
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

int usage(const Error& e) {
  print_error(e);
  return kExitUsage;
}

int run_id_block(const IdBlockFlags& f) {
  m::IdBlock block;
  auto ld = from_hex(f.measurement);
  if (!ld || ld->size() != m::kDigestSize) {
    print_error("--measurement: expected 96 hex digits (48 bytes), got \"" + f.measurement + "\"");
    return kExitUsage;
  }
  std::copy(ld->begin(), ld->end(), block.launch_digest.begin());
  auto policy = hex_u64_flag("--policy", f.policy);
  if (!policy) return usage(policy.error());
  block.policy = *policy;
  auto family = id_flag("--family-id", f.family_id);
  if (!family) return usage(family.error());
  block.family_id = *family;
  auto image = id_flag("--image-id", f.image_id);
  if (!image) return usage(image.error());
  block.image_id = *image;
  block.guest_svn = f.guest_svn;

  auto id_pem = read_file(f.id_key);
  if (!id_pem) return usage(id_pem.error());
  std::optional<Bytes> author_pem;
  if (!f.author_key.empty()) {
    auto a = read_file(f.author_key);
    if (!a) return usage(a.error());
    author_pem = std::move(*a);
  }
  auto out = m::make_identity(
      block, *id_pem, author_pem ? std::optional<ByteView>(*author_pem) : std::nullopt);
  if (!out) return usage(out.error());

  std::error_code ec;
  std::filesystem::create_directories(f.out_dir, ec);
  if (ec) {
    print_error("--out-dir " + f.out_dir + ": " + ec.message());
    return kExitUsage;
  }
  const std::filesystem::path dir(f.out_dir);
  const std::string block_b64 = to_base64(out->id_block);
  const std::string auth_b64 = to_base64(out->id_auth);
  for (const auto& [name, text] : {std::pair{"id_block.b64", block_b64 + "\n"},
                                   std::pair{"id_auth.b64", auth_b64 + "\n"}}) {
    auto written = write_file_atomic(dir / name, as_bytes(text));
    if (!written) return usage(written.error());
  }
  if (output().json) {
    const auto id_or_null = [](const std::string& flag, const std::array<std::uint8_t, 16>& v) {
      return flag.empty() ? nlohmann::json(nullptr) : nlohmann::json(to_hex(v));
    };
    emit_json({{"id_block", {{"path", (dir / "id_block.b64").string()}, {"base64", block_b64},
                             {"size", out->id_block.size()}}},
               {"id_auth", {{"path", (dir / "id_auth.b64").string()}, {"base64", auth_b64},
                            {"size", out->id_auth.size()}}},
               {"author_key_enabled", out->author_key_digest.has_value()},
               {"id_key_digest", to_hex(out->id_key_digest)},
               {"author_key_digest", out->author_key_digest ? nlohmann::json(to_hex(*out->author_key_digest))
                                                            : nlohmann::json(nullptr)},
               {"family_id", id_or_null(f.family_id, block.family_id)},
               {"image_id", id_or_null(f.image_id, block.image_id)},
               {"exit_code", 0}});
    return kExitVerified;
  }
  std::cout << "wrote " << (dir / "id_block.b64").string() << " (ID_BLOCK, "
            << out->id_block.size() << " bytes) and " << (dir / "id_auth.b64").string()
            << " (ID_AUTH_INFO, " << out->id_auth.size() << " bytes)\n"
            << "qemu: -object sev-snp-guest,...,id-block=" << block_b64 << ",id-auth=" << auth_b64
            << ",author-key-enabled=" << (out->author_key_digest ? "on" : "off") << '\n'
            << "# policy lines for guests launched with this ID block:\n"
            << "id_key_digests = [\"" << to_hex(out->id_key_digest) << "\"]\n";
  if (out->author_key_digest) {
    std::cout << "author_key_digests = [\"" << to_hex(*out->author_key_digest) << "\"]\n";
  }
  if (!f.family_id.empty()) std::cout << "family_id = \"" << to_hex(block.family_id) << "\"\n";
  if (!f.image_id.empty()) std::cout << "image_id = \"" << to_hex(block.image_id) << "\"\n";
  return kExitVerified;
}

const Registration kIdBlock{
    {"id-block", "Sign an ID_BLOCK and ID_AUTH_INFO for SNP_LAUNCH_FINISH; print key digests", 51,
     [](CLI::App& cmd) -> Runner {
       auto f = std::make_shared<IdBlockFlags>();
       cmd.add_option("--id-key", f->id_key, "ID key: PEM EC P-384 private key")->required();
       cmd.add_option("--author-key", f->author_key, "author key: PEM EC P-384 private key");
       cmd.add_option("--measurement", f->measurement,
                      "expected launch MEASUREMENT (96 hex digits; veritee measure)")
           ->required();
       cmd.add_option("--policy", f->policy, "guest POLICY the launch uses, hex (e.g. 0x30000)")
           ->required();
       cmd.add_option("--family-id", f->family_id, "FAMILY_ID, 32 hex digits (default zero)");
       cmd.add_option("--image-id", f->image_id, "IMAGE_ID, 32 hex digits (default zero)");
       cmd.add_option("--guest-svn", f->guest_svn, "GUEST_SVN")->capture_default_str();
       cmd.add_option("--out-dir", f->out_dir, "directory for id_block.b64 and id_auth.b64")
           ->required();
       return [f] { return run_id_block(*f); };
     }}};

}  // namespace
}  // namespace veritee::cli
