// The callgrind profile mode of veritee_bench (--veritee-profile=N[:FILTER]): single-threaded
// operations as plain callables, run N times each with callgrind collecting only that loop.
// verify_bench.cpp lists the SNP operations; other benchmark files (dcap_bench.cpp) add theirs
// with a static ProfileOps::Add, so a module absent from the build adds nothing.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace veritee::bench {

struct Op {
  std::string name;  // "verify_cached/genoa", "dcap_verify_cached"
  std::function<void()> run;
};

struct ProfileOps {
  using Source = std::vector<Op> (*)();
  static std::vector<Source>& sources() {
    static std::vector<Source> s;
    return s;
  }
  struct Add {
    explicit Add(Source s) { sources().push_back(s); }
  };
};

}  // namespace veritee::bench
