// The host's certificate table as files named by role (cert_files.hpp).
#include "veritee/guest/cert_files.hpp"

#include <system_error>

#include "veritee/snp/cert_table.hpp"
#include "veritee/x509/certificate.hpp"

namespace veritee::guest {

Result<std::vector<WrittenCert>> write_cert_table(ByteView table,
                                                  const std::filesystem::path& dir) {
  auto entries = snp::parse_cert_table(table);
  if (!entries) return std::unexpected(entries.error());
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(Errc::kIo, "cannot create " + dir.string() + ": " + ec.message());

  std::vector<WrittenCert> out;
  std::string ask_pem, ark_pem;
  for (const auto& e : *entries) {
    WrittenCert w{e.role, e.guid, e.data.size(), {}, {}};
    auto cert = x509::Certificate::from_der(e.data);
    if (e.role == "unknown" || !cert) {
      if (e.role != "unknown") w.note = "not a DER certificate (" + cert.error().message + ")";
      w.files.push_back(dir / (e.role + "-" + e.guid + ".bin"));
      if (auto ok = write_file_atomic(w.files.back(), e.data); !ok) {
        return std::unexpected(ok.error());
      }
    } else {
      const std::string pem = cert->pem();
      w.files.push_back(dir / (e.role + ".der"));
      w.files.push_back(dir / (e.role + ".pem"));
      if (auto ok = write_file_atomic(w.files[0], e.data); !ok) return std::unexpected(ok.error());
      if (auto ok = write_file_atomic(w.files[1], as_bytes(pem)); !ok) {
        return std::unexpected(ok.error());
      }
      w.note = "CN " + cert->subject_cn();
      if (e.role == "ask") ask_pem = pem;
      if (e.role == "ark") ark_pem = pem;
    }
    out.push_back(std::move(w));
  }
  if (!ask_pem.empty() && !ark_pem.empty()) {
    const std::string chain = ask_pem + ark_pem;
    WrittenCert w{"chain", "", chain.size(), {dir / "chain.pem"}, "ASK then ARK, for --chain"};
    if (auto ok = write_file_atomic(w.files[0], as_bytes(chain)); !ok) {
      return std::unexpected(ok.error());
    }
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace veritee::guest
