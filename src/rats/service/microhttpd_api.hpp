// GNU libmicrohttpd (and the one GnuTLS call of the transport), loaded on first use
// (veritee/common/shared_library.hpp). `veritee` is one binary: linking libmicrohttpd would
// map it, GnuTLS and the libraries behind GnuTLS (p11-kit, idn2, unistring, tasn1) into every
// command, and run GnuTLS's library constructor, for an offline `veritee verify` too
// (docs/performance.md, "CLI footprint"). Only the service's transport calls these.
#pragma once

#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "veritee/common/error.hpp"

namespace veritee::rats::detail {

struct MicrohttpdApi {
  decltype(&::MHD_is_feature_supported) is_feature_supported = nullptr;
  decltype(&::MHD_start_daemon) start_daemon = nullptr;
  decltype(&::MHD_quiesce_daemon) quiesce_daemon = nullptr;
  decltype(&::MHD_stop_daemon) stop_daemon = nullptr;
  decltype(&::MHD_get_connection_info) get_connection_info = nullptr;
  decltype(&::MHD_get_connection_values) get_connection_values = nullptr;
  decltype(&::MHD_suspend_connection) suspend_connection = nullptr;
  decltype(&::MHD_resume_connection) resume_connection = nullptr;
  decltype(&::MHD_create_response_from_buffer) create_response_from_buffer = nullptr;
  decltype(&::MHD_add_response_header) add_response_header = nullptr;
  decltype(&::MHD_queue_response) queue_response = nullptr;
  decltype(&::MHD_destroy_response) destroy_response = nullptr;
  // From the GnuTLS libmicrohttpd itself links (the same copy: one handle per soname).
  decltype(&::gnutls_record_send) gnutls_record_send = nullptr;
};

// libmicrohttpd.so.12 and libgnutls.so.30, resolved once per process; kUnsupported (with the
// dynamic loader's message) when either cannot be loaded.
const Result<MicrohttpdApi>& microhttpd();

}  // namespace veritee::rats::detail
