// Review passwords: stored as a slow salted hash (scrypt through OpenSSL's EVP_KDF), never
// as given. The stored text names its parameters, so they can be raised later without
// invalidating existing accounts: "scrypt$<N>$<r>$<p>$<salt base64>$<hash base64>".
#pragma once

#include <string>
#include <string_view>

namespace lantai::review {

// N = 2^15, r = 8, p = 1: 32 MiB and some tens of milliseconds per attempt (RFC 7914's
// interactive-login figures), so a stolen ledger does not give up its passwords cheaply.
struct ScryptCost {
  unsigned long long n = 1ULL << 15;
  unsigned r = 8;
  unsigned p = 1;
};

std::string hash_password(std::string_view password, const ScryptCost& cost = {});  // throws std::runtime_error
// False for a wrong password or a stored text that is not a hash this code made; compares
// in constant time.
bool verify_password(std::string_view password, std::string_view stored);

// The rules a new password must meet: at least 10 characters (bytes of UTF-8).
inline constexpr std::size_t kMinPasswordBytes = 10;
inline constexpr std::size_t kMaxPasswordBytes = 1024;

}  // namespace lantai::review
