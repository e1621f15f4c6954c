// VECTORS.tsv of ../shared/corpus-measure (or $VERITEE_CORPUS_MEASURE), read in place: one row
// per expected launch digest, with the exact inputs. Rows on `debian:` files apply only to the
// build whose sha256 the file records; they resolve to a skip reason otherwise.
#pragma once

#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace veritee::test {

std::optional<std::filesystem::path> measure_corpus_dir();
std::string measure_corpus_location();

struct VectorRow {
  std::string id;
  std::string ovmf_file;  // relative path, or debian:/ABS/PATH
  std::string mode;       // snp, snp:ovmf-hash, seves, sev
  std::string vmm_type;
  std::string vcpus;
  std::string vcpu_type;
  std::string vcpu_sig;
  std::string guest_features;
  std::string kernel;  // none, empty or a relative path
  std::string initrd;
  std::string append;  // "-" = not given, "\"\"" = empty
  std::string ovmf_hash;
  std::string expected;  // hex or error:<message>

  bool is_placeholder() const { return id.empty(); }
  bool is_error() const { return expected.rfind("error:", 0) == 0; }
  std::string error_message() const { return expected.substr(6); }
  std::string test_name() const;
};

void PrintTo(const VectorRow& row, std::ostream* os);

// Every row; one placeholder row when the corpus is absent (so suites instantiate and skip).
// Throws std::runtime_error on a malformed file.
const std::vector<VectorRow>& vector_rows();
// Rows of the given modes (placeholder when none).
std::vector<VectorRow> vector_rows(const std::vector<std::string>& modes);

// The firmware file of a row, or the reason to skip it (a debian: file absent or another build).
struct Resolved {
  std::filesystem::path path;
  std::string skip;  // non-empty: skip with this message
};
Resolved resolve_ovmf(const VectorRow& row);
// A kernel/initrd column as a path: "empty" -> an empty file made under `scratch`.
std::filesystem::path resolve_blob(const std::string& column, const std::filesystem::path& scratch);

}  // namespace veritee::test
