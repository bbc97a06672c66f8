// Carriers made from bags written by code: the plan, both writers, the check, the
// 文件目录.XML, and what a hostile bag or carrier cannot do.
#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstring>
#include <fstream>
#include <set>

#include "pipeline/files.h"
#include "stages/carriers/carrier_check.h"
#include "stages/carriers/carrier_writer.h"
#include "tests/stages/carriers/synthetic_bag.h"

namespace lantai::carriers {
namespace {

namespace fs = std::filesystem;

fs::path scratch_root() { return fs::temp_directory_path() / ("lantai-carriers-test-" + std::to_string(::getpid())); }

// The bags and carriers of a test run are removed when it ends.
class ScratchCleanup : public ::testing::Environment {
 public:
  void TearDown() override { fs::remove_all(scratch_root()); }
};
const auto* const cleanup = ::testing::AddGlobalTestEnvironment(new ScratchCleanup);

fs::path scratch(const std::string& name) {
  const fs::path dir = scratch_root() / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::set<std::string> codes_of(const std::vector<Finding>& findings) {
  std::set<std::string> codes;
  for (const Finding& finding : findings) codes.insert(finding.code);
  return codes;
}

std::string messages(const std::vector<Finding>& findings) {
  std::string text;
  for (const Finding& finding : findings) text += finding.code + ": " + finding.message + "\n";
  return text;
}

// Writes every carrier of the plan; returns where they are.
std::vector<fs::path> write_all(const CarrierPlan& plan, const BagContents& bag, const fs::path& out, bool iso,
                                const CarrierSettings& settings = {}) {
  std::vector<fs::path> written;
  for (const PlannedCarrier& carrier : plan.carriers) {
    const CarrierLayout layout = lay_out_carrier(plan, carrier, bag, settings);
    written.push_back((iso ? write_carrier_iso(layout, out) : write_carrier_folder(layout, out)).path);
  }
  return written;
}

//! Sizes name the usual media; a bad or tiny size is refused with the accepted forms.
TEST(Carriers, MediaAndSizes) {
  EXPECT_EQ(parse_medium("cd").capacity_bytes, 737'280'000u);
  EXPECT_EQ(parse_medium("dvd").capacity_bytes, 4'700'000'000u);
  EXPECT_TRUE(parse_medium("hdd").unlimited());
  EXPECT_EQ(parse_medium("200M").capacity_bytes, 200'000'000u);
  EXPECT_EQ(parse_medium("4.7G").capacity_bytes, 4'700'000'000u);
  for (const char* bad : {"", "floppy", "12Q", "-5M", "1.2.3G", "100"}) {
    try {
      parse_medium(bad);
      ADD_FAILURE() << bad;
    } catch (const std::invalid_argument& error) {
      EXPECT_NE(std::string(error.what()).find("200M"), std::string::npos);
    }
  }
}

//! The carriers section is read strictly: the shipped profiles give UTF-8; an unknown encoding or key is refused naming it.
TEST(Carriers, ProfileSettings) {
  const CarrierSettings shipped =
      load_carrier_settings(std::string(LANTAI_SOURCE_DIR) + "/profiles/da-t31-2017-paper.yaml");
  EXPECT_EQ(shipped.encoding, "UTF-8");
  EXPECT_EQ(shipped.year_column, "日期");
  EXPECT_EQ(shipped.class_column, "保管期限");
  const fs::path dir = scratch("profile");
  for (const auto& [text, named] : std::vector<std::pair<std::string, std::string>>{
           {"profile: p\ncarriers:\n  encoding: GB2312\n", "encoding"},
           {"profile: p\ncarriers:\n  reserve_percent: 80\n", "reserve_percent"},
           {"profile: p\ncarriers:\n  xml_encodng: UTF-8\n", "xml_encodng"}}) {
    write_file_atomically(dir / "p.yaml", text);
    try {
      load_carrier_settings((dir / "p.yaml").string());
      ADD_FAILURE() << text;
    } catch (const ProfileError& error) {
      EXPECT_NE(std::string(error.what()).find(named), std::string::npos) << error.what();
    }
  }
  write_file_atomically(dir / "p.yaml", "profile: p\ncarriers:\n  encoding: GB18030\n");
  EXPECT_EQ(load_carrier_settings((dir / "p.yaml").string()).encoding, "GB18030");
}

//! A lot on small carriers: 3 or more, records whole and in catalogue order, each carrier within its capacity.
TEST(Carriers, PlanKeepsRecordsWholeAndInOrder) {
  const fs::path bag_dir = make_synthetic_bag(scratch("plan") / "bag", testing::synthetic_records(12, 3, 100'000));
  const BagContents bag = read_bag(bag_dir);
  const CarrierPlan plan = plan_carriers(bag, parse_medium("2M"), {});
  ASSERT_GE(plan.count(), 3);
  std::vector<std::string> order;
  for (const PlannedCarrier& carrier : plan.carriers) {
    EXPECT_LE(carrier.estimated_bytes, plan.usable_bytes);
    EXPECT_FALSE(carrier.refs.empty());
    EXPECT_EQ(carrier.label, "J012-TEST-BATCH-0" + std::to_string(carrier.number));
    EXPECT_EQ(carrier.volume_id.substr(carrier.volume_id.size() - 7),
              "_0" + std::to_string(carrier.number) + "OF0" + std::to_string(plan.count()));
    EXPECT_LE(carrier.volume_id.size(), 32u);
    order.insert(order.end(), carrier.refs.begin(), carrier.refs.end());
  }
  std::vector<std::string> catalogue;
  for (const BagRecord& record : bag.records) catalogue.push_back(record.ref);
  EXPECT_EQ(order, catalogue);

  const fs::path plan_file = scratch("plan-file") / "plan.json";
  write_file_atomically(plan_file, plan_json(plan));
  const CarrierPlan read = read_plan(plan_file);
  ASSERT_EQ(read.count(), plan.count());
  EXPECT_EQ(read.carriers[1].refs, plan.carriers[1].refs);
  EXPECT_EQ(read.bag, fs::absolute(bag_dir));
  EXPECT_NO_THROW(check_plan_fits_bag(read, bag));

  // A plan for the bag as it was: a record added since is on no carrier.
  auto more = testing::synthetic_records(13, 3, 100'000);
  const BagContents grown = read_bag(make_synthetic_bag(scratch("plan-grown") / "bag", more));
  try {
    check_plan_fits_bag(read, grown);
    ADD_FAILURE() << "fits";
  } catch (const CarrierError& error) {
    EXPECT_NE(std::string(error.what()).find(more.back().ref + " is on no carrier"), std::string::npos) << error.what();
  }
}

//! A record larger than one carrier is refused with one line naming its 档号; a broken plan file is named.
TEST(Carriers, RecordLargerThanACarrierIsRefused) {
  auto records = testing::synthetic_records(3, 1, 50'000);
  records[1].file_sizes = {1'500'000, 1'500'000};
  const BagContents bag = read_bag(make_synthetic_bag(scratch("large") / "bag", records));
  try {
    plan_carriers(bag, parse_medium("2M"), {});
    FAIL() << "planned";
  } catch (const CarrierError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(records[1].ref), std::string::npos) << message;
    EXPECT_NE(message.find("never split"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
  EXPECT_EQ(plan_carriers(bag, parse_medium("hdd"), {}).count(), 1);
  const fs::path broken = scratch("broken-plan") / "plan.json";
  write_file_atomically(broken, "{\"format\": \"something else\"}");
  EXPECT_THROW(read_plan(broken), CarrierError);
}

//! Folders: every carrier checks clean, and together they hold every payload file and catalogue row exactly once.
TEST(Carriers, FolderCarriersReproduceTheBag) {
  const fs::path root = scratch("folders");
  const BagContents bag = read_bag(make_synthetic_bag(root / "bag", testing::synthetic_records(10, 2, 150'000)));
  const CarrierPlan plan = plan_carriers(bag, parse_medium("2M"), {});
  ASSERT_GE(plan.count(), 3);
  std::vector<CheckedCarrier> checked;
  for (const fs::path& carrier : write_all(plan, bag, root / "out", false)) {
    checked.push_back(check_carrier(carrier));
    EXPECT_TRUE(checked.back().findings.empty()) << messages(checked.back().findings);
    EXPECT_TRUE(fs::exists(carrier / "说明文件.TXT"));
    EXPECT_TRUE(fs::exists(carrier / "catalogue" / "目录.csv"));
  }
  EXPECT_TRUE(check_reproduces_bag(bag, checked).empty()) << messages(check_reproduces_bag(bag, checked));
  // The first record (2021, 永久) is filed by 年度 and 分类.
  EXPECT_TRUE(fs::exists(root / "out" / "J012-TEST-BATCH-01" / "entity" / "2021" / "Y" /
                         utf8_path(bag.records[0].ref) / "0001.jpg"));

  // A carrier left out, or given twice, is named.
  std::vector<CheckedCarrier> short_set(checked.begin() + 1, checked.end());
  EXPECT_TRUE(codes_of(check_reproduces_bag(bag, short_set)).count("carriers.bag_file_missing"));
  EXPECT_TRUE(codes_of(check_reproduces_bag(bag, short_set)).count("carriers.catalogue_row"));
  short_set.push_back(checked[1]);
  EXPECT_TRUE(codes_of(check_reproduces_bag(bag, short_set)).count("carriers.bag_file_twice"));
  // A carrier written before is kept (a rerun goes on with the next); another under its name is never overwritten.
  const CarrierLayout again = lay_out_carrier(plan, plan.carriers[0], bag, {});
  EXPECT_TRUE(write_carrier_folder(again, root / "out").written_before);
  fs::rename(root / "out" / "J012-TEST-BATCH-01", root / "out" / "J012-TEST-BATCH-02.tmp");
  fs::rename(root / "out" / "J012-TEST-BATCH-02", root / "out" / "J012-TEST-BATCH-01");
  EXPECT_THROW(write_carrier_folder(again, root / "out"), CarrierError);
  EXPECT_TRUE(check_carrier(root / "out" / "J012-TEST-BATCH-01").findings.empty());
}

//! A flipped byte, a missing file, an added file and an edited manifest on a carrier are each named by file.
TEST(Carriers, CheckNamesEveryDamage) {
  const fs::path root = scratch("damage");
  const BagContents bag = read_bag(make_synthetic_bag(root / "bag", testing::synthetic_records(4, 2, 20'000)));
  const CarrierPlan plan = plan_carriers(bag, parse_medium("hdd"), {});
  const fs::path carrier = write_all(plan, bag, root / "out", false).front();
  const std::string rel = "entity/2021/Y/" + bag.records[0].ref + "/0002.jpg";
  {
    std::fstream file(carrier / utf8_path(rel), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(1000);
    file.put('\x5a' ^ slurp(carrier / utf8_path(rel))[1000]);
  }
  const std::string gone = "entity/2021/D30/" + bag.records[1].ref + "/0001.jpg";
  fs::remove(carrier / utf8_path(gone));
  std::ofstream(carrier / "entity" / "added.txt") << "not on the manifest";
  CheckedCarrier checked = check_carrier(carrier);
  const std::string text = messages(checked.findings);
  EXPECT_NE(text.find("carriers.checksum_mismatch: " + rel + ": MD5"), std::string::npos) << text;
  EXPECT_NE(text.find("carriers.missing_file: " + gone + ": missing"), std::string::npos) << text;
  EXPECT_NE(text.find("carriers.extra_file: entity/added.txt"), std::string::npos) << text;
  EXPECT_EQ(checked.findings.size(), 4u) << text;  // MD5 and SHA-256 of the flipped file, the missing, the extra
  EXPECT_TRUE(codes_of(check_reproduces_bag(bag, {checked})).count("carriers.bag_file_differs"));

  std::ofstream(carrier / "manifest-sha256.txt", std::ios::app) << "\n";
  EXPECT_TRUE(codes_of(check_carrier(carrier).findings).count("carriers.manifest_mismatch"));
  EXPECT_TRUE(codes_of(check_carrier(root / "nowhere").findings).count("carriers.malformed"));
}

//! An ISO image with Joliet and Rock Ridge is written and read back whole; a flipped byte inside it is named.
TEST(Carriers, IsoCarriersReadBackAndNameAFlippedByte) {
  const fs::path root = scratch("iso");
  const BagContents bag = read_bag(make_synthetic_bag(root / "bag", testing::synthetic_records(8, 2, 150'000)));
  const CarrierPlan plan = plan_carriers(bag, parse_medium("2M"), {});
  ASSERT_GE(plan.count(), 3);
  std::vector<CheckedCarrier> checked;
  int number = 0;
  for (const fs::path& image : write_all(plan, bag, root / "out", true)) {
    EXPECT_EQ(image.extension(), ".iso");
    // Within the medium, and within what the plan counted (each file's data written once).
    EXPECT_LE(fs::file_size(image), 2'000'000u);
    EXPECT_LE(fs::file_size(image), plan.carriers[number++].estimated_bytes + kCarrierOverheadBytes);
    checked.push_back(check_carrier(image));
    EXPECT_TRUE(checked.back().findings.empty()) << messages(checked.back().findings);
    EXPECT_TRUE(checked.back().digests.count("说明文件.TXT"));  // Chinese names come back whole
  }
  EXPECT_TRUE(check_reproduces_bag(bag, checked).empty()) << messages(check_reproduces_bag(bag, checked));
  EXPECT_TRUE(write_carrier_iso(lay_out_carrier(plan, plan.carriers[0], bag, {}), root / "out").written_before);

  // The volume id carries the carrier number, at its place in the primary volume descriptor.
  const fs::path first = root / "out" / "J012-TEST-BATCH-01.iso";
  const std::string image = slurp(first);
  EXPECT_EQ(image.substr(16 * 2048 + 40, plan.carriers[0].volume_id.size()), plan.carriers[0].volume_id);
  // The image is whole: as many sectors as its volume descriptor says.
  std::uint32_t sectors = 0;
  std::memcpy(&sectors, image.data() + 16 * 2048 + 80, 4);  // both-endian field, little-endian half first
  EXPECT_EQ(image.size(), std::size_t{sectors} * 2048);
  // Joliet: a supplementary volume descriptor with a UCS-2 escape sequence; Rock Ridge: its ER entry.
  EXPECT_EQ(image[17 * 2048], '\x02');
  EXPECT_EQ(image.substr(17 * 2048 + 88, 2), "%/");
  EXPECT_NE(image.find("IEEE_1282"), std::string::npos);

  const std::string marker = testing::file_marker(plan.carriers[0].refs[0], 1);
  const std::size_t at = image.find(marker);
  ASSERT_NE(at, std::string::npos);
  std::string damaged = image;
  damaged[at + marker.size() + 10] ^= 0x01;
  const fs::path copy = root / "damaged.iso";
  std::ofstream(copy, std::ios::binary) << damaged;
  const std::string text = messages(check_carrier(copy).findings);
  EXPECT_NE(text.find("carriers.checksum_mismatch: entity/2021/Y/" + plan.carriers[0].refs[0] + "/0001.jpg"),
            std::string::npos)
      << text;

  std::ofstream(root / "not-an-image.iso") << "hello";
  EXPECT_TRUE(codes_of(check_carrier(root / "not-an-image.iso").findings).count("carriers.malformed"));
}

std::string xml_text(xmlNodePtr node) {
  xmlChar* content = xmlNodeGetContent(node);
  std::string text = content ? reinterpret_cast<const char*>(content) : "";
  xmlFree(content);
  return text;
}

// The first element named name below node, depth first.
xmlNodePtr find(xmlNodePtr node, const std::string& name) {
  for (xmlNodePtr child = node->children; child; child = child->next) {
    if (child->type == XML_ELEMENT_NODE && name == reinterpret_cast<const char*>(child->name)) return child;
    if (xmlNodePtr found = find(child, name)) return found;
  }
  return nullptr;
}

//! 文件目录.XML parses with libxml2, declares its encoding, escapes the catalogue's text, and in GB18030 gives back the same Chinese.
TEST(Carriers, FileListXmlInEitherEncoding) {
  const fs::path root = scratch("xml");
  const BagContents bag = read_bag(make_synthetic_bag(root / "bag", testing::synthetic_records(2, 2, 5'000)));
  const CarrierPlan plan = plan_carriers(bag, parse_medium("hdd"), {});
  for (const std::string encoding : {"UTF-8", "GB18030"}) {
    SCOPED_TRACE(encoding);
    CarrierSettings settings;
    settings.encoding = encoding;
    const fs::path carrier = write_all(plan, bag, root / encoding, false, settings).front();
    const std::string bytes = slurp(carrier / "文件目录.XML");
    EXPECT_EQ(bytes.rfind("<?xml version=\"1.0\" encoding=\"" + encoding + "\"?>", 0), 0u) << bytes.substr(0, 80);
    const bool utf8_bytes = bytes.find("关于第1批") != std::string::npos;
    EXPECT_EQ(utf8_bytes, encoding == "UTF-8");
    xmlDocPtr doc = xmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), "文件目录.XML", nullptr, XML_PARSE_NONET);
    ASSERT_NE(doc, nullptr);
    xmlNodePtr root_node = xmlDocGetRootElement(doc);
    EXPECT_STREQ(reinterpret_cast<const char*>(root_node->name), "文件目录");
    EXPECT_STREQ(reinterpret_cast<const char*>(doc->encoding), encoding.c_str());
    xmlNodePtr entry = find(root_node, "条目");
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(xml_text(find(entry, "顺序号")), "1");
    EXPECT_EQ(xml_text(find(entry, "档号")), bag.records[0].ref);
    EXPECT_EQ(xml_text(find(entry, "题名")), "关于第1批档案<数字化>&\"移交\"的通知");
    EXPECT_EQ(xml_text(find(entry, "责任者")), "示例市档案局");
    EXPECT_EQ(xml_text(find(entry, "日期")), "20210315");
    EXPECT_EQ(xml_text(find(entry, "密级")), "公开");
    EXPECT_EQ(xml_text(find(entry, "备注")), "备注, 含逗号");
    EXPECT_EQ(xml_text(find(find(entry, "电子档案名称"), "文件")), "entity/2021/Y/" + bag.records[0].ref + "/0001.jpg");
    xmlFreeDoc(doc);
    // 说明文件.TXT is in the same encoding, and the carrier checks clean.
    const std::string notice = slurp(carrier / "说明文件.TXT");
    EXPECT_EQ(notice.find("全宗号") != std::string::npos, encoding == "UTF-8");
    EXPECT_NE(notice.find("BLER"), std::string::npos);
    EXPECT_TRUE(check_carrier(carrier).findings.empty()) << messages(check_carrier(carrier).findings);
  }
}

//! Hostile bags: a manifest path climbing out, a link out of the bag, an unsafe 分类 value, and a file changed after its manifest never put anything outside the output folder.
TEST(Carriers, HostileInputStaysInside) {
  const fs::path root = scratch("hostile");
  const auto records = testing::synthetic_records(2, 1, 5'000);
  {
    const fs::path bag = make_synthetic_bag(root / "climb", records);
    std::ofstream(bag / "manifest-sha256.txt", std::ios::app)
        << std::string(64, 'a') << "  data/entity/../../../etc/passwd\n";
    try {
      read_bag(bag);
      ADD_FAILURE() << "read";
    } catch (const CarrierError& error) {
      EXPECT_NE(std::string(error.what()).find("data/entity/../../../etc/passwd"), std::string::npos);
    }
  }
  {
    const fs::path bag = make_synthetic_bag(root / "link", records);
    const fs::path file = bag / "data" / "entity" / utf8_path(records[0].ref) / "0001.jpg";
    fs::remove(file);
    fs::create_symlink("/etc/hostname", file);
    EXPECT_THROW(read_bag(bag), CarrierError);
  }
  {
    // A 保管期限 of "../.." cannot name a folder: the record is filed under 未分类.
    auto unsafe = records;
    unsafe[0].retention = "../..";
    const BagContents bag = read_bag(make_synthetic_bag(root / "class", unsafe));
    const CarrierPlan plan = plan_carriers(bag, parse_medium("hdd"), {});
    const fs::path carrier = write_all(plan, bag, root / "class-out", false).front();
    EXPECT_TRUE(fs::exists(carrier / "entity" / "2021" / "未分类" / utf8_path(unsafe[0].ref) / "0001.jpg"));
    std::set<fs::path> outside;
    for (const auto& entry : fs::recursive_directory_iterator(root / "class-out"))
      EXPECT_EQ(fs::relative(entry.path(), root / "class-out").string().rfind("..", 0), std::string::npos);
  }
  {
    // A file changed after the bag was made: no carrier, no partial left.
    const fs::path bag_dir = make_synthetic_bag(root / "changed", records);
    const BagContents bag = read_bag(bag_dir);
    std::ofstream(bag_dir / "data" / "entity" / utf8_path(records[1].ref) / "0001.jpg", std::ios::app) << "x";
    const CarrierPlan plan = plan_carriers(bag, parse_medium("hdd"), {});
    for (bool iso : {false, true}) {
      const CarrierLayout layout = lay_out_carrier(plan, plan.carriers[0], bag, {});
      try {
        if (iso) write_carrier_iso(layout, root / "changed-out");
        else write_carrier_folder(layout, root / "changed-out");
        ADD_FAILURE() << "written";
      } catch (const CarrierError& error) {
        EXPECT_NE(std::string(error.what()).find("0001.jpg: differs from the bag's manifests"), std::string::npos)
            << error.what();
      }
      EXPECT_TRUE(fs::is_empty(root / "changed-out"));
    }
  }
  {
    // A carrier folder holding a link: reported, not followed.
    const BagContents bag = read_bag(make_synthetic_bag(root / "carrier-link", records));
    const fs::path carrier =
        write_all(plan_carriers(bag, parse_medium("hdd"), {}), bag, root / "carrier-link-out", false).front();
    fs::create_symlink("/etc/passwd", carrier / "entity" / "passwd");
    const std::string text = messages(check_carrier(carrier).findings);
    EXPECT_NE(text.find("carriers.malformed: entity/passwd: a link"), std::string::npos) << text;
  }
}

}  // namespace
}  // namespace lantai::carriers
