#include "stages/carriers/carrier_layout.h"

#include <iconv.h>
#include <libxml/xmlwriter.h>

#include <map>
#include <memory>
#include <set>

#include "pipeline/csv.h"
#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/registration.h"

namespace lantai::carriers {
namespace fs = std::filesystem;

namespace {

std::string to_encoding(const std::string& utf8, const std::string& encoding) {
  if (encoding == "UTF-8") return utf8;
  iconv_t converter = ::iconv_open(encoding.c_str(), "UTF-8");
  if (converter == reinterpret_cast<iconv_t>(-1))
    throw CarrierError("this system's iconv cannot write " + encoding);
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in_at = const_cast<char*>(utf8.data());
  std::size_t in_left = utf8.size();
  char* out_at = out.data();
  std::size_t out_left = out.size();
  const std::size_t result = ::iconv(converter, &in_at, &in_left, &out_at, &out_left);
  ::iconv_close(converter);
  if (result == static_cast<std::size_t>(-1)) throw CarrierError("text cannot be written in " + encoding);
  out.resize(out.size() - out_left);
  return out;
}

CarrierFile made_file(std::string path, std::string bytes) {
  CarrierFile file;
  file.path = std::move(path);
  file.size = bytes.size();
  file.md5 = hex_digest(DigestAlgorithm::md5, bytes);
  file.sha256 = hex_digest(DigestAlgorithm::sha256, bytes);
  file.bytes = std::move(bytes);
  return file;
}

// "<digest>  <path>" per file, sorted by path in byte order, as md5sum -c reads it.
std::string manifest_text(const std::vector<CarrierFile>& files, std::string CarrierFile::*digest) {
  std::map<std::string, const CarrierFile*> sorted;
  for (const CarrierFile& file : files) sorted[file.path] = &file;
  std::string text;
  for (const auto& [path, file] : sorted) text += file->*digest + "  " + path + "\n";
  return text;
}

struct XmlWriter {
  xmlBufferPtr buffer = xmlBufferCreate();
  xmlTextWriterPtr writer = xmlNewTextWriterMemory(buffer, 0);
  ~XmlWriter() {
    if (writer) xmlFreeTextWriter(writer);
    xmlBufferFree(buffer);
  }
  void check(int result, const char* what) const {
    if (result < 0) throw CarrierError(std::string("文件目录.XML: libxml2 could not write ") + what);
  }
  const xmlChar* x(const std::string& text) const { return reinterpret_cast<const xmlChar*>(text.c_str()); }
  void element(const std::string& name, const std::string& value) {
    check(xmlTextWriterWriteElement(writer, x(name), x(value)), name.c_str());
  }
};

std::string notice_text(const BagContents& bag, const CarrierLayout& layout, const std::vector<CarrierFile>& manifests) {
  const PlannedCarrier& carrier = layout.carrier;
  const std::string n = std::to_string(carrier.number), m = std::to_string(layout.count);
  std::string text;
  const auto line = [&](const std::string& content) { text += content + "\r\n"; };
  line("说明文件 / Description of this carrier");
  line("");
  line("全宗号 Fonds code: " + bag.fonds);
  line("单位名称 Unit name: " + bag.unit);
  line("批次 Batch: " + bag.batch_id);
  line("载体编号 Carrier: " + carrier.label + "（第 " + n + " 张，共 " + m + " 张 / carrier " + n + " of " + m + "）");
  line("卷标 Volume id: " + carrier.volume_id);
  line("档案件数 Records: " + std::to_string(carrier.refs.size()) + " (档号 " +
       (carrier.refs.empty() ? std::string("-") : carrier.refs.front() + " … " + carrier.refs.back()) + ")");
  line("文件数 Files: " + std::to_string(layout.files.size() + manifests.size() + 1) + "（含本文件 / this file included）");
  line("数据量 Data volume: " + data_volume_gb(layout.total_bytes()) + " GB (" + std::to_string(layout.total_bytes()) +
       " bytes, manifests and this file excluded)");
  line("");
  line("内容 Contents:");
  line("  " + std::string(kListFile) + "          本载体档案目录 / list of the records on this carrier");
  line("  " + std::string(kCarrierCatalogueFile) + "    目录数据 / catalogue data of these records");
  line("  entity/年度/分类/档号/    实体数据 / entity data, by year, class and reference code");
  line("  manifest-md5.txt, manifest-sha256.txt  本载体各文件校验值 / digest of every other file on this carrier");
  line("");
  line("清单校验值 Digests of the manifests:");
  for (const CarrierFile& manifest : manifests) {
    line("MD5 (" + manifest.path + ") = " + manifest.md5);
    line("SHA256 (" + manifest.path + ") = " + manifest.sha256);
  }
  line("");
  line("校验方法 How to check:");
  line("  1. lantai carriers check <光盘或文件夹或 ISO / the disc, folder or ISO image>");
  line("  2. 在载体根目录 / in the carrier's root folder (Linux):");
  line("       sha256sum -c manifest-sha256.txt   和 / and   md5sum -c manifest-md5.txt");
  line("     清单本身 / the manifests themselves: sha256sum manifest-*.txt，与上列校验值比对 / compare with the");
  line("     digests above (Windows: certutil -hashfile manifest-sha256.txt SHA256)");
  line("  3. 光盘误码率（BLER、PI/PO）须用光盘检测仪测定，不在本软件范围 / disc error rates (BLER, PI/PO)");
  line("     need a disc tester; lantai does not measure them.");
  return text;
}

}  // namespace

std::uint64_t CarrierLayout::total_bytes() const {
  std::uint64_t sum = 0;
  for (const CarrierFile& file : files) sum += file.size;
  return sum;
}

std::string list_xml(const std::vector<ListEntry>& entries, const BagContents& bag, const PlannedCarrier& carrier,
                     int count, const std::string& encoding) {
  XmlWriter xml;
  if (!xml.writer) throw CarrierError("文件目录.XML: libxml2 could not start a writer");
  xml.check(xmlTextWriterSetIndent(xml.writer, 1), "indentation");
  xml.check(xmlTextWriterStartDocument(xml.writer, "1.0", encoding.c_str(), nullptr), "the XML declaration");
  xml.check(xmlTextWriterStartElement(xml.writer, xml.x("文件目录")), "文件目录");
  xml.check(xmlTextWriterWriteAttribute(xml.writer, xml.x("全宗号"), xml.x(bag.fonds)), "全宗号");
  xml.check(xmlTextWriterWriteAttribute(xml.writer, xml.x("单位名称"), xml.x(bag.unit)), "单位名称");
  xml.check(xmlTextWriterWriteAttribute(xml.writer, xml.x("批次"), xml.x(bag.batch_id)), "批次");
  xml.check(xmlTextWriterWriteAttribute(xml.writer, xml.x("载体编号"), xml.x(carrier.label)), "载体编号");
  const std::string position = std::to_string(carrier.number) + "/" + std::to_string(count);
  xml.check(xmlTextWriterWriteAttribute(xml.writer, xml.x("载体序号"), xml.x(position)), "载体序号");
  int serial = 0;
  for (const ListEntry& entry : entries) {
    xml.check(xmlTextWriterStartElement(xml.writer, xml.x("条目")), "条目");
    xml.element("顺序号", std::to_string(++serial));
    xml.element("档号", entry.ref);
    xml.element("责任者", entry.creator);
    xml.element("题名", entry.title);
    xml.element("日期", entry.date);
    xml.element("密级", entry.classification);
    xml.check(xmlTextWriterStartElement(xml.writer, xml.x("电子档案名称")), "电子档案名称");
    for (const std::string& file : entry.files) xml.element("文件", file);
    xml.check(xmlTextWriterEndElement(xml.writer), "电子档案名称");
    xml.element("备注", entry.remarks);
    xml.check(xmlTextWriterEndElement(xml.writer), "条目");
  }
  xml.check(xmlTextWriterEndDocument(xml.writer), "the end of the document");
  xmlFreeTextWriter(xml.writer);  // flushes into the buffer
  xml.writer = nullptr;
  return {reinterpret_cast<const char*>(xmlBufferContent(xml.buffer)), static_cast<std::size_t>(xmlBufferLength(xml.buffer))};
}

CarrierLayout lay_out_carrier(const CarrierPlan& plan, const PlannedCarrier& carrier, const BagContents& bag,
                              const CarrierSettings& settings) {
  CarrierLayout layout;
  layout.carrier = carrier;
  layout.count = plan.count();
  std::vector<CarrierFile> payload;
  std::vector<ListEntry> entries;
  std::vector<std::vector<std::string>> rows;
  const auto copied = [&](std::string path, const BagFile& file) {
    CarrierFile entry;
    entry.path = std::move(path);
    entry.source = bag.dir / utf8_path(file.path);
    entry.size = file.size;
    entry.md5 = file.md5;
    entry.sha256 = file.sha256;
    payload.push_back(std::move(entry));
  };
  if (carrier.number == 1)
    for (const BagFile& file : bag.other_files) copied(other_carrier_path(file), file);
  for (const std::string& ref : carrier.refs) {
    const BagRecord* record = bag.find(ref);
    if (!record)
      throw CarrierError("carrier " + carrier.label + ": record " + ref + " is not in the bag " + bag.dir.string() +
                         "; the plan was made for another bag");
    const std::string folder = record_folder(*record, bag.catalog, settings);
    ListEntry entry{ref};
    if (record->row) {
      const auto& columns = bag.catalog.columns;
      entry.creator = record->row->field(columns, "责任者");
      entry.title = record->row->field(columns, "题名");
      entry.date = record->row->field(columns, "日期");
      entry.classification = record->row->field(columns, "密级");
      entry.remarks = record->row->field(columns, "备注");
      rows.push_back(record->row->values);
    }
    for (const BagFile& file : record->files) {
      copied(carrier_path(folder, ref, file), file);
      entry.files.push_back(payload.back().path);
    }
    entries.push_back(std::move(entry));
  }
  std::string csv = csv_line(bag.catalog.columns, "\r\n");
  for (const auto& row : rows) csv += csv_line(row, "\r\n");
  layout.files.push_back(made_file(kCarrierCatalogueFile, std::move(csv)));
  layout.files.push_back(made_file(kListFile, list_xml(entries, bag, carrier, plan.count(), settings.encoding)));
  for (CarrierFile& file : payload) layout.files.push_back(std::move(file));

  std::set<std::string> paths;
  for (const CarrierFile& file : layout.files)
    if (!is_safe_relative_path(file.path) || !paths.insert(file.path).second)
      throw CarrierError("carrier " + carrier.label + ": the path '" + file.path +
                         "' cannot be written (unsafe or given twice)");

  std::vector<CarrierFile> manifests{made_file(kMd5Manifest, manifest_text(layout.files, &CarrierFile::md5)),
                                     made_file(kSha256Manifest, manifest_text(layout.files, &CarrierFile::sha256))};
  CarrierFile notice = made_file(kNoticeFile, to_encoding(notice_text(bag, layout, manifests), settings.encoding));
  layout.files.insert(layout.files.begin(), std::make_move_iterator(manifests.begin()),
                      std::make_move_iterator(manifests.end()));
  layout.files.insert(layout.files.begin(), std::move(notice));
  return layout;
}

std::vector<std::tuple<std::string, std::string, std::string>> stated_digests(const std::string& notice) {
  std::vector<std::tuple<std::string, std::string, std::string>> stated;
  for (const std::string& line : text_lines(notice)) {
    for (const char* algorithm : {"MD5", "SHA256"}) {
      const std::string prefix = std::string(algorithm) + " (";
      const std::size_t close = line.find(") = ");
      if (line.rfind(prefix, 0) == 0 && close != std::string::npos)
        stated.emplace_back(line.substr(prefix.size(), close - prefix.size()), algorithm, line.substr(close + 4));
    }
  }
  return stated;
}

}  // namespace lantai::carriers
