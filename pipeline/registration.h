// Rules of the registration forms (登记备份), shared by deposit, which writes the forms, and
// verify, which checks them as the registration centre does.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/digest.h"

namespace lantai {

// The deposit's setting that asks for SM3 manifests (deposit.sm3_manifest): the runtime
// passes it on to the self-check, which then requires them.
inline constexpr const char* kSm3ManifestSetting = "sm3_manifest";

// Data volume as transfer registers record it: GB (10^9 bytes) to 3 decimals, half up,
// in integer arithmetic so the same bytes always give the same text.
std::string data_volume_gb(std::uint64_t bytes);

// The algorithm as a form names it ("MD5", "SHA-256", "SM3"), and back.
std::string_view form_algorithm_name(DigestAlgorithm algorithm);
std::optional<DigestAlgorithm> algorithm_from_form_name(std::string_view name);

}  // namespace lantai
