// veritee inspect [--listen ADDR:PORT] [--offline] [--kds-url U] [--cache-dir D]
//                 [--endorsements DIR] [--no-crl] [--at T]:
// the report inspector page (docs/inspect.md) on its own, on 127.0.0.1 unless told otherwise:
// GET / and POST /v1/inspect only, no signing key, no policy, nothing stored. It prints the
// address and opens nothing itself; Ctrl-C stops it.
#include <iostream>
#include <memory>

#include "cli_common.hpp"
#include "command_registry.hpp"
#include "service_sources.hpp"
#include "veritee/rats/service.hpp"

namespace veritee::cli {
namespace {

struct InspectFlags {
  std::string listen = "127.0.0.1:8080";
  std::string at;
  EndorsementFlags sources;
};

int run_inspect(const InspectFlags& f) {
  auto listen = parse_listen(f.listen);
  if (!listen) return print_error(listen.error()), kExitUsage;
  // The sources of `veritee serve`: a page must not wait on KDS either.
  auto sources = open_service_sources(f.sources);
  if (!sources) return print_error(sources.error()), kExitUsage;
  EndorsementSources* src = sources->get();

  rats::ServiceConfig config;
  config.inspect_only = true;
  config.host = listen->first;
  config.port = listen->second;
  config.threads = 2;
  config.exit_code_of = exit_code_with_policy;
  if (auto ok = configure_appraiser(config.appraiser, *src, f.sources, f.at); !ok) {
    return print_error(ok.error()), kExitUsage;
  }
  auto created = rats::VerifierService::create(std::move(config));
  if (!created) return print_error(created.error()), kExitUsage;
  rats::VerifierService& service = **created;
  if (auto ok = service.bind(); !ok) return print_error(ok.error()), kExitUnavailable;
  const std::string host = listen->first.find(':') != std::string::npos ? "[" + listen->first + "]" : listen->first;
  std::cerr << "veritee: the report inspector is at http://" << host << ":" << service.port()
            << "/ (" << (src->client() ? "endorsements from AMD KDS " + src->client()->base_url()
                                       : std::string("offline: give the VCEK with the report"))
            << "; Ctrl-C stops it)" << std::endl;
  service.run();
  return kExitVerified;
}

const Registration kInspect{
    {"inspect", "Serve the report inspector page: paste or drop evidence, see every field and check", 62,
     [](CLI::App& cmd) -> Runner {
       auto f = std::make_shared<InspectFlags>();
       cmd.add_option("--listen", f->listen, "ADDR:PORT to listen on (port 0: any free port)")
           ->capture_default_str();
       cmd.add_option("--at", f->at, "verify certificates as of this time (RFC 3339) instead of now");
       add_endorsement_flags(cmd, f->sources, kNetworkFlags | kCrlFlag | kBundleFlag);
       cmd.footer(
           "Serves GET / (the page) and POST /v1/inspect only (docs/inspect.md); nothing "
           "submitted is stored or logged, no result is signed. `veritee serve` serves the same "
           "page beside the verifier.\n"
           "Exit codes: 0 stopped; 2 usage error; 4 cannot listen.");
       return [f] { return run_inspect(*f); };
     }}};

}  // namespace
}  // namespace veritee::cli
