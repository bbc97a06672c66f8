// OCR side by side with the tool a user would otherwise run: on the same sample pages,
// lantai's whole pipeline (--jobs 2) against bare Tesseract's command line with its
// default settings (two pages at once, one thread each), read from the pages lantai
// straightened. Prints pages/min and the character error rate of each against the text
// the pages were drawn from. Then, on pages of other layouts (two columns of Chinese and
// of English, a ruled table, one column), drawn with two seeds: the character error rate
// in reading order of lantai's OCR stage as the profile sets it, of each page
// segmentation mode, and of bare Tesseract. And OCRmyPDF on the same scans, as a
// contractor would otherwise run it. Never fails on time.
//   bench_ocr [records] [--tessdata DIR] [--layouts-only] [--save-layouts DIR]
//     --tessdata: other language data, for both sides; --save-layouts: write the layout
//     pages (PNG) and their text in reading order to DIR, to try other readers on, and stop
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "bench/ocr/layout_pages.h"
#include "pipeline/files.h"
#include "pipeline/profile.h"
#include "stages/ocr/ocr_stage.h"
#include "pipeline/utf8.h"
#include "samples/image_encoder.h"
#include "samples/sample_lot.h"

namespace fs = std::filesystem;

namespace {

// What is compared: characters, with white space dropped (Chinese has none, and OCR's
// spacing is not an error of reading) and full-width ASCII forms folded to ASCII
// (，→ , ：→ :), as the truth and the models disagree on which they use.
std::u32string comparable(const std::string& text) {
  std::u32string out;
  for (char32_t c : lantai::to_code_points(text)) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == 0x3000 || c == '\f') continue;
    out.push_back(c >= 0xFF01 && c <= 0xFF5E ? c - 0xFEE0 : c);
  }
  return out;
}

struct Page {
  std::string image;  // the straightened page lantai delivered
  std::string ocr;    // lantai's text of it
  std::u32string truth;
  std::string record, original;  // its 档号 and the scan it came from
};

struct Score {
  std::size_t errors = 0, characters = 0;
  void add(const std::u32string& truth, const std::string& read) {
    errors += lantai::edit_distance(truth, comparable(read));
    characters += truth.size();
  }
  double rate() const { return characters ? 100.0 * static_cast<double>(errors) / static_cast<double>(characters) : 0; }
};

