// `veritee bundle QUOTE --out DIR`: the DCAP collateral of a quote (TCB Info and QE Identity
// with their issuer chains, the PCK CRL, the root CA CRL), each piece checked against the pinned
// Intel SGX Root CA before it is written, in the cache's layout, so that `verify --offline
// --endorsements DIR` and `serve --offline --endorsements DIR` find it.
#include "cli_common.hpp"
#include "dcap_cli.hpp"
#include "dcap_sources.hpp"
#include "veritee/tdx/collateral_check.hpp"

namespace veritee::cli {

BundledQuote bundle_quote(const std::string& path, endorse::EndorsementCache& bundle,
                          DcapSources& sources, std::optional<veritee::TimePoint> at) {
  auto in = read_quote_file(path);
  if (!in) return {kExitUsage, path + ": not a readable DCAP quote", {}};
  auto request = tdx::collateral_request(in->quote);
  if (!request) return {kExitUsage, path + ": " + request.error().message, {}};
  auto added = sources.fetcher(at).add_to_bundle(bundle, *request);
  if (!added) {
    return {kExitEndorsement, path + ": collateral for " + request->describe() + ": " + added.error().message, {}};
  }
  return {kExitVerified, {}, std::move(*added)};
}

}  // namespace veritee::cli
