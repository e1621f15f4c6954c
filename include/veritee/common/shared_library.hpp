// A C library loaded on first use (dlopen), for the parts of veritee that only some commands
// need: libcurl (fetching endorsements) and tpm2-tss (the Azure vTPM). An offline
// verification never calls them, so it never maps them or the thirty libraries behind them
// (docs/performance.md, "CLI footprint").
#pragma once

#include <string>

#include "veritee/common/error.hpp"

namespace veritee {

class SharedLibrary {
 public:
  // The library by its soname ("libcurl.so.4"), loaded once per process and never unloaded.
  // kUnsupported when the dynamic loader cannot load it (the message is dlerror()'s).
  static Result<SharedLibrary> load(const char* soname);

  // The address of `name`, cast to the type of the function it names
  // (`lib.function<decltype(&::curl_easy_init)>("curl_easy_init")`).
  template <class F>
  Result<F> function(const char* name) const {
    auto address = symbol(name);
    if (!address) return std::unexpected(address.error());
    return reinterpret_cast<F>(*address);
  }

  // Sets `slot` (a function pointer) to the function `name`.
  template <class F>
  Result<void> bind(F& slot, const char* name) const {
    auto f = function<F>(name);
    if (!f) return std::unexpected(f.error());
    slot = *f;
    return {};
  }

  const std::string& soname() const { return soname_; }

 private:
  SharedLibrary(void* handle, std::string soname) : handle_(handle), soname_(std::move(soname)) {}
  Result<void*> symbol(const char* name) const;
  void* handle_;
  std::string soname_;
};

}  // namespace veritee
