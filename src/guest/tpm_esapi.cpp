// TpmNv over tpm2-tss ESAPI (TCG "TSS 2.0 Enhanced System API Specification"; TPM 2.0 Library
// Part 3: NV_ReadPublic, NV_DefineSpace, NV_Write, NV_Read, GetCapability).
#include "veritee/guest/azure_vtpm.hpp"

#ifdef VERITEE_HAVE_TSS2

#include <tss2/tss2_esys.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <system_error>

#include "veritee/common/shared_library.hpp"

namespace veritee::guest {
namespace {

// The tpm2-tss functions this file calls, loaded from the tpm2-tss libraries by open_tpm
// (veritee/common/shared_library.hpp): only a command that opens the TPM maps them.
struct Tss2Api {
  decltype(&::Esys_Finalize) Esys_Finalize = nullptr;
  decltype(&::Esys_Free) Esys_Free = nullptr;
  decltype(&::Esys_GetCapability) Esys_GetCapability = nullptr;
  decltype(&::Esys_Initialize) Esys_Initialize = nullptr;
  decltype(&::Esys_NV_DefineSpace) Esys_NV_DefineSpace = nullptr;
  decltype(&::Esys_NV_Read) Esys_NV_Read = nullptr;
  decltype(&::Esys_NV_ReadPublic) Esys_NV_ReadPublic = nullptr;
  decltype(&::Esys_NV_Write) Esys_NV_Write = nullptr;
  decltype(&::Esys_TR_Close) Esys_TR_Close = nullptr;
  decltype(&::Esys_TR_FromTPMPublic) Esys_TR_FromTPMPublic = nullptr;
  decltype(&::Tss2_RC_Decode) Tss2_RC_Decode = nullptr;
  decltype(&::Tss2_TctiLdr_Finalize) Tss2_TctiLdr_Finalize = nullptr;
  decltype(&::Tss2_TctiLdr_Initialize) Tss2_TctiLdr_Initialize = nullptr;
};

Result<Tss2Api> load_tss2() {
  auto esys = SharedLibrary::load("libtss2-esys.so.0");
  auto rc = SharedLibrary::load("libtss2-rc.so.0");
  auto tctildr = SharedLibrary::load("libtss2-tctildr.so.0");
  for (const auto* lib : {&esys, &rc, &tctildr}) {
    if (!*lib) return fail(Errc::kUnsupported, "tpm2-tss: " + lib->error().message);
  }
  Tss2Api api;
  for (const Result<void>& ok : {esys->bind(api.Esys_Finalize, "Esys_Finalize"),
                                 esys->bind(api.Esys_Free, "Esys_Free"),
                                 esys->bind(api.Esys_GetCapability, "Esys_GetCapability"),
                                 esys->bind(api.Esys_Initialize, "Esys_Initialize"),
                                 esys->bind(api.Esys_NV_DefineSpace, "Esys_NV_DefineSpace"),
                                 esys->bind(api.Esys_NV_Read, "Esys_NV_Read"),
                                 esys->bind(api.Esys_NV_ReadPublic, "Esys_NV_ReadPublic"),
                                 esys->bind(api.Esys_NV_Write, "Esys_NV_Write"),
                                 esys->bind(api.Esys_TR_Close, "Esys_TR_Close"),
                                 esys->bind(api.Esys_TR_FromTPMPublic, "Esys_TR_FromTPMPublic"),
                                 rc->bind(api.Tss2_RC_Decode, "Tss2_RC_Decode"),
                                 tctildr->bind(api.Tss2_TctiLdr_Finalize, "Tss2_TctiLdr_Finalize"),
                                 tctildr->bind(api.Tss2_TctiLdr_Initialize,
                                               "Tss2_TctiLdr_Initialize")}) {
    if (!ok) return fail(Errc::kUnsupported, "tpm2-tss: " + ok.error().message);
  }
  return api;
}

// Set by open_tpm before any EsapiTpmNv exists; never reset.
const Tss2Api* tss = nullptr;

std::string hex(std::uint32_t v) {
  std::ostringstream s;
  s << "0x" << std::hex << v;
  return s.str();
}

Error tss_error(const std::string& what, TSS2_RC rc) {
  return Error{Errc::kIo, what + ": " + tss->Tss2_RC_Decode(rc)};
}

// TPM_RC_HANDLE (format one, 0x08B) whatever handle number (bits 11:8) it names: the index
// is not defined.
bool is_handle_error(TSS2_RC rc) { return (rc & ~TSS2_RC{0xF40}) == TPM2_RC_HANDLE; }

class EsapiTpmNv final : public TpmNv {
 public:
  EsapiTpmNv(TSS2_TCTI_CONTEXT* tcti, ESYS_CONTEXT* esys) : tcti_(tcti), esys_(esys) {}
  ~EsapiTpmNv() override {
    tss->Esys_Finalize(&esys_);
    tss->Tss2_TctiLdr_Finalize(&tcti_);
  }
  EsapiTpmNv(const EsapiTpmNv&) = delete;
  EsapiTpmNv& operator=(const EsapiTpmNv&) = delete;

