// The holdings of a deposit and the chain of deposits (pipeline/holdings.h), checked as the
// registration centre does before it files an increment over what it holds:
//
// check_holdings (centre policy, one bag): every record in the payload is in
// metadata/holdings.csv with the fingerprint of its catalogue row and files and this
// deposit's id; a full deposit holds exactly its own records; an increment's changes.csv
// names exactly the records it carries as added or changed, and withdraws only records
// it no longer holds.
//
// check_chain (--previous EARLIER): the increment names EARLIER (Continues-Batch, its
// package digests recomputed from EARLIER's manifest, the next Deposit-Sequence); each
// record it carries is new or differs from what EARLIER holds, as changes.csv says; each
// withdrawn record was held; and its holdings are EARLIER's updated by exactly these
// changes. Every problem is one finding naming the record.
#pragma once

#include <filesystem>
#include <vector>

#include "pipeline/finding.h"

namespace lantai::verify {

std::vector<Finding> check_holdings(const std::filesystem::path& bag_dir);
std::vector<Finding> check_chain(const std::filesystem::path& bag_dir, const std::filesystem::path& earlier_dir);

}  // namespace lantai::verify
