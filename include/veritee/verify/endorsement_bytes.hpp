// Endorsements handed over as bytes (an embedding application's VCEK/VLEK file, its CA chain):
// the signer is picked out of a bundle the same way the CLI's --vcek does it.
#pragma once

#include "veritee/common/bytes.hpp"
#include "veritee/common/error.hpp"
#include "veritee/verify/endorsements.hpp"

namespace veritee {

// `signer`: one VCEK or VLEK (PEM or DER), optionally bundled with its ASK/ASVK and ARK (PEM);
// the signer is the one certificate that issued none of the others and is not self-issued,
// the rest join the chain. `chain`: more CA certificates (PEM bundle or one DER). Either may
// be empty (no signer: the verification reports the endorsement as missing; no chain: the
// pinned AMD roots). Unparsable bytes, or a bundle without exactly one candidate signer, are
// kEndorsementInvalid.
Result<Endorsements> endorsements_from_bytes(ByteView signer, ByteView chain);

}  // namespace veritee
