// Reading 题名, 文号, 责任者 and 日期 from first-page text shaped as Tesseract gives it:
// spaces between characters, brackets read as other brackets, a character or two wrong.
#include <gtest/gtest.h>

#include "stages/cataloguing/field_extractors.h"
#include "stages/cataloguing/text_match.h"

namespace lantai::cataloguing {
namespace {

//! A letter (信函格式) heads with the body's name alone: that is its 责任者; a 文号 OCR
//! mangled past recognition is kept out of the title, and the title keeps its punctuation.
TEST(FieldExtractors, LetterPageWithAMangledDocNumber) {
  const PageFields fields = extract_fields(
      " 临江市档案局\n\nMER (2021) 218\n\n“关于商请提供1998年至2005\n年城建档案移交目录的函\n\n"
      "临江市住房和城乡建设局:\n为做好城建档案进馆前的核对工作，我局需要查阅贵局1998年至2005年城建\n");
  ASSERT_TRUE(fields.title);
  EXPECT_EQ(fields.title->value, "关于商请提供1998年至2005年城建档案移交目录的函");
  ASSERT_TRUE(fields.author);
  EXPECT_EQ(fields.author->value, "临江市档案局");
  ASSERT_TRUE(fields.doc_number);
  EXPECT_LT(fields.doc_number->confidence, 0.5);  // 代字 in Latin letters, no 号: not to be judged

  const PageFields stray = extract_fields("”临江市档案局文件\n，临档 (2021) 8号\n关于申请《二号库房》改造经费的请示。\n市财政局:\n");
  ASSERT_TRUE(stray.doc_number);
  EXPECT_EQ(stray.doc_number->value, "临档〔2021〕8号");
  EXPECT_GE(stray.doc_number->confidence, 0.9);
  ASSERT_TRUE(stray.title);
  EXPECT_EQ(stray.title->value, "关于申请《二号库房》改造经费的请示");
}

//! A 红头 OCR garbled ("Mi PP") or half read ("i江市档案局文件") does not become the title:
//! the title after the 文号 wins; a 文号 whose closing bracket was lost keeps its number.
TEST(FieldExtractors, GarbledLetterheads) {
  const PageFields garbled = extract_fields("Mi PP\n\n临档发 (2021] 9号\n\n关于启用数字档案管理系\n统(V3.2， 2021版)的通知\n\n局属各单位，各处室:\n");
  ASSERT_TRUE(garbled.title);
  EXPECT_EQ(garbled.title->value, "关于启用数字档案管理系统(V3.2，2021版)的通知");

  const PageFields half = extract_fields("i  江市档案局文件\n\n临档〔2021 8号\n\n 关于申请二号库房改造经费的请示\n\n市财政局:\n");
  ASSERT_TRUE(half.title);
  EXPECT_EQ(half.title->value, "关于申请二号库房改造经费的请示");
  ASSERT_TRUE(half.doc_number);
  EXPECT_EQ(half.doc_number->value, "临档〔2021〕8号");
  ASSERT_TRUE(half.author);
  EXPECT_NE(half.author->value.find("江市档案局"), std::string::npos) << half.author->value;
  EXPECT_LT(half.author->confidence, 0.6);  // read, but not sure enough to be judged
}

//! Arabic and Chinese-numeral dates become YYYYMMDD; a date alone on its line is sure.
TEST(FieldExtractors, DatesInBothNumerals) {
  auto arabic = parse_date("2021年6月1日");
  ASSERT_TRUE(arabic);
  EXPECT_EQ(arabic->value, "20210601");
  EXPECT_GE(arabic->confidence, 0.8);
  auto chinese = parse_date("二〇二一年六月一日");
  ASSERT_TRUE(chinese);
  EXPECT_EQ(chinese->value, "20210601");
  auto teens = parse_date("二○二一年十二月二十一日");  // ○ as OCR reads 〇
  ASSERT_TRUE(teens);
  EXPECT_EQ(teens->value, "20211221");
  auto spaced = parse_date(" 2021 年 3 月 8 日 ");
  ASSERT_TRUE(spaced);
  EXPECT_EQ(spaced->value, "20210308");
  // A date inside a sentence is one the text speaks of, not the document's date.
  auto in_body = parse_date("2021年4月15日上午，局长主持召开2021年第三次局务会议");
  ASSERT_TRUE(in_body);
  EXPECT_LT(in_body->confidence, 0.6);
  EXPECT_FALSE(parse_date("2021年13月1日"));
  EXPECT_FALSE(parse_date("关于开展2021年度档案数字化成果质量检查的通知"));
}

//! 文号 brackets as OCR reads them all come out as 〔〕; a year alone is no 文号.
TEST(FieldExtractors, DocNumberBracketVariants) {
  for (const char* line : {"浙档发〔2021〕12号", "浙档发[2021]12号", "浙档发 (2021) 12 号", "浙档发【2021】12号",
                           "浙档发（2021）12号"}) {
    auto number = parse_doc_number(line);
    ASSERT_TRUE(number) << line;
    EXPECT_EQ(number->value, "浙档发〔2021〕12号") << line;
    EXPECT_GE(number->confidence, 0.9) << line;
  }
  auto lost_bracket = parse_doc_number("临档发2021]9号");
  ASSERT_TRUE(lost_bracket);
  EXPECT_EQ(lost_bracket->value, "临档发〔2021〕9号");
  EXPECT_LT(lost_bracket->confidence, 1.0);
  EXPECT_FALSE(parse_doc_number("关于开展2021年度档案数字化成果质量检查的通知"));
  EXPECT_FALSE(parse_doc_number("2021"));
}

//! A 文号 whose 号 is missing after its digits is read both ways: the last digit may be the 号, misread.
TEST(FieldExtractors, DocNumberWithoutHaoHasTwoReadings) {
  auto misread = parse_doc_number("浙档发 (2021) 125");
  ASSERT_TRUE(misread);
  EXPECT_EQ(misread->value, "浙档发〔2021〕125号");
  EXPECT_EQ(misread->alternative, "浙档发〔2021〕12号");
  auto whole = parse_doc_number("浙档发〔2021〕125号");
  ASSERT_TRUE(whole);
  EXPECT_TRUE(whole->alternative.empty());
  auto one_digit = parse_doc_number("临档发[2021]9");
  ASSERT_TRUE(one_digit);
  EXPECT_TRUE(one_digit->alternative.empty());
}

//! The same 文号 read with other brackets is alike; another number or year is not.
TEST(FieldExtractors, DocNumberSimilarity) {
  EXPECT_DOUBLE_EQ(doc_number_similarity("临档发〔2021〕9号", "临档发[2021]9号"), 1.0);
  EXPECT_GT(doc_number_similarity("临档发〔2021〕9号", "临挡发〔2021〕9号"), 0.6);  // 代字 misread
  EXPECT_LE(doc_number_similarity("临档发〔2021〕9号", "临档发〔2021〕19号"), kOtherDocNumber);
  EXPECT_LE(doc_number_similarity("临档发〔2021〕9号", "临档发〔2020〕9号"), kOtherDocNumber);
}

constexpr const char* kLetterheadPage =
    "临 江 市 档 案 局 文 件\n"
    "\n"
    "临 档 发 [2021] 9 号\n"
    "\n"
    "关于启用数字档案管理系统(V3.2, 2021\n"
    "版)的通知\n"
    "\n"
    "局属各单位，各处室：\n"
    "经过三个月的试运行，数字档案管理系统新版本已完成测试和数据迁移，决定自2021年6月1日起正式启用。\n"
    "三、系统使用中遇到问题，请及时与信息技术处联系。\n"
    "特此通知。\n"
    "临 江 市 档 案 局\n"
    "2021年5月20日\n"
    "— 1 —\n";

//! A 红头 page: title over two lines joined, 文号 normalised, author from 红头 and 落款, date.
TEST(FieldExtractors, LetterheadPage) {
  const PageFields fields = extract_fields(kLetterheadPage);
  ASSERT_TRUE(fields.title);
  EXPECT_GT(similarity(normalise(fields.title->value), normalise("关于启用数字档案管理系统(V3.2, 2021版)的通知")), 0.99);
  EXPECT_GE(fields.title->confidence, 0.9);
  ASSERT_TRUE(fields.doc_number);
  EXPECT_EQ(fields.doc_number->value, "临档发〔2021〕9号");
  ASSERT_TRUE(fields.author);
  EXPECT_EQ(fields.author->value, "临江市档案局");
  EXPECT_GE(fields.author->confidence, 0.9);  // 红头 and 落款 agree
  ASSERT_TRUE(fields.date);
  EXPECT_EQ(fields.date->value, "20210520");  // not the 2021年6月1日 of the body
}

//! OCR errors in the 红头 and title still give candidates close to the truth.
TEST(FieldExtractors, ToleratesMisreadCharacters) {
  const PageFields fields = extract_fields(
      "临 江 市 档 桉 局 文 件\n临档发（2021）11号\n关于切实做好汛期挡案安全工作的通知\n"
      "各县（市、区）档案局：\n为切实做好今年汛期档案安全工作，确保档案实体和数据安全，现就有关事项通知如下：\n"
      "临江市档案局\n2021年6月1日\n");
  ASSERT_TRUE(fields.author);
  EXPECT_EQ(fields.author->value, "临江市档桉局");
  EXPECT_GT(partial_similarity(normalise("临江市档案局"), normalise(fields.author->value)), 0.8);
  ASSERT_TRUE(fields.title);
  EXPECT_GT(similarity(normalise("关于切实做好汛期档案安全工作的通知"), normalise(fields.title->value)), 0.9);
  ASSERT_TRUE(fields.doc_number);
  EXPECT_EQ(fields.doc_number->value, "临档发〔2021〕11号");
}

//! Without a 红头 the title leads and the 文号 follows; the author comes from the 落款 alone.
TEST(FieldExtractors, PageWithoutLetterhead) {
  const PageFields fields = extract_fields(
      "临江市档案局2021年第三次局务会议纪要\n临档纪〔2021〕3号\n"
      "2021年4月15日上午，局长主持召开2021年第三次局务会议，局领导班子成员和各处室负责人参加会议。\n"
      "临江市档案局办公室\n2021年4月16日\n— 1 —\n");
  ASSERT_TRUE(fields.title);
  EXPECT_EQ(fields.title->value, "临江市档案局2021年第三次局务会议纪要");
  ASSERT_TRUE(fields.doc_number);
  EXPECT_EQ(fields.doc_number->value, "临档纪〔2021〕3号");
  ASSERT_TRUE(fields.author);
  EXPECT_EQ(fields.author->value, "临江市档案局办公室");
  EXPECT_LT(fields.author->confidence, 0.9);  // one source only
  ASSERT_TRUE(fields.date);
  EXPECT_EQ(fields.date->value, "20210416");
}

//! A page of body text only shows no title, 文号 or author.
TEST(FieldExtractors, BodyPageShowsNothing) {
  const PageFields fields = extract_fields(
      "第五条 图像应端正，偏斜角度一般不超过三度；超过的应进行纠偏处理，纠偏后不得损失页面内容。\n"
      "第六条 去污处理只去除扫描产生的黑边、污点和杂线，不得去除纸张原有的污渍、折痕和装订孔。\n");
  EXPECT_FALSE(fields.doc_number);
  EXPECT_FALSE(fields.author);
  EXPECT_FALSE(fields.title);
  EXPECT_FALSE(fields.date);
}

//! Catalogue dates in the usual spellings become YYYYMMDD.
TEST(FieldExtractors, CatalogueDates) {
  EXPECT_EQ(catalogue_date("20210601"), "20210601");
  EXPECT_EQ(catalogue_date("2021-06-01"), "20210601");
  EXPECT_EQ(catalogue_date("2021.6.1"), "20210601");
  EXPECT_EQ(catalogue_date("2021年6月1日"), "20210601");
  EXPECT_EQ(catalogue_date("六月"), "");
}

//! Similarity ignores spaces and punctuation width, and finds a name inside a longer one.
TEST(TextMatch, NormalisedSimilarity) {
  EXPECT_DOUBLE_EQ(similarity(normalise("关于启用系统(V3.2)的通知"), normalise("关 于 启 用 系 统（V3.2）的 通 知")), 1.0);
  EXPECT_NEAR(similarity(normalise("档案局"), normalise("档桉局")), 2.0 / 3.0, 1e-9);
  EXPECT_DOUBLE_EQ(partial_similarity(normalise("临江市档案局"), normalise("临江市档案局办公室")), 1.0);
  EXPECT_LT(partial_similarity(normalise("临江市财政局"), normalise("临江市档案局")), 0.7);
}

}  // namespace
}  // namespace lantai::cataloguing