  Result<std::optional<std::uint16_t>> nv_size(std::uint32_t index) override {
    auto pub = read_public(index);
    if (!pub) return std::unexpected(pub.error());
    if (!*pub) return std::optional<std::uint16_t>{};
    return std::optional<std::uint16_t>((**pub)->nvPublic.dataSize);
  }

  Result<void> nv_define(std::uint32_t index, std::uint16_t size) override {
    TPM2B_AUTH auth{};
    TPM2B_NV_PUBLIC info{};
    info.nvPublic.nvIndex = index;
    info.nvPublic.nameAlg = TPM2_ALG_SHA256;
    info.nvPublic.attributes = TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD | TPMA_NV_AUTHWRITE |
                               TPMA_NV_AUTHREAD;  // TPM_NT_ORDINARY (bits 7:4 zero)
    info.nvPublic.dataSize = size;
    ESYS_TR handle = ESYS_TR_NONE;
    TSS2_RC rc = tss->Esys_NV_DefineSpace(esys_, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                     ESYS_TR_NONE, &auth, &info, &handle);
    if (rc != TSS2_RC_SUCCESS)
      return std::unexpected(tss_error("TPM2_NV_DefineSpace " + hex(index), rc));
    tss->Esys_TR_Close(esys_, &handle);
    return {};
  }

  Result<void> nv_write(std::uint32_t index, ByteView data) override {
    auto target = open_index(index, /*write=*/true);
    if (!target) return std::unexpected(target.error());
    auto chunk = buffer_max();
    if (!chunk) return std::unexpected(chunk.error());
    for (std::size_t at = 0; at < data.size(); at += *chunk) {
      TPM2B_MAX_NV_BUFFER part{};
      part.size = static_cast<std::uint16_t>(std::min<std::size_t>(*chunk, data.size() - at));
      std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(at), part.size, part.buffer);
      TSS2_RC rc = tss->Esys_NV_Write(esys_, target->auth, target->handle, ESYS_TR_PASSWORD,
                                 ESYS_TR_NONE, ESYS_TR_NONE, &part, static_cast<std::uint16_t>(at));
      if (rc != TSS2_RC_SUCCESS) {
        tss->Esys_TR_Close(esys_, &target->handle);
        return std::unexpected(tss_error("TPM2_NV_Write " + hex(index), rc));
      }
    }
    tss->Esys_TR_Close(esys_, &target->handle);
    return {};
  }

  Result<Bytes> nv_read(std::uint32_t index) override {
    auto target = open_index(index, /*write=*/false);
    if (!target) return std::unexpected(target.error());
    auto chunk = buffer_max();
    if (!chunk) return std::unexpected(chunk.error());
    Bytes out;
    for (std::size_t at = 0; at < target->size; at += *chunk) {
      auto n = static_cast<std::uint16_t>(std::min<std::size_t>(*chunk, target->size - at));
      TPM2B_MAX_NV_BUFFER* part = nullptr;
      TSS2_RC rc = tss->Esys_NV_Read(esys_, target->auth, target->handle, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                ESYS_TR_NONE, n, static_cast<std::uint16_t>(at), &part);
      if (rc != TSS2_RC_SUCCESS) {
        tss->Esys_TR_Close(esys_, &target->handle);
        return std::unexpected(tss_error("TPM2_NV_Read " + hex(index), rc));
      }
      out.insert(out.end(), part->buffer, part->buffer + part->size);
      tss->Esys_Free(part);
    }
    tss->Esys_TR_Close(esys_, &target->handle);
    return out;
  }

 private:
  struct Target {
    ESYS_TR handle;
    ESYS_TR auth;  // the owner hierarchy or the index itself, as its attributes allow
    std::uint16_t size;
  };

  // NV_ReadPublic; nullopt when the index is not defined.
  Result<std::optional<std::shared_ptr<TPM2B_NV_PUBLIC>>> read_public(std::uint32_t index,
                                                                      ESYS_TR* keep = nullptr) {
    auto defined = is_defined(index);
    if (!defined) return std::unexpected(defined.error());
    if (!*defined) return std::optional<std::shared_ptr<TPM2B_NV_PUBLIC>>{};
    ESYS_TR handle = ESYS_TR_NONE;
    TSS2_RC rc =
        tss->Esys_TR_FromTPMPublic(esys_, index, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &handle);
    if (rc != TSS2_RC_SUCCESS) {
      if (is_handle_error(rc)) return std::optional<std::shared_ptr<TPM2B_NV_PUBLIC>>{};
      return std::unexpected(tss_error("TPM NV index " + hex(index), rc));
    }
    TPM2B_NV_PUBLIC* pub = nullptr;
    rc = tss->Esys_NV_ReadPublic(esys_, handle, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &pub, nullptr);
    if (rc != TSS2_RC_SUCCESS) {
      tss->Esys_TR_Close(esys_, &handle);
      return std::unexpected(tss_error("TPM2_NV_ReadPublic " + hex(index), rc));
    }
    if (keep)
      *keep = handle;
    else
      tss->Esys_TR_Close(esys_, &handle);
    return std::optional(
        std::shared_ptr<TPM2B_NV_PUBLIC>(pub, [](TPM2B_NV_PUBLIC* p) { tss->Esys_Free(p); }));
  }

