#include "stages/verify/chain_check.h"

#include <stdexcept>

#include "pipeline/holdings.h"
#include "pipeline/registration.h"
#include "stages/verify/verify_codes.h"

namespace lantai::verify {
namespace fs = std::filesystem;

namespace {

// The bag as a deposit, or the one finding that says why it cannot be read as one.
std::optional<DepositBag> read_or_report(const fs::path& dir, const FindingCode& code, std::vector<Finding>& findings) {
  try {
    return read_deposit(dir);
  } catch (const std::exception& error) {
    findings.push_back(code(std::string("cannot read the deposit: ") + error.what()));
    return std::nullopt;
  }
}

}  // namespace

std::vector<Finding> check_holdings(const fs::path& bag_dir) {
  std::vector<Finding> findings;
  if (!fs::exists(bag_dir / kHoldingsPath) && !fs::exists(bag_dir / kChangesPath)) return findings;  // made before holdings
  const auto bag = read_or_report(bag_dir, kHoldingsMismatch, findings);
  if (!bag) return findings;
  auto fail = [&](const std::string& message, const std::string& value = "") {
    findings.push_back(kHoldingsMismatch(message, value));
  };
  for (const auto& [ref, fingerprint] : bag->own_records) {
    const auto held = bag->holdings.find(ref);
    if (held == bag->holdings.end())
      fail(std::string(kHoldingsPath) + ": " + ref + " is in the payload but not in the holdings", ref);
    else if (held->second.fingerprint != fingerprint)
      fail(std::string(kHoldingsPath) + ": " + ref + " has fingerprint " + held->second.fingerprint +
               ", its catalogue row and files give " + fingerprint, ref);
    else if (held->second.batch_id != bag->batch_id)
      fail(std::string(kHoldingsPath) + ": " + ref + " is in this payload but held by deposit " +
               held->second.batch_id, ref);
  }
  for (const auto& [ref, holding] : bag->holdings)
    if (holding.batch_id == bag->batch_id && !bag->own_records.count(ref))
      fail(std::string(kHoldingsPath) + ": " + ref + " is said to be held by this deposit but is not in its payload", ref);
  if (!bag->incremental) {
    for (const auto& [ref, holding] : bag->holdings)
      if (holding.batch_id != bag->batch_id)
        fail(std::string(kHoldingsPath) + ": a full deposit holds " + ref + " of deposit " + holding.batch_id, ref);
    if (!bag->changes.empty()) fail(std::string(kChangesPath) + ": a full deposit lists changes");
    return findings;
  }
  if (bag->continues_batch.empty())
    fail("bag-info.txt: an incremental deposit names no " + std::string(kContinuesBatchLabel));
  bool md5 = false;
  for (const auto& [algorithm, hex] : bag->continues_package) md5 = md5 || algorithm == DigestAlgorithm::md5;
  if (!md5) fail("bag-info.txt: an incremental deposit gives no " + std::string(kContinuesPackageLabel) + "MD5");
  for (const auto& [ref, change] : bag->changes) {
    const bool carried = bag->own_records.count(ref) > 0;
    if (change == Change::withdrawn && (carried || bag->holdings.count(ref)))
      fail(std::string(kChangesPath) + ": " + ref + " is withdrawn but still held", ref);
    if (change != Change::withdrawn && !carried)
      fail(std::string(kChangesPath) + ": " + ref + " is " + to_string(change) + " but not in the payload", ref);
  }
  for (const auto& [ref, fingerprint] : bag->own_records)
    if (!bag->changes.count(ref))
      fail(std::string(kChangesPath) + ": " + ref + " is in the payload but listed neither added nor changed", ref);
  return findings;
}

std::vector<Finding> check_chain(const fs::path& bag_dir, const fs::path& earlier_dir) {
  std::vector<Finding> findings;
  const auto bag = read_or_report(bag_dir, kChainBroken, findings);
  const auto earlier = read_or_report(earlier_dir, kChainBroken, findings);
  if (!bag || !earlier) return findings;
  auto fail = [&](const std::string& message, const std::string& value = "", const std::string& expected = "") {
    findings.push_back(kChainBroken(message, value, expected));
  };
  if (!bag->incremental) {
    fail("bag-info.txt: " + bag->batch_id + " is a full deposit; it continues no earlier one");
    return findings;
  }
  if (bag->continues_batch != earlier->batch_id)
    fail("bag-info.txt: " + std::string(kContinuesBatchLabel) + " is " + bag->continues_batch + ", the earlier bag is " +
             earlier->batch_id, bag->continues_batch, earlier->batch_id);
  if (bag->sequence != earlier->sequence + 1)
    fail("bag-info.txt: " + std::string(kDepositSequenceLabel) + " is " + std::to_string(bag->sequence) +
             ", the earlier deposit's is " + std::to_string(earlier->sequence),
         std::to_string(bag->sequence), std::to_string(earlier->sequence + 1));
  for (const auto& [algorithm, hex] : bag->continues_package) {
    const std::string label = kContinuesPackageLabel + std::string(form_algorithm_name(algorithm));
    bool found = false;
    for (const auto& [earlier_algorithm, earlier_hex] : earlier->package_digests) {
      if (earlier_algorithm != algorithm) continue;
      found = true;
      if (earlier_hex != hex)
        fail("bag-info.txt: " + label + " is " + hex + ", the earlier bag's package digest is " + earlier_hex, hex,
             earlier_hex);
    }
    if (!found) fail("bag-info.txt: " + label + " cannot be checked: the earlier bag has no such manifest", hex);
  }

  // The holdings after this deposit: the earlier ones, updated by exactly what it carries.
  Holdings expected = earlier->holdings;
  for (const auto& [ref, fingerprint] : bag->own_records) {
    const auto held = expected.find(ref);
    const auto listed = bag->changes.find(ref);
    if (held != expected.end() && held->second.fingerprint == fingerprint)
      fail(ref + ": deposited again unchanged; " + earlier->batch_id + " holds it as it is", ref);
    const Change actual = held == expected.end() ? Change::added : Change::changed;
    if (listed != bag->changes.end() && listed->second != actual)
      fail(std::string(kChangesPath) + ": " + ref + " is listed " + to_string(listed->second) + " but is " +
               to_string(actual) + " against " + earlier->batch_id, to_string(listed->second), to_string(actual));
    expected[ref] = {fingerprint, bag->batch_id};
  }
  for (const auto& [ref, change] : bag->changes) {
    if (change != Change::withdrawn) continue;
    if (!earlier->holdings.count(ref))
      fail(std::string(kChangesPath) + ": " + ref + " is withdrawn, but " + earlier->batch_id + " does not hold it", ref);
    expected.erase(ref);
  }
  for (const auto& [ref, holding] : expected) {
    const auto found = bag->holdings.find(ref);
    if (found == bag->holdings.end())
      fail(std::string(kHoldingsPath) + ": " + ref + " is missing; " + holding.batch_id + " holds it", ref);
    else if (found->second.fingerprint != holding.fingerprint || found->second.batch_id != holding.batch_id)
      fail(std::string(kHoldingsPath) + ": " + ref + " is held by " + found->second.batch_id +
               " with another fingerprint than the chain gives (" + holding.batch_id + ")", ref);
  }
  for (const auto& [ref, holding] : bag->holdings)
    if (!expected.count(ref))
      fail(std::string(kHoldingsPath) + ": " + ref + " is held, but neither " + earlier->batch_id +
               " nor this deposit holds it", ref);
  return findings;
}

}  // namespace lantai::verify
