// The bag's SM2 signature end to end through the real deposit and verify stages, and the
// deposit's virus scan of the finished bag before it is sealed.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "pipeline/bag_signature.h"
#include "stages/deposit/deposit_stage.h"
#include "stages/verify/four_properties.h"
#include "stages/verify/verify_stage.h"
#include "tests/stages/deposit/synthetic_work.h"
#include "tests/support/test_virus_db.h"

namespace lantai::verify {
namespace {

namespace fs = std::filesystem;
using namespace lantai::test_support;

std::string describe(const std::vector<Finding>& findings) {
  std::string text;
  for (const Finding& finding : findings) text += "  " + finding.code + "  " + finding.message + "\n";
  return text.empty() ? "  (none)\n" : text;
}

// A deposit bag signed with a fresh key pair, and a second key pair that did not sign it.
class SignatureTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("signature");
    fingerprint_ = new std::string(write_new_key_pair(dir_->path() / "keys"));
    write_new_key_pair(dir_->path() / "other");
    Profile profile = load_profile(dir_->path(), "deposit:\n  sm3_manifest: true\n");
    ProfileSection section = profile.section("deposit");
    deposit::DepositStage stage;
    StageContext context;
    context.sign_key = dir_->path() / "keys" / "sm2-private.pem";
    stage.setup(section, context);
    const BatchWork batch = make_synthetic_work(dir_->path() / "work");
    bag_ = new fs::path(bag_dir_of(batch, stage.process(batch)));
  }
  static void TearDownTestSuite() {
    delete bag_;
    delete fingerprint_;
    delete dir_;
  }

  fs::path fresh_copy() {
    const fs::path copy = copies_.path() / "bag";
    fs::remove_all(copy);
    fs::copy(*bag_, copy, fs::copy_options::recursive);
    return copy;
  }

  static std::vector<Finding> verify_with(const fs::path& bag, const fs::path& public_key) {
    const Sm2Key key = Sm2Key::load_public(public_key);
    VerifyOptions options;
    options.policy = Policy::centre;
    options.require_sm3 = true;
    options.trusted_key = &key;
    return verify_bag(bag, options);
  }
  static fs::path public_key() { return dir_->path() / "keys" / "sm2-public.pem"; }

  static TempDir* dir_;
  static std::string* fingerprint_;
  static fs::path* bag_;
  TempDir copies_{"signature-copy"};
};

TempDir* SignatureTest::dir_ = nullptr;
std::string* SignatureTest::fingerprint_ = nullptr;
fs::path* SignatureTest::bag_ = nullptr;

