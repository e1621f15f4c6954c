// measure_over_sha384 (ISSUE 13): the launch MEASUREMENT of Debian's OVMF.fd (2 MiB) with 64
// vCPUs against the floor, one SHA-384 over the same bytes (every page must be hashed once;
// PAGE_INFO hashing adds 112 bytes a page). Interleaved on the thread CPU clock (paired.hpp):
// counter "ratio" of pair_measure. Without /usr/share/ovmf/OVMF.fd (apt-get install ovmf)
// the benchmarks report an error instead of a number.
#include <benchmark/benchmark.h>

#include <openssl/evp.h>

#include <array>
#include <filesystem>

#include "paired.hpp"
#include "veritee/snp/measure/measure.hpp"

namespace veritee::bench {
namespace {

namespace m = snp::measure;

constexpr const char* kOvmf = "/usr/share/ovmf/OVMF.fd";

struct MeasureCase {
  Bytes image;
  std::optional<m::OvmfImage> ovmf;
  m::LaunchParams params;
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA384", nullptr);

  MeasureCase() {
    params.vcpus = 64;
    params.vcpu_signature = 0xa00f11;  // EPYC-Milan
    auto bytes = read_file(kOvmf);
    if (!bytes) return;
    image = std::move(*bytes);
    if (auto o = m::OvmfImage::parse(image)) ovmf = *o;
  }
  bool floor() const {
    std::array<unsigned char, 48> out{};
    unsigned int len = 0;
    return EVP_Digest(image.data(), image.size(), out.data(), &len, md, nullptr) == 1;
  }
  bool measure() const { return m::measure(*ovmf, params).has_value(); }
};

const MeasureCase& measure_case() {
  static const MeasureCase c;
  return c;
}

bool usable(benchmark::State& state) {
  if (measure_case().ovmf) return true;
  state.SkipWithError((std::string(kOvmf) + " absent or not an SEV OVMF (apt-get install ovmf)").c_str());
  return false;
}

void BM_ovmf_sha384(benchmark::State& state) {
  if (!usable(state)) return;
  for (auto _ : state) benchmark::DoNotOptimize(measure_case().floor());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(measure_case().image.size()));
}

void BM_measure_64(benchmark::State& state) {
  if (!usable(state)) return;
  for (auto _ : state) benchmark::DoNotOptimize(measure_case().measure());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(measure_case().image.size()));
}

void BM_pair_measure(benchmark::State& state) {
  if (!usable(state)) return;
  const MeasureCase& c = measure_case();
  paired(state, [&] { benchmark::DoNotOptimize(c.floor()); },
         [&] { benchmark::DoNotOptimize(c.measure()); });
}

BENCHMARK(BM_ovmf_sha384)->Name("ovmf_sha384")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_measure_64)->Name("measure_64")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_pair_measure)->Name("pair_measure")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace veritee::bench
