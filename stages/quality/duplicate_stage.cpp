#include "stages/quality/duplicate_stage.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "pipeline/files.h"
#include "stages/quality/quality_stage.h"

namespace lantai::quality {

namespace {

const IntegerParam kMaxHashDistance{"max_hash_distance", "bits", 0, 128, 40,
                                    "perceptual hashes at most this far apart (of 256 bits) may be one page"};
const NumberParam kMinTextSimilarity{"min_text_similarity", "ratio", 0, 1, 0.8,
                                     "OCR texts at least this alike (bigram Dice) confirm a duplicate"};
const IntegerParam kMinTextChars{"min_text_chars", "characters", 0, 100000, 20,
                                 "pages with less text than this are compared by hash alone"};

// Code points of a UTF-8 text, white space dropped.
std::vector<char32_t> code_points(const std::string& text) {
  std::vector<char32_t> points;
  for (size_t i = 0; i < text.size();) {
    unsigned char lead = static_cast<unsigned char>(text[i]);
    int length = lead < 0x80 ? 1 : (lead >> 5) == 6 ? 2 : (lead >> 4) == 14 ? 3 : (lead >> 3) == 30 ? 4 : 1;
    char32_t point = length == 1 ? lead : lead & (0x3F >> (length - 1));
    for (int k = 1; k < length && i + k < text.size(); ++k)
      point = point << 6 | (static_cast<unsigned char>(text[i + k]) & 0x3F);
    i += static_cast<size_t>(length);
    if (point != ' ' && point != '\n' && point != '\r' && point != '\t' && point != 0x3000) points.push_back(point);
  }
  return points;
}

std::map<std::pair<char32_t, char32_t>, int> bigrams(const std::vector<char32_t>& points) {
  std::map<std::pair<char32_t, char32_t>, int> counts;
  for (size_t i = 0; i + 1 < points.size(); ++i) counts[{points[i], points[i + 1]}]++;
  return counts;
}

std::string ocr_text_of(const RecordPage& page, const std::filesystem::path& work_dir) {
  for (const StageOutput& output : page.outputs)
    if (output.kind == "ocr_text") return read_file(work_dir / std::filesystem::u8path(output.path));
  return {};
}

}  // namespace

double text_similarity(const std::string& text_a, const std::string& text_b) {
  auto a = bigrams(code_points(text_a)), b = bigrams(code_points(text_b));
  long long total = 0, shared = 0;
  for (const auto& [gram, count] : a) {
    total += count;
    if (auto it = b.find(gram); it != b.end()) shared += std::min(count, it->second);
  }
  for (const auto& [gram, count] : b) total += count;
  return total ? 2.0 * static_cast<double>(shared) / static_cast<double>(total) : 0.0;
}

StageInfo DuplicateStage::describe() const {
  return {"duplicates", "Finds pages that repeat an earlier page of the same record.", "1",
          {kMaxHashDistance.info(), kMinTextSimilarity.info(), kMinTextChars.info()}};
}

void DuplicateStage::setup(ProfileSection& section, const StageContext&) {
  settings_.max_hash_distance = static_cast<int>(section.get(kMaxHashDistance));
  settings_.min_text_similarity = section.get(kMinTextSimilarity);
  settings_.min_text_chars = static_cast<int>(section.get(kMinTextChars));
}

Outcome DuplicateStage::process(RecordWork& record) const {
  Outcome outcome;
  // Blank pages all look alike; they are reported as blank, not as duplicates.
  std::vector<const RecordPage*> candidates;
  for (const RecordPage& page : record.pages) {
    bool blank = std::find(page.finding_codes.begin(), page.finding_codes.end(), "qc.blank") != page.finding_codes.end();
    if (!page.facts.fingerprint.empty() && !blank) candidates.push_back(&page);
  }
  std::map<const RecordPage*, std::string> texts;
  auto text_of = [&](const RecordPage* page) -> const std::string& {
    auto it = texts.find(page);
    if (it == texts.end()) it = texts.emplace(page, ocr_text_of(*page, record.work_dir)).first;
    return it->second;
  };

  for (size_t later = 1; later < candidates.size(); ++later) {
    for (size_t earlier = 0; earlier < later; ++earlier) {
      const RecordPage& a = *candidates[earlier];
      const RecordPage& b = *candidates[later];
      int distance = hamming_distance(a.facts.fingerprint, b.facts.fingerprint);
      if (distance < 0 || distance > settings_.max_hash_distance) continue;
      const bool texts_count = a.facts.ocr_chars.value_or(0) >= settings_.min_text_chars &&
                               b.facts.ocr_chars.value_or(0) >= settings_.min_text_chars;
      double similarity = texts_count ? text_similarity(text_of(&a), text_of(&b)) : 1.0;
      if (similarity < settings_.min_text_similarity) continue;
      char value[96];
      std::snprintf(value, sizeof value, "hash distance %d, text similarity %.2f", distance, similarity);
      char threshold[96];
      std::snprintf(threshold, sizeof threshold, "distance <= %d, similarity >= %.2f", settings_.max_hash_distance,
                    settings_.min_text_similarity);
      Finding finding = make_finding("qc.duplicate",
                                     b.rel_path + ": repeats page " + std::to_string(a.seq) + " (" + a.rel_path +
                                         ") of record " + record.ref,
                                     value, threshold);
      finding.item_id = b.item_id;
      outcome.add(std::move(finding));
      break;
    }
  }
  return outcome;
}

}  // namespace lantai::quality
