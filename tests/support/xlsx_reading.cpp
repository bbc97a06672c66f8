#include "tests/support/xlsx_reading.h"

#include <archive.h>
#include <archive_entry.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <memory>
#include <regex>
#include <stdexcept>

namespace lantai::testing {

namespace {

std::map<std::string, std::string> zip_entries(const std::filesystem::path& file) {
  std::unique_ptr<archive, decltype(&archive_read_free)> zip(archive_read_new(), archive_read_free);
  archive_read_support_format_zip(zip.get());
  if (archive_read_open_filename(zip.get(), file.c_str(), 1 << 16) != ARCHIVE_OK)
    throw std::runtime_error(file.string() + ": " + archive_error_string(zip.get()));
  std::map<std::string, std::string> entries;
  archive_entry* entry = nullptr;
  while (archive_read_next_header(zip.get(), &entry) == ARCHIVE_OK) {
    std::string bytes;
    char buffer[1 << 14];
    la_ssize_t n;
    while ((n = archive_read_data(zip.get(), buffer, sizeof buffer)) > 0) bytes.append(buffer, static_cast<std::size_t>(n));
    if (n < 0) throw std::runtime_error(file.string() + ": " + archive_error_string(zip.get()));
    entries[archive_entry_pathname(entry)] = std::move(bytes);
  }
  return entries;
}

// One XML part, queried with XPath under the spreadsheet namespaces (x:, r:, p:).
class Part {
 public:
  explicit Part(const std::string& bytes)
      : doc_(xmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), nullptr, nullptr, XML_PARSE_NONET), xmlFreeDoc),
        context_(nullptr, xmlXPathFreeContext) {
    if (!doc_) throw std::runtime_error("a workbook part is not XML");
    context_.reset(xmlXPathNewContext(doc_.get()));
    xmlXPathRegisterNs(context_.get(), BAD_CAST "x", BAD_CAST "http://schemas.openxmlformats.org/spreadsheetml/2006/main");
    xmlXPathRegisterNs(context_.get(), BAD_CAST "r",
                       BAD_CAST "http://schemas.openxmlformats.org/officeDocument/2006/relationships");
    xmlXPathRegisterNs(context_.get(), BAD_CAST "p", BAD_CAST "http://schemas.openxmlformats.org/package/2006/relationships");
  }

  std::vector<xmlNodePtr> nodes(const char* xpath, xmlNodePtr at = nullptr) const {
    context_->node = at ? at : xmlDocGetRootElement(doc_.get());
    std::unique_ptr<xmlXPathObject, decltype(&xmlXPathFreeObject)> result(
        xmlXPathEvalExpression(BAD_CAST xpath, context_.get()), xmlXPathFreeObject);
    std::vector<xmlNodePtr> found;
    if (result && result->nodesetval)
      for (int i = 0; i < result->nodesetval->nodeNr; ++i) found.push_back(result->nodesetval->nodeTab[i]);
    return found;
  }

  static std::string attribute(xmlNodePtr node, const char* name, const char* ns = nullptr) {
    xmlChar* value = ns ? xmlGetNsProp(node, BAD_CAST name, BAD_CAST ns) : xmlGetProp(node, BAD_CAST name);
    if (!value) return {};
    std::string text(reinterpret_cast<const char*>(value));
    xmlFree(value);
    return text;
  }

  static std::string text(xmlNodePtr node) {
    xmlChar* value = xmlNodeGetContent(node);
    std::string text(value ? reinterpret_cast<const char*>(value) : "");
    xmlFree(value);
    return text;
  }

 private:
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc_;
  std::unique_ptr<xmlXPathContext, decltype(&xmlXPathFreeContext)> context_;
};

const std::string& part(const std::map<std::string, std::string>& entries, const std::string& name) {
  const auto found = entries.find(name);
  if (found == entries.end()) throw std::runtime_error("the workbook has no " + name);
  return found->second;
}

}  // namespace

