#include "veritee/common/shared_library.hpp"

#include <dlfcn.h>

#include <map>
#include <mutex>

namespace veritee {

Result<SharedLibrary> SharedLibrary::load(const char* soname) {
  static std::mutex mutex;
  static std::map<std::string, void*> loaded;  // handles live for the process
  std::lock_guard lock(mutex);
  if (auto it = loaded.find(soname); it != loaded.end()) return SharedLibrary(it->second, soname);
  void* handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = ::dlerror();
    return fail(Errc::kUnsupported, std::string(soname) + " cannot be loaded: " +
                                        (why ? why : "unknown dynamic loader error"));
  }
  loaded.emplace(soname, handle);
  return SharedLibrary(handle, soname);
}

Result<void*> SharedLibrary::symbol(const char* name) const {
  ::dlerror();
  void* address = ::dlsym(handle_, name);
  if (!address) {
    return fail(Errc::kUnsupported, soname_ + " has no function " + name);
  }
  return address;
}

}  // namespace veritee
