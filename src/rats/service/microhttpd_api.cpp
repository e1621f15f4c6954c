#include "rats/service/microhttpd_api.hpp"

#include "veritee/common/shared_library.hpp"

namespace veritee::rats::detail {
namespace {

Result<MicrohttpdApi> load_microhttpd() {
  auto mhd = SharedLibrary::load("libmicrohttpd.so.12");
  if (!mhd) return std::unexpected(mhd.error());
  auto tls = SharedLibrary::load("libgnutls.so.30");  // already mapped: libmicrohttpd needs it
  if (!tls) return std::unexpected(tls.error());
  MicrohttpdApi api;
  for (const Result<void>& ok :
       {mhd->bind(api.is_feature_supported, "MHD_is_feature_supported"),
        mhd->bind(api.start_daemon, "MHD_start_daemon"),
        mhd->bind(api.quiesce_daemon, "MHD_quiesce_daemon"),
        mhd->bind(api.stop_daemon, "MHD_stop_daemon"),
        mhd->bind(api.get_connection_info, "MHD_get_connection_info"),
        mhd->bind(api.get_connection_values, "MHD_get_connection_values"),
        mhd->bind(api.suspend_connection, "MHD_suspend_connection"),
        mhd->bind(api.resume_connection, "MHD_resume_connection"),
        mhd->bind(api.create_response_from_buffer, "MHD_create_response_from_buffer"),
        mhd->bind(api.add_response_header, "MHD_add_response_header"),
        mhd->bind(api.queue_response, "MHD_queue_response"),
        mhd->bind(api.destroy_response, "MHD_destroy_response"),
        tls->bind(api.gnutls_record_send, "gnutls_record_send")}) {
    if (!ok) return std::unexpected(ok.error());
  }
  return api;
}

}  // namespace

const Result<MicrohttpdApi>& microhttpd() {
  static const Result<MicrohttpdApi> api = load_microhttpd();
  return api;
}

}  // namespace veritee::rats::detail
