// lantai keys new --out DIR: an SM2 key pair for signing deposit bags.
#include <cstdio>
#include <memory>
#include <string>

#include "pipeline/bag_signature.h"
#include "pipeline/runtime/runner.h"
#include "ui-cli/commands.h"

namespace lantai::cli {

void add_keys_command(CLI::App& app) {
  CLI::App* keys = app.add_subcommand("keys", "SM2 keys (GB/T 32918) for signing deposit bags");
  keys->require_subcommand(1);
  auto out = std::make_shared<std::string>();
  CLI::App* make =
      keys->add_subcommand("new",
                           "Make an SM2 key pair: DIR/sm2-private.pem (mode 0600, for lantai run --sign-key) and "
                           "DIR/sm2-public.pem (for lantai verify --trust); existing files are never overwritten");
  make->add_option("--out", *out, "folder for the two PEM files")->required();
  make->callback([out] {
    std::string fingerprint;
    try {
      fingerprint = write_new_key_pair(*out);
    } catch (const std::exception& error) {
      throw RunError(kExitEnvironment, std::string("keys new: ") + error.what());
    }
    std::printf("%s/sm2-private.pem  private key: keep it secret, give it to lantai run --sign-key\n", out->c_str());
    std::printf("%s/sm2-public.pem   public key: give it to whoever verifies (lantai verify --trust)\n", out->c_str());
    std::printf("fingerprint (SM3 of the public key): %s\n", fingerprint.c_str());
  });
}

}  // namespace lantai::cli