int run(const std::vector<std::string>& args, const std::string& output_file = "/dev/null") {
  const pid_t child = ::fork();
  if (child == 0) {
    std::vector<char*> argv;
    for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    if (!std::freopen(output_file.c_str(), "w", stdout) || !std::freopen("/dev/null", "w", stderr)) ::_exit(126);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  if (child < 0 || ::waitpid(child, &status, 0) != child || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

// A copy of the profile reading with other language data.
fs::path profile_with_tessdata(const fs::path& dir, const std::string& tessdata) {
  std::string profile = lantai::read_file(LANTAI_PROFILE);
  const std::string key = "\nocr:\n";
  const std::size_t at = profile.find(key);
  if (at == std::string::npos) throw std::runtime_error("the profile has no ocr section");
  profile.insert(at + key.size(), "  tessdata_dir: " + tessdata + "\n");
  const fs::path file = dir / "profile.yaml";
  lantai::write_file_atomically(file, profile);
  return file;
}

// lantai's OCR stage, set up from the profile's ocr section with these overrides.
std::unique_ptr<lantai::ocr::OcrStage> ocr_stage(const fs::path& profile, const fs::path& work,
                                                  const std::map<std::string, std::string>& overrides) {
  YAML::Node section = YAML::LoadFile(profile.string())["ocr"];
  for (const auto& [key, value] : overrides) section[key] = value;
  lantai::ProfileSection settings(profile, "ocr", section);
  auto stage = std::make_unique<lantai::ocr::OcrStage>();
  stage->setup(settings, lantai::StageContext{work, {}, 1});
  settings.finish();
  return stage;
}

std::string read_with_stage(const lantai::ocr::OcrStage& stage, const fs::path& work, const cv::Mat& pixels) {
  lantai::Item page;
  page.rel_path = "LAYOUT/0001.png";
  page.id = lantai::Item::make_id(page.rel_path, 0);
  page.record_ref = "LAYOUT";
  page.seq = 1;
  page.image = lantai::Image::seal(pixels);
  page.measurements.set("resolution_dpi", 300.0);
  stage.process(page);
  return lantai::read_file(work / "ocr/LAYOUT/0001.txt");
}

// OCRmyPDF as a contractor would run it on the same scans (not the straightened pages):
// one PDF per record made with img2pdf from its original files, then `ocrmypdf --deskew
// --clean --rotate-pages --jobs 2`, a record at a time, its text taken from --sidecar
// (pages split by form feeds). Records with a page lantai quarantined are left out, so
// both read the same pages.
// It reads with Debian's language data, whatever --tessdata gives lantai.
void compare_with_ocrmypdf(const fs::path& dir, const std::vector<Page>& pages) {
  if (run({"ocrmypdf", "--version"}) != 0 || run({"img2pdf", "--version"}) != 0) {
    std::printf("ocrmypdf or img2pdf not installed: no comparison with OCRmyPDF\n");
    return;
  }
  std::map<std::string, std::vector<const Page*>> by_record;
  for (const Page& page : pages) by_record[page.record].push_back(&page);
  Score ocrmypdf_score, lantai_score;
  std::size_t pages_read = 0;
  double seconds = 0;
  int failed = 0;
  for (const auto& [record, record_pages] : by_record) {
    std::vector<std::string> files;
    for (const Page* page : record_pages)
      if (files.empty() || files.back() != page->original) files.push_back(page->original);
    const fs::path scans = dir / "ocrmypdf-in.pdf", searchable = dir / "ocrmypdf-out.pdf", text = dir / "sidecar.txt";
    std::vector<std::string> img2pdf = {"img2pdf"};
    img2pdf.insert(img2pdf.end(), files.begin(), files.end());
    img2pdf.insert(img2pdf.end(), {"-o", scans.string()});
    if (run(img2pdf) != 0) {
      ++failed;
      continue;
    }
    std::vector<std::string> args = {"ocrmypdf", "--deskew", "--clean", "--rotate-pages", "--jobs", "2", "-l",
                                     "chi_sim+eng", "--sidecar", text.string(), scans.string(), searchable.string()};
    const auto started = std::chrono::steady_clock::now();
    const int status = run(args);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (status != 0) {
      ++failed;
      continue;
    }
    std::vector<std::string> page_texts(1);
    for (char c : lantai::read_file(text)) {
      if (c == '\f') page_texts.emplace_back();
      else page_texts.back() += c;
    }
    if (page_texts.size() < record_pages.size()) {
      ++failed;
      continue;
    }
    for (std::size_t i = 0; i < record_pages.size(); ++i) {
      ocrmypdf_score.add(record_pages[i]->truth, page_texts[i]);
      lantai_score.add(record_pages[i]->truth, lantai::read_file(record_pages[i]->ocr));
    }
    pages_read += record_pages.size();
  }
  if (pages_read == 0) {
    std::printf("OCRmyPDF read no record (%d failed)\n", failed);
    return;
  }
  std::printf("OCRmyPDF --deskew --clean --rotate-pages --jobs 2, a record at a time, on the scans: %6.1f pages/min  "
              "CER %5.2f%% (lantai on the same %zu pages: CER %5.2f%%)%s\n",
              60.0 * static_cast<double>(pages_read) / seconds, ocrmypdf_score.rate(), pages_read, lantai_score.rate(),
              failed ? (" (" + std::to_string(failed) + " records it could not read left out)").c_str() : "");
}

void compare_layouts(const fs::path& dir, const fs::path& profile, const std::string& tessdata) {
  lantai::samples::TextRenderer renderer;
  const fs::path work = dir / "layouts";
  std::map<std::string, std::string> base;
  if (!tessdata.empty()) base["tessdata_dir"] = tessdata;
  struct Reader {
    std::string name;
    std::unique_ptr<lantai::ocr::OcrStage> stage;  // none: the tesseract command
  };
  std::vector<Reader> readers;
  readers.push_back({"lantai (profile)", ocr_stage(profile, work, base)});
  for (const auto& [name, key, value] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"psm 3", "page_segmentation_mode", "3"},
           {"psm 4", "page_segmentation_mode", "4"},
           {"psm 6", "page_segmentation_mode", "6"},
           {"chi_sim", "languages", "chi_sim"},
           {"chi_sim+eng", "languages", "chi_sim+eng"},
           {"+chi_sim_vert", "languages", "chi_sim+eng+chi_sim_vert"}}) {
    auto overrides = base;
    overrides[key] = value;
    readers.push_back({"lantai " + name, ocr_stage(profile, work, overrides)});
  }
  readers.push_back({"tesseract CLI", nullptr});
  std::printf("\nCER in reading order by layout (seed 1 / seed 2):\n%-22s", "");
  for (const Reader& reader : readers) std::printf(" %18s", reader.name.c_str());
  std::printf("\n");
  std::map<std::string, std::vector<std::vector<Score>>> scores;  // layout → seed → reader
  std::vector<std::string> layouts;
  for (unsigned seed : {1u, 2u}) {
    for (const auto& page : lantai::bench::make_layout_pages(renderer, seed)) {
      if (!scores.count(page.layout)) layouts.push_back(page.layout);
      auto& row = scores[page.layout];
      row.emplace_back(readers.size());
      const fs::path image = dir / "layout.png";
      lantai::write_file_atomically(image, lantai::samples::encode_png(page.image, 300));
      for (std::size_t r = 0; r < readers.size(); ++r) {
        std::string text;
        if (readers[r].stage) {
          text = read_with_stage(*readers[r].stage, work, page.image);
        } else {
          std::vector<std::string> args = {"tesseract", image.string(), "-", "-l", "chi_sim+eng"};
          if (!tessdata.empty()) args.insert(args.end(), {"--tessdata-dir", tessdata});
          const fs::path out = dir / "layout.txt";
          run(args, out.string());
          text = lantai::read_file(out);
        }
        row.back()[r].add(comparable(page.truth), text);
      }
    }
  }
  for (const std::string& layout : layouts) {
    std::printf("%-22s", layout.c_str());
    for (std::size_t r = 0; r < readers.size(); ++r)
      std::printf("      %5.1f / %5.1f", scores[layout][0][r].rate(), scores[layout][1][r].rate());
    std::printf("\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  lantai::samples::SampleOptions options;
  std::string tessdata;
  bool layouts_only = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--tessdata" && i + 1 < argc) tessdata = argv[++i];
    else if (arg == "--layouts-only") layouts_only = true;
    else if (arg == "--save-layouts" && i + 1 < argc) {
      const fs::path out = argv[++i];
      fs::create_directories(out);
      lantai::samples::TextRenderer renderer;
      for (unsigned seed : {1u, 2u})
        for (const auto& page : lantai::bench::make_layout_pages(renderer, seed)) {
          std::string name = page.layout + " " + std::to_string(seed);
          std::replace_if(name.begin(), name.end(), [](char c) { return c == ' ' || c == ','; }, '-');
          lantai::write_file_atomically(out / (name + ".png"), lantai::samples::encode_png(page.image, 300));
          lantai::write_file_atomically(out / (name + ".txt"), page.truth + "\n");
        }
      return 0;
    }
    else options.records = std::atoi(argv[i]);
  }
  ::setenv("OMP_THREAD_LIMIT", "1", 1);  // one thread per Tesseract, as lantai runs it
  const fs::path dir = fs::temp_directory_path() / "lantai-bench-ocr";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path profile = tessdata.empty() ? fs::path(LANTAI_PROFILE) : profile_with_tessdata(dir, tessdata);
  if (layouts_only) {
    compare_layouts(dir, profile, tessdata);
    fs::remove_all(dir);
    return 0;
  }
  const lantai::samples::SampleLot lot = lantai::samples::make_sample_lot(dir / "lot", options);
  std::printf("sample lot: %d pages (%d records), 300-dpi A4; language data: %s\n", lot.pages, lot.records,
              tessdata.empty() ? "the profile's" : tessdata.c_str());

  const fs::path work = dir / "work";
  const auto started = std::chrono::steady_clock::now();
  const int status = run({LANTAI_BIN, "run", "--profile", profile.string(), "--in", lot.scans_dir.string(), "--catalog",
                          lot.catalog_file.string(), "--out", work.string(), "--fonds", "J012", "--unit", "bench",
                          "--jobs", "2", "--no-virus-scan"});  // bare Tesseract and OCRmyPDF scan nothing either
  const double lantai_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (status < 0 || status > 1) {  // 1: some records withheld, as the sample lot plans
    std::fprintf(stderr, "bench_ocr: lantai run failed (%d)\n", status);
    return 1;
  }

  std::vector<Page> pages;
  const nlohmann::json truth = nlohmann::json::parse(lantai::read_file(lot.truth_file));
  for (const auto& entry : truth.at("pages")) {
    char serial[16];
    std::snprintf(serial, sizeof serial, "%04d", entry.at("seq").get<int>());
    const std::string record = entry.at("record");
    Page page{(work / "derivatives" / lantai::utf8_path(record) / (std::string(serial) + ".jpg")).string(),
              (work / "ocr" / lantai::utf8_path(record) / (std::string(serial) + ".txt")).string(),
              {},
              record,
              (lot.scans_dir / lantai::utf8_path(entry.at("file").get<std::string>())).string()};
    std::string text;
    for (const auto& line : entry.at("text_lines")) text += line.get<std::string>();
    page.truth = comparable(text);
    if (!page.truth.empty() && fs::exists(page.image) && fs::exists(page.ocr)) pages.push_back(std::move(page));
  }

  // Bare Tesseract, two pages at once: on the pages lantai straightened, and on the scans
  // as delivered (files of one page; a multi-page TIFF would read as one text).
  auto read_with_cli = [&](const std::vector<std::string>& images, const std::string& name, double& seconds) {
    std::vector<std::string> texts(images.size());
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    const auto started_at = std::chrono::steady_clock::now();
    auto worker = [&] {
      for (std::size_t i; (i = next++) < images.size();) {
        const std::string out = (dir / (name + "-" + std::to_string(i) + ".txt")).string();
        std::vector<std::string> args = {"tesseract", images[i], "-", "-l", "chi_sim+eng"};
        if (!tessdata.empty()) args.insert(args.end(), {"--tessdata-dir", tessdata});
        if (run(args, out) != 0) failed = true;
        texts[i] = lantai::read_file(out);
      }
    };
    std::thread other(worker);
    worker();
    other.join();
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_at).count();
    if (failed) std::printf("(tesseract failed on some pages: is Debian's tesseract-ocr installed?)\n");
    return texts;
  };
  std::vector<std::string> straightened, scans;
  std::vector<std::size_t> single_page;  // pages whose scan holds them alone
  std::map<std::string, int> pages_per_scan;
  for (const Page& page : pages) ++pages_per_scan[page.original];
  for (std::size_t i = 0; i < pages.size(); ++i) {
    straightened.push_back(pages[i].image);
    if (pages_per_scan[pages[i].original] == 1) {
      single_page.push_back(i);
      scans.push_back(pages[i].original);
    }
  }
  double cli_seconds = 0, scan_seconds = 0;
  const std::vector<std::string> cli_text = read_with_cli(straightened, "cli", cli_seconds);
  const std::vector<std::string> scan_text = read_with_cli(scans, "scan", scan_seconds);

  Score lantai_score, cli_score, lantai_on_scans, cli_on_scans;
  for (std::size_t i = 0; i < pages.size(); ++i) {
    lantai_score.add(pages[i].truth, lantai::read_file(pages[i].ocr));
    cli_score.add(pages[i].truth, cli_text[i]);
  }
  for (std::size_t k = 0; k < single_page.size(); ++k) {
    lantai_on_scans.add(pages[single_page[k]].truth, lantai::read_file(pages[single_page[k]].ocr));
    cli_on_scans.add(pages[single_page[k]].truth, scan_text[k]);
  }
  std::printf("%zu pages with text, %zu characters of truth\n", pages.size(), lantai_score.characters);
  std::printf("lantai run --jobs 2 (whole pipeline): %6.1f pages/min  CER %5.2f%%\n",
              60.0 * lot.pages / lantai_seconds, lantai_score.rate());
  std::printf("tesseract CLI, defaults, 2 at once:   %6.1f pages/min  CER %5.2f%%  (OCR only, on lantai's straightened pages)\n",
              60.0 * static_cast<double>(pages.size()) / cli_seconds, cli_score.rate());
  std::printf("tesseract CLI on the scans as delivered: %6.1f pages/min  CER %5.2f%%  (%zu one-page files; lantai on them: "
              "CER %5.2f%%)\n",
              60.0 * static_cast<double>(scans.size()) / scan_seconds, cli_on_scans.rate(), scans.size(),
              lantai_on_scans.rate());

  compare_with_ocrmypdf(dir, pages);
  compare_layouts(dir, profile, tessdata);
  fs::remove_all(dir);
  return 0;
}