//! keys new writes a PEM pair, the private key readable by its owner alone, and never overwrites a key.
TEST_F(SignatureTest, KeysNewWritesAPrivatePair) {
  struct stat status {};
  ASSERT_EQ(::stat((dir_->path() / "keys" / "sm2-private.pem").c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0600u);
  EXPECT_TRUE(read_file(dir_->path() / "keys" / "sm2-private.pem").starts_with("-----BEGIN PRIVATE KEY-----"));
  EXPECT_TRUE(read_file(public_key()).starts_with("-----BEGIN PUBLIC KEY-----"));
  EXPECT_EQ(Sm2Key::load_public(public_key()).fingerprint(), *fingerprint_);
  EXPECT_EQ(Sm2Key::load_private(dir_->path() / "keys" / "sm2-private.pem").fingerprint(), *fingerprint_);
  EXPECT_THROW(write_new_key_pair(dir_->path() / "keys"), std::runtime_error);
  EXPECT_THROW(Sm2Key::load_private(public_key()), std::runtime_error);
}

//! The signed bag verifies with its public key; the form and the signature name the same key; no tag manifest lists the
//! signature.
TEST_F(SignatureTest, SignedBagVerifiesWithItsPublicKey) {
  const auto findings = verify_with(*bag_, public_key());
  EXPECT_TRUE(findings.empty()) << describe(findings);
  const auto form = nlohmann::json::parse(read_file(*bag_ / "forms" / "backup-form.json"));
  EXPECT_EQ(form["signature"]["public_key_sm3"], *fingerprint_);
  EXPECT_EQ(form["signature"]["algorithm"], "SM2-with-SM3");
  EXPECT_EQ(signature_key_fingerprint(*bag_), *fingerprint_);
  for (const char* manifest : {"tagmanifest-md5.txt", "tagmanifest-sha256.txt", "tagmanifest-sm3.txt"})
    EXPECT_EQ(read_file(*bag_ / manifest).find(kBagSignaturePath), std::string::npos) << manifest;
  // Without --trust the signature is noticed, not silently passed.
  VerifyOptions untrusted;
  untrusted.policy = Policy::centre;
  const auto unchecked = verify_bag(*bag_, untrusted);
  ASSERT_EQ(unchecked.size(), 1u) << describe(unchecked);
  EXPECT_EQ(unchecked[0].code, "verify.signature_unchecked");
  // The report's header names the key; 1-1 is done only when the signature was checked with it.
  const Sm2Key key = Sm2Key::load_public(public_key());
  AssessmentContext context;
  context.trusted_key = &key;
  FourPropertiesReport report = assess_four_properties(*bag_, findings, context);
  EXPECT_EQ(report.signing_key, *fingerprint_ + " (the key the signature was checked with)");
  EXPECT_EQ(report.items.front().verdict, ItemVerdict::pass);
  context.trusted_key = nullptr;
  report = assess_four_properties(*bag_, unchecked, context);
  EXPECT_EQ(report.signing_key, *fingerprint_ + " (recorded by the form, not checked: no key given)");
  EXPECT_EQ(report.items.front().verdict, ItemVerdict::not_done);
  EXPECT_NE(report.items.front().evidence.back().find("verify.signature_unchecked"), std::string::npos);
}

//! A key that did not sign the bag is refused, naming both fingerprints.
TEST_F(SignatureTest, WrongKeyFails) {
  const auto findings = verify_with(*bag_, dir_->path() / "other" / "sm2-public.pem");
  ASSERT_FALSE(findings.empty());
  EXPECT_EQ(findings[0].code, "verify.signature");
  EXPECT_NE(findings[0].message.find(*fingerprint_), std::string::npos) << findings[0].message;
}

//! A one-byte change to any tag file (each one in turn, the signature file included) fails verification with the key.
TEST_F(SignatureTest, OneByteChangeToAnyTagFileFails) {
  std::vector<std::string> tag_files;
  for (const auto& entry : fs::recursive_directory_iterator(*bag_)) {
    const std::string rel = relative_utf8(entry.path(), *bag_);
    if (entry.is_regular_file() && !rel.starts_with("data/")) tag_files.push_back(rel);
  }
  ASSERT_GE(tag_files.size(), 12u);  // bagit, bag-info, 3+3 manifests, form, 2 metadata, signature
  for (const std::string& rel : tag_files) {
    const fs::path bag = fresh_copy();
    std::string bytes = read_file(bag / utf8_path(rel));
    ASSERT_FALSE(bytes.empty()) << rel;
    const std::size_t at = bytes.size() / 2;
    bytes[at] = static_cast<char>(bytes[at] == 'a' ? 'b' : 'a');
    write_bytes(bag / utf8_path(rel), bytes);
    const auto findings = verify_with(bag, public_key());
    EXPECT_TRUE(any_reject(findings)) << rel << " changed, yet:\n" << describe(findings);
  }
  // A tag file added after signing is not covered, so it fails too.
  const fs::path bag = fresh_copy();
  write_bytes(bag / "forms" / "extra.txt", "added later\n");
  const auto findings = verify_with(bag, public_key());
  ASSERT_TRUE(any_reject(findings)) << describe(findings);
  EXPECT_NE(describe(findings).find("forms/extra.txt: a tag file no tag manifest lists"), std::string::npos)
      << describe(findings);
  // And a tag manifest rewritten to match a changed tag file breaks the signature.
  const fs::path rewritten = fresh_copy();
  std::string manifest = read_file(rewritten / "tagmanifest-md5.txt");
  manifest += "d41d8cd98f00b204e9800998ecf8427e  forms/extra.txt\n";
  write_bytes(rewritten / "forms" / "extra.txt", "");
  write_bytes(rewritten / "tagmanifest-md5.txt", manifest);
  EXPECT_NE(
      describe(verify_with(rewritten, public_key())).find("tagmanifest-md5.txt: changed since the bag was signed"),
      std::string::npos);
}

//! A bag whose signature file was removed fails with the key, and the form, which names the key, no longer agrees.
TEST_F(SignatureTest, RemovedSignatureFails) {
  const fs::path bag = fresh_copy();
  fs::remove(bag / kBagSignaturePath);
  const std::string found = describe(verify_with(bag, public_key()));
  EXPECT_NE(found.find("verify.signature  bag-signature-sm2.txt: missing"), std::string::npos) << found;
  EXPECT_NE(found.find("verify.form_mismatch"), std::string::npos) << found;
}

//! The deposit scans the finished bag before sealing it: an infected WORK file leaves no bag, and the finding names the
//! file and signature.
TEST(DepositVirusScan, InfectedFileLeavesNoBag) {
  TempDir dir("deposit-scan");
  write_test_virus_db(dir.path() / "db");
  const auto scanner = VirusScanner::load(dir.path() / "db", VirusScanLimits{});
  Profile profile = load_profile(dir.path(), "deposit: {}\n");
  ProfileSection section = profile.section("deposit");
  deposit::DepositStage stage;
  StageContext context;
  context.virus_scanner = scanner.get();
  stage.setup(section, context);
  BatchWork batch = make_synthetic_work(dir.path() / "work");
  // An OCR text (an extra the deposit carries) that reads the test string off a page.
  StageOutput& text = batch.records[1].items[0].outputs[1];
  ASSERT_EQ(text.kind, "ocr_text");
  text = write_work_file(batch.work_dir, text.path, "题名\n" + eicar_test_file() + "\n", "ocr_text", OutputRole::extra);
  const Outcome outcome = stage.process(batch);
  ASSERT_EQ(outcome.findings.size(), 1u) << describe(outcome.findings);
  EXPECT_EQ(outcome.findings[0].code, "deposit.virus_found");
  EXPECT_TRUE(outcome.findings[0].message.starts_with("data/entity/J012-WS·2021-Y-BGS-0002/0001.txt: infected with " +
                                                      std::string(kTestSignatureName)))
      << outcome.findings[0].message;
  EXPECT_TRUE(bag_dir_of(batch, outcome).empty());
  EXPECT_FALSE(fs::exists(batch.work_dir / "deposit" / utf8_path(batch.batch_id)));
  EXPECT_FALSE(fs::exists(batch.work_dir / "deposit" / utf8_path(batch.batch_id + ".partial")));
  // verify scans every file too.
  stage.setup(section, StageContext{});
  const fs::path bag = bag_dir_of(batch, stage.process(batch));
  VerifyOptions options;
  options.virus_scanner = scanner.get();
  const auto findings = verify_bag(bag, options);
  ASSERT_EQ(findings.size(), 1u) << describe(findings);
  EXPECT_EQ(findings[0].code, "verify.virus_found");
}

}  // namespace
}  // namespace lantai::verify
