// Where `verify` and `fetch collateral` get DCAP collateral when no --collateral file is given:
// the offline bundle (--endorsements), the verified cache and Intel PCS (--pcs-url; not with
// --offline), with the same flags and client behaviour as AMD KDS (endorsement_options.hpp).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "endorsement_options.hpp"
#include "veritee/endorse/pcs.hpp"

namespace veritee::cli {

class DcapSources {
 public:
  static Result<std::unique_ptr<DcapSources>> open(const EndorsementFlags& flags, bool use_network);

  // Pieces are judged stale at `at` (the verification time), so a cache keeps serving collateral
  // that was current then.
  endorse::PcsFetcher fetcher(std::optional<veritee::TimePoint> at = std::nullopt);
  endorse::EndorsementCache* cache() { return base_->cache(); }
  endorse::KdsClient* client() { return pcs_ ? &*pcs_ : nullptr; }  // null offline
  const std::string& root_ca_crl_url() const { return root_crl_url_; }
  void say_where_cached();

 private:
  std::unique_ptr<EndorsementSources> base_;
  std::optional<endorse::KdsClient> pcs_;
  std::string root_crl_url_;
};

// Prints "collateral: TCB Info from …" lines on stderr.
void print_provenance(const std::vector<endorse::Provenance>& provenance);

}  // namespace veritee::cli