  Result<Target> open_index(std::uint32_t index, bool write) {
    ESYS_TR handle = ESYS_TR_NONE;
    auto pub = read_public(index, &handle);
    if (!pub) return std::unexpected(pub.error());
    if (!*pub) return fail(Errc::kIo, "TPM NV index " + hex(index) + " is not defined");
    const TPMA_NV attrs = (**pub)->nvPublic.attributes;
    ESYS_TR auth = ESYS_TR_NONE;
    if (attrs & (write ? TPMA_NV_OWNERWRITE : TPMA_NV_OWNERREAD))
      auth = ESYS_TR_RH_OWNER;
    else if (attrs & (write ? TPMA_NV_AUTHWRITE : TPMA_NV_AUTHREAD))
      auth = handle;
    else {
      tss->Esys_TR_Close(esys_, &handle);
      return fail(Errc::kIo, "TPM NV index " + hex(index) + " allows no owner or index " +
                                 (write ? "write" : "read") + " (attributes " + hex(attrs) + ")");
    }
    return Target{handle, auth, (**pub)->nvPublic.dataSize};
  }

  // TPM2_GetCapability(TPM2_CAP_HANDLES) from `index`: asking first keeps ESAPI from logging
  // an error for the expected case of an index that is not defined.
  Result<bool> is_defined(std::uint32_t index) {
    TPMI_YES_NO more = TPM2_NO;
    TPMS_CAPABILITY_DATA* caps = nullptr;
    TSS2_RC rc = tss->Esys_GetCapability(esys_, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                    TPM2_CAP_HANDLES, index, 1, &more, &caps);
    if (rc != TSS2_RC_SUCCESS) return std::unexpected(tss_error("TPM2_GetCapability", rc));
    const auto& handles = caps->data.handles;
    const bool found = handles.count > 0 && handles.handle[0] == index;
    tss->Esys_Free(caps);
    return found;
  }

  // TPM2_PT_NV_BUFFER_MAX: the most one NV_Read/NV_Write may move.
  Result<std::size_t> buffer_max() {
    TPMI_YES_NO more = TPM2_NO;
    TPMS_CAPABILITY_DATA* caps = nullptr;
    TSS2_RC rc =
        tss->Esys_GetCapability(esys_, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, TPM2_CAP_TPM_PROPERTIES,
                           TPM2_PT_NV_BUFFER_MAX, 1, &more, &caps);
    if (rc != TSS2_RC_SUCCESS) return std::unexpected(tss_error("TPM2_GetCapability", rc));
    std::size_t value = 0;
    const auto& props = caps->data.tpmProperties;
    if (props.count > 0 && props.tpmProperty[0].property == TPM2_PT_NV_BUFFER_MAX) {
      value = props.tpmProperty[0].value;
    }
    tss->Esys_Free(caps);
    if (value == 0 || value > sizeof(TPM2B_MAX_NV_BUFFER::buffer)) {
      value = sizeof(TPM2B_MAX_NV_BUFFER::buffer);
    }
    return value;
  }

  TSS2_TCTI_CONTEXT* tcti_;
  ESYS_CONTEXT* esys_;
};

}  // namespace

Result<std::unique_ptr<TpmNv>> open_tpm(const std::string& tcti_conf) {
  // A missing device node is the common case outside a vTPM guest: say so without letting the
  // TCTI loader log its own errors.
  const std::string device_prefix = "device:";
  if (tcti_conf.rfind(device_prefix, 0) == 0) {
    std::string path = tcti_conf.substr(device_prefix.size());
    if (path.empty()) path = "/dev/tpmrm0";
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return fail(Errc::kIo, "no TPM at " + path);
  }
  static const Result<Tss2Api> api = load_tss2();
  if (!api) return std::unexpected(api.error());
  tss = &*api;
  TSS2_TCTI_CONTEXT* tcti = nullptr;
  TSS2_RC rc = tss->Tss2_TctiLdr_Initialize(tcti_conf.c_str(), &tcti);
  if (rc != TSS2_RC_SUCCESS) {
    return std::unexpected(tss_error("cannot open TPM through TCTI \"" + tcti_conf + "\"", rc));
  }
  ESYS_CONTEXT* esys = nullptr;
  rc = tss->Esys_Initialize(&esys, tcti, nullptr);
  if (rc != TSS2_RC_SUCCESS) {
    tss->Tss2_TctiLdr_Finalize(&tcti);
    return std::unexpected(tss_error("Esys_Initialize over \"" + tcti_conf + "\"", rc));
  }
  return std::unique_ptr<TpmNv>(std::make_unique<EsapiTpmNv>(tcti, esys));
}

}  // namespace veritee::guest

#else  // built without tpm2-tss

namespace veritee::guest {

Result<std::unique_ptr<TpmNv>> open_tpm(const std::string&) {
  return fail(Errc::kUnsupported, "this veritee was built without tpm2-tss (libtss2-dev)");
}

}  // namespace veritee::guest

#endif