std::vector<XlsxSheet> read_xlsx(const std::filesystem::path& file) {
  const auto entries = zip_entries(file);
  const Part workbook(part(entries, "xl/workbook.xml"));
  const Part relationships(part(entries, "xl/_rels/workbook.xml.rels"));
  std::map<std::string, std::string> targets;
  for (xmlNodePtr rel : relationships.nodes("//p:Relationship"))
    targets[Part::attribute(rel, "Id")] = Part::attribute(rel, "Target");

  std::vector<std::string> shared;
  if (entries.count("xl/sharedStrings.xml")) {
    const Part strings(entries.at("xl/sharedStrings.xml"));
    for (xmlNodePtr si : strings.nodes("//x:si")) {
      std::string text;
      for (xmlNodePtr t : strings.nodes(".//x:t", si)) text += Part::text(t);
      shared.push_back(text);
    }
  }

  // Cell style → its border and number format.
  const Part styles(part(entries, "xl/styles.xml"));
  std::vector<bool> border_drawn;
  for (xmlNodePtr border : styles.nodes("//x:borders/x:border"))
    border_drawn.push_back(!styles.nodes("./*[@style]", border).empty());
  std::map<std::string, std::string> format_codes{{"0", ""}, {"1", "0"}, {"2", "0.00"}};
  for (xmlNodePtr format : styles.nodes("//x:numFmts/x:numFmt"))
    format_codes[Part::attribute(format, "numFmtId")] = Part::attribute(format, "formatCode");
  struct Xf {
    bool bordered;
    std::string format;
  };
  std::vector<Xf> xfs;
  for (xmlNodePtr xf : styles.nodes("//x:cellXfs/x:xf")) {
    const std::size_t border = std::stoul("0" + Part::attribute(xf, "borderId"));
    xfs.push_back({border < border_drawn.size() && border_drawn[border], format_codes[Part::attribute(xf, "numFmtId")]});
  }

  std::map<std::string, std::string> print_titles;
  for (xmlNodePtr name : workbook.nodes("//x:definedName[@name='_xlnm.Print_Titles']"))
    print_titles[Part::attribute(name, "localSheetId")] = Part::text(name);

  std::vector<XlsxSheet> sheets;
  int index = 0;
  for (xmlNodePtr entry : workbook.nodes("//x:sheets/x:sheet")) {
    XlsxSheet sheet;
    sheet.name = Part::attribute(entry, "name");
    sheet.print_titles = print_titles[std::to_string(index++)];
    const std::string target = targets[Part::attribute(entry, "id", "http://schemas.openxmlformats.org/officeDocument/2006/relationships")];
    const Part xml(part(entries, "xl/" + target));
    for (xmlNodePtr c : xml.nodes("//x:sheetData/x:row/x:c")) {
      XlsxCell cell;
      const std::string type = Part::attribute(c, "t");
      const auto v = xml.nodes("./x:v", c);
      const std::string value = v.empty() ? "" : Part::text(v.front());
      if (type == "s") cell.text = shared.at(std::stoul(value));
      else if (type == "inlineStr" || type == "str") cell.text = Part::text(c);
      else if (!value.empty()) {
        cell.text = value;
        cell.number = std::stod(value);
      }
      const std::size_t style = std::stoul("0" + Part::attribute(c, "s"));
      if (style < xfs.size()) {
        cell.bordered = xfs[style].bordered;
        if (cell.number) cell.number_format = xfs[style].format;
      }
      sheet.cells[Part::attribute(c, "r")] = cell;
    }
    for (xmlNodePtr setup : xml.nodes("//x:pageSetup")) {
      sheet.paper_size = Part::attribute(setup, "paperSize");
      sheet.fit_to_width = Part::attribute(setup, "fitToWidth");
      sheet.fit_to_height = Part::attribute(setup, "fitToHeight");
    }
    sheet.fit_to_page = !xml.nodes("//x:sheetPr/x:pageSetUpPr[@fitToPage='1']").empty();
    for (xmlNodePtr footer : xml.nodes("//x:headerFooter/x:oddFooter")) sheet.footer = Part::text(footer);
    sheet.merged_ranges = static_cast<int>(xml.nodes("//x:mergeCells/x:mergeCell").size());
    sheets.push_back(std::move(sheet));
  }
  return sheets;
}

// Cell references compared as (row, column), the column by its letters' length first.
const XlsxCell* cell_right_of(const XlsxSheet& sheet, const std::string& label) {
  static const std::regex reference("([A-Z]+)([0-9]+)");
  auto split = [](const std::string& ref) {
    std::smatch m;
    if (!std::regex_match(ref, m, reference)) throw std::runtime_error("bad cell reference " + ref);
    return std::tuple{std::stoi(m[2].str()), m[1].str().size(), m[1].str()};
  };
  for (const auto& [ref, cell] : sheet.cells) {
    if (cell.text != label) continue;
    const auto at = split(ref);
    const XlsxCell* nearest = nullptr;
    std::tuple<int, std::size_t, std::string> nearest_at;
    for (const auto& [other_ref, other] : sheet.cells) {
      const auto other_at = split(other_ref);
      if (std::get<0>(other_at) != std::get<0>(at) || other_at <= at || (other.text.empty() && !other.number)) continue;
      if (!nearest || other_at < nearest_at) nearest = &other, nearest_at = other_at;
    }
    return nearest;
  }
  return nullptr;
}

}  // namespace lantai::testing
