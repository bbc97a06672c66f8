// Drawing a sample: reproducible from its seed, at least the asked share and one record,
// each draw on record, a rate below the profile's refused.
#include <gtest/gtest.h>

#include <set>

#include "pipeline/acceptance/acceptance.h"
#include "tests/acceptance/acceptance_fixture.h"

namespace lantai::acceptance {
namespace {

using testing::make_lot;

//! The same seed over the same records draws the same records, in two WORKs; another seed draws others.
TEST(Sampling, SameSeedSameSample) {
  auto first = make_lot("seed-a", 400);
  auto second = make_lot("seed-b", 400);
  Acceptance a(*first.ledger, first.work_dir), b(*second.ledger, second.work_dir);
  const DrawResult drawn_a = a.draw({7, std::nullopt, "张三"});
  const DrawResult drawn_b = b.draw({7, std::nullopt, "李四"});
  EXPECT_EQ(drawn_a.sample.refs, drawn_b.sample.refs);
  EXPECT_EQ(drawn_a.sample.refs.size(), 20u);  // 5% of 400
  EXPECT_EQ(drawn_a.sample.refs, draw(first.refs, 7, 500)) << "the ledger keeps what the draw gave";
  EXPECT_NE(draw(first.refs, 8, 500), drawn_a.sample.refs);
}

//! Drawing again with the same seed records nothing new; another seed is a second sample beside the first.
TEST(Sampling, EveryDrawIsOnRecordAndNothingReplaced) {
  auto lot = make_lot("redraw", 60);
  Acceptance acceptance(*lot.ledger, lot.work_dir);
  const DrawResult first = acceptance.draw({11, std::nullopt, "张三"});
  EXPECT_TRUE(first.drawn_now);
  const DrawResult again = acceptance.draw({11, std::nullopt, "张三"});
  EXPECT_FALSE(again.drawn_now);
  EXPECT_EQ(again.sample.number, first.sample.number);
  const DrawResult other = acceptance.draw({12, 1000, "李四"});
  EXPECT_TRUE(other.drawn_now);
  EXPECT_EQ(other.sample.number, 2);
  EXPECT_EQ(other.sample.refs.size(), 6u);
  const auto samples = acceptance.samples();
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_EQ(samples[0].refs, first.sample.refs);
  EXPECT_EQ(samples[0].seed, 11u);
  EXPECT_EQ(samples[0].drawn_by, "张三");
  EXPECT_EQ(samples[0].population, 60);
  EXPECT_EQ(samples[1].rate_bp, 1000);
  EXPECT_EQ(acceptance.sample(0).number, 2) << "0 names the latest";
}

//! Every population and rate gives at least the asked share (rounded up), at least one record, no record twice.
TEST(Sampling, CoversTheAskedShareAndAtLeastOneRecord) {
  for (int population : {1, 2, 19, 20, 21, 99, 100, 101, 1000, 4321}) {
    std::vector<std::string> refs;
    for (int i = 1; i <= population; ++i) refs.push_back(testing::ref_of(i));
    for (int rate_bp : {500, 501, 1000, 1250, 10000}) {
      const auto sample = draw(refs, 20261130, rate_bp);
      SCOPED_TRACE(std::to_string(population) + " records at " + format_rate(rate_bp));
      EXPECT_GE(sample.size(), 1u);
      EXPECT_GE(static_cast<long long>(sample.size()) * 10000, static_cast<long long>(rate_bp) * population);
      EXPECT_LT(static_cast<long long>(sample.size() - 1) * 10000, static_cast<long long>(rate_bp) * population)
          << "no more than the share asked, rounded up";
      std::set<std::string> distinct(sample.begin(), sample.end());
      EXPECT_EQ(distinct.size(), sample.size());
      for (const auto& ref : sample) EXPECT_TRUE(std::find(refs.begin(), refs.end(), ref) != refs.end());
    }
  }
}

//! Rates are read exactly; nonsense, 0, over 100% and more than two decimals are refused.
TEST(Sampling, ParsesRates) {
  EXPECT_EQ(parse_rate("5%"), 500);
  EXPECT_EQ(parse_rate("5"), 500);
  EXPECT_EQ(parse_rate("12.5%"), 1250);
  EXPECT_EQ(parse_rate("0.05%"), 5);
  EXPECT_EQ(parse_rate("100%"), 10000);
  EXPECT_EQ(format_rate(1250), "12.5%");
  EXPECT_EQ(format_rate(505), "5.05%");
  for (const char* bad : {"", "%", "abc", "0%", "101%", "5.123%", "-5%", "5.%", "1e1"})
    EXPECT_THROW(parse_rate(bad), AcceptanceError) << bad;
}

//! A rate below the profile's (DA/T 31-2017: 5%) and a lot with nothing ready for deposit are refused.
TEST(Sampling, RefusesTooSmallARateAndAnEmptyLot) {
  auto lot = make_lot("refused", 40);
  Acceptance acceptance(*lot.ledger, lot.work_dir);
  EXPECT_THROW(acceptance.draw({1, 499, "张三"}), AcceptanceError);
  EXPECT_TRUE(acceptance.samples().empty());
  auto empty = make_lot("empty", 0);
  Acceptance none(*empty.ledger, empty.work_dir);
  EXPECT_THROW(none.draw({1, std::nullopt, "张三"}), AcceptanceError);
}

//! Without a seed a random one is drawn and kept, so the sample can still be redrawn from it.
TEST(Sampling, RandomSeedIsKept) {
  auto lot = make_lot("random-seed", 50);
  Acceptance acceptance(*lot.ledger, lot.work_dir);
  const DrawResult drawn = acceptance.draw({std::nullopt, std::nullopt, "张三"});
  EXPECT_EQ(drawn.sample.refs, draw(lot.refs, drawn.sample.seed, 500));
  EXPECT_EQ(acceptance.samples().front().seed, drawn.sample.seed);
}

}  // namespace
}  // namespace lantai::acceptance
