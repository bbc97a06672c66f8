// The av stage on clips made here with Debian's ffmpeg: conforming ones for each profile
// and faulty ones, each fault named by its code with value and threshold.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "pipeline/digest.h"
#include "pipeline/files.h"
#include "pipeline/jpeg_codec.h"
#include "pipeline/profile.h"
#include "stages/av/av_stage.h"

namespace lantai::av {
namespace {

namespace fs = std::filesystem;

// PAL picture and sound as DA/T 62 asks (MPEG-2 4:2:2 at 10 Mbit/s, 24-bit PCM, 4:3).
const std::string kPicture = "-c:v mpeg2video -pix_fmt yuv422p -b:v 10M -minrate 10M -maxrate 10M -bufsize 2M -aspect 4:3";
const std::string kSound = "-c:a pcm_s24le -ac 2 -ar 48000";
const std::string kPal = "testsrc2=size=720x576:rate=25";
const std::string kTone = "sine=frequency=440:sample_rate=48000";

class AvStageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }

  // A clip from ffmpeg arguments (inputs, filters, codecs), seconds long.
  fs::path clip(const std::string& name, const std::string& arguments, double seconds = 3) {
    const fs::path file = dir_ / name;
    const std::string command = "ffmpeg -hide_banner -loglevel error -nostdin -y " + arguments + " -t " +
                                std::to_string(seconds) + " '" + file.string() + "'";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
    return file;
  }
  fs::path av_clip(const std::string& name, const std::string& picture_source = kPal,
                   const std::string& sound_source = kTone, const std::string& picture = kPicture,
                   const std::string& sound = kSound, double seconds = 3) {
    return clip(name, "-f lavfi -i " + picture_source + " -f lavfi -i " + sound_source + " " + picture + " " + sound,
                seconds);
  }

  Outcome check(const fs::path& file, const std::string& yaml = "{}") {
    YAML::Node node = YAML::Load(yaml);
    ProfileSection section("test.yaml", "av", node);
    return check(file, section);
  }
  // Checked as a shipped profile (profiles/<name>.yaml) asks.
  Outcome check_as(const fs::path& file, const std::string& profile_name) {
    Profile profile = Profile::load(fs::path(LANTAI_SOURCE_DIR) / "profiles" / (profile_name + ".yaml"));
    ProfileSection section = profile.section("av");
    return check(file, section);
  }
  Outcome check(const fs::path& file, ProfileSection& section) {
    AvStage stage;
    stage.setup(section, StageContext{dir_, dir_, 1});
    Item item;
    item.kind = ItemKind::av;
    item.rel_path = "J012-SX·2021-Y-BGS-0001/" + file.filename().string();
    item.source = file;
    item.record_ref = "J012-SX·2021-Y-BGS-0001";
    item.seq = 1;
    return stage.process(item);
  }

  static std::vector<std::string> codes(const Outcome& outcome) {
    std::vector<std::string> found;
    for (const Finding& finding : outcome.findings) found.push_back(finding.code);
    return found;
  }
  static const Finding* finding(const Outcome& outcome, const std::string& code) {
    for (const Finding& f : outcome.findings)
      if (f.code == code) return &f;
    return nullptr;
  }

  fs::path dir_ = fs::temp_directory_path() /
                  (std::string("lantai-av-") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
};

//! A PAL clip as DA/T 62 asks (AVI, MPEG-2 4:2:2, 720x576 4:3, 10 Mbit/s, 24-bit 48 kHz PCM) passes with its figures measured: no finding at all.
TEST_F(AvStageTest, ConformingClipPasses) {
  const Outcome outcome = check(av_clip("ok.avi"));
  EXPECT_TRUE(outcome.findings.empty()) << ::testing::PrintToString(codes(outcome)) << " "
                                        << (outcome.findings.empty() ? "" : outcome.findings[0].message);
  const Measurements& m = outcome.measurements;
  EXPECT_EQ(m.text("container"), "avi");
  EXPECT_EQ(m.text("frame_size"), "720x576");
  EXPECT_EQ(m.text("chroma"), "4:2:2");
  EXPECT_EQ(m.text("aspect_ratio"), "4:3");
  EXPECT_NEAR(*m.number("frame_rate"), 25, 0.01);
  EXPECT_NEAR(*m.number("video_bit_rate_mbps"), 10, 1);
  EXPECT_EQ(*m.number("audio_bit_depth"), 24);
  EXPECT_EQ(*m.number("sample_rate_hz"), 48000);
  EXPECT_NEAR(*m.number("decoded_s"), 3, 0.1);
  EXPECT_EQ(*m.number("decode_errors"), 0);
}

//! Wrong picture parameters are each named with value and threshold: 640x480, 30 fps where 25 is asked, 4:2:0 where 4:2:2 is, a low bit rate, and an MP4 named .avi (told by its content, not its name).
TEST_F(AvStageTest, PictureParametersOutsideTheProfile) {
  const Outcome small = check(av_clip("small.avi", "testsrc2=size=640x480:rate=25"));
  ASSERT_NE(finding(small, "av.frame_size"), nullptr);
  EXPECT_EQ(finding(small, "av.frame_size")->value, "640x480");

  const Outcome rate = check(av_clip("rate.avi", "testsrc2=size=720x576:rate=30"), "{frame_rates: '25'}");
  ASSERT_NE(finding(rate, "av.frame_rate"), nullptr);
  EXPECT_EQ(finding(rate, "av.frame_rate")->value, "30.000");
  EXPECT_EQ(finding(rate, "av.frame_rate")->threshold, "25");

  const Outcome chroma = check(av_clip("420.avi", kPal, kTone, "-c:v mpeg2video -pix_fmt yuv420p -b:v 10M -aspect 4:3"));
  ASSERT_NE(finding(chroma, "av.chroma"), nullptr);
  EXPECT_EQ(finding(chroma, "av.chroma")->value, "4:2:0");

  const Outcome thin = check(av_clip("thin.avi", kPal, kTone,
                                     "-c:v mpeg2video -pix_fmt yuv422p -b:v 2M -minrate 2M -maxrate 2M -bufsize 1M -aspect 4:3"));
  ASSERT_NE(finding(thin, "av.bit_rate"), nullptr);
  EXPECT_EQ(finding(thin, "av.bit_rate")->threshold, "8.00");

  const Outcome mislabelled = check(av_clip("mp4.avi", kPal, kTone, kPicture, "-c:a aac -f mp4"));
  ASSERT_NE(finding(mislabelled, "av.container"), nullptr) << ::testing::PrintToString(codes(mislabelled));
  EXPECT_NE(finding(mislabelled, "av.container")->value.find("mp4"), std::string::npos);
  EXPECT_NE(finding(mislabelled, "av.audio_codec"), nullptr);
}

//! Sound: a clip without any is av.no_audio; 16-bit PCM is av.audio_bit_depth; 22.05 kHz is av.sample_rate; a WAV of 44.1 kHz 24-bit passes as sound alone, and sound alone in AVI is av.container.
TEST_F(AvStageTest, SoundParametersOutsideTheProfile) {
  const Outcome mute = check(clip("mute.avi", "-f lavfi -i " + kPal + " " + kPicture));
  EXPECT_NE(finding(mute, "av.no_audio"), nullptr) << ::testing::PrintToString(codes(mute));

  const Outcome bits16 = check(av_clip("s16.avi", kPal, kTone, kPicture, "-c:a pcm_s16le -ar 48000"));
  ASSERT_NE(finding(bits16, "av.audio_bit_depth"), nullptr);
  EXPECT_EQ(finding(bits16, "av.audio_bit_depth")->value, "16");

  const Outcome low = check(av_clip("low.avi", kPal, "sine=frequency=440:sample_rate=22050", kPicture, "-c:a pcm_s24le"));
  ASSERT_NE(finding(low, "av.sample_rate"), nullptr);
  EXPECT_EQ(finding(low, "av.sample_rate")->value, "22050");

  const Outcome wav = check(clip("tape.wav", "-f lavfi -i sine=frequency=440:sample_rate=44100 -c:a pcm_s24le"));
  EXPECT_TRUE(wav.findings.empty()) << ::testing::PrintToString(codes(wav));
  EXPECT_NEAR(*wav.measurements.number("decoded_s"), 3, 0.05);

  const Outcome avi_sound = check(clip("sound.avi", "-f lavfi -i sine=frequency=440:sample_rate=48000 -c:a pcm_s24le"));
  EXPECT_NE(finding(avi_sound, "av.container"), nullptr);
}

//! Black and frozen stretches and silence longer than the profile allows are found with their length and where they start; shorter ones are not.
TEST_F(AvStageTest, BlackFrozenAndSilentStretches) {
  // 1 s of picture, 2 s of black, 1 s of picture.
  const std::string black = "\"testsrc2=size=720x576:rate=25:duration=1[a];color=black:size=720x576:rate=25:duration=2[b];"
                            "testsrc2=size=720x576:rate=25:duration=1[c];[a][b][c]concat=n=3\"";
  const Outcome dark = check(clip("black.avi", "-f lavfi -i " + black + " -f lavfi -i " + kTone + " " + kPicture + " " + kSound, 4),
                             "{max_black_s: 1}");
  const Finding* black_finding = finding(dark, "av.black");
  ASSERT_NE(black_finding, nullptr) << ::testing::PrintToString(codes(dark));
  EXPECT_NEAR(std::stod(black_finding->value), 2.0, 0.1);
  EXPECT_NE(black_finding->message.find("00:00:01.0"), std::string::npos) << black_finding->message;
  EXPECT_EQ(check(fs::path(dir_ / "black.avi"), "{max_black_s: 3}").findings.size(), 0u);

  // The last picture held for 2.5 s.
  const Outcome still = check(clip("frozen.avi", "-f lavfi -i " + kPal + ":duration=1.5 -f lavfi -i " + kTone +
                                                     " -vf tpad=stop_mode=clone:stop_duration=3 " + kPicture + " " + kSound,
                                   4),
                              "{max_frozen_s: 2}");
  const Finding* frozen = finding(still, "av.frozen");
  ASSERT_NE(frozen, nullptr) << ::testing::PrintToString(codes(still));
  EXPECT_GT(std::stod(frozen->value), 2.0);

  // 1 s tone, 2 s silence, 1 s tone.
  const std::string quiet = "\"sine=frequency=440:sample_rate=48000:duration=1[a];anullsrc=r=48000:cl=stereo:d=2[b];"
                            "sine=frequency=440:sample_rate=48000:duration=1[c];[a][b][c]concat=n=3:v=0:a=1\"";
  const Outcome silent = check(clip("silent.avi", "-f lavfi -i " + kPal + " -f lavfi -i " + quiet + " " + kPicture + " " + kSound, 4),
                               "{max_silence_s: 1}");
  const Finding* silence = finding(silent, "av.silent");
  ASSERT_NE(silence, nullptr) << ::testing::PrintToString(codes(silent));
  EXPECT_NEAR(std::stod(silence->value), 2.0, 0.15);
  EXPECT_EQ(finding(silent, "av.black"), nullptr);
}

//! Sound driven past full scale is av.clipped with the share of samples at full scale.
TEST_F(AvStageTest, ClippedSound) {
  const Outcome loud = check(av_clip("loud.avi", kPal, "\"" + kTone + ",volume=20\""));
  const Finding* clipped = finding(loud, "av.clipped");
  ASSERT_NE(clipped, nullptr) << ::testing::PrintToString(codes(loud));
  EXPECT_GT(std::stod(clipped->value), 0.1);
  EXPECT_EQ(finding(check(dir_ / "loud.avi", "{max_clipped_share: 1}"), "av.clipped"), nullptr);
}

// H.264 High 4:2:2 at a constant rate (x264's HRD filler keeps it at the rate asked).
std::string h264_422(const std::string& rate, const std::string& aspect) {
  return "-c:v libx264 -profile:v high422 -pix_fmt yuv422p -preset veryfast -b:v " + rate + " -minrate " + rate +
         " -maxrate " + rate + " -bufsize 4M -x264-params nal-hrd=cbr -aspect " + aspect;
}

//! Clips as the shipped dat62-preservation profile asks pass it with no finding: H.264 High 4:2:2 SD in AVI, MPEG-2 4:2:2 in MXF, H.264 HD at 20 Mbit/s, and a 24-bit 44.1 kHz WAV; the ones it does not allow are named by their codes.
TEST_F(AvStageTest, ConformsToTheDat62PreservationProfile) {
  const std::map<std::string, fs::path> conforming{
      {"H.264 SD AVI", av_clip("h264.avi", kPal, kTone, h264_422("10M", "4:3"), kSound)},
      {"MPEG-2 MXF", clip("mpeg2.mxf", "-f lavfi -i " + kPal + " -f lavfi -i " + kTone + " " + kPicture +
                                            " -c:a pcm_s24le -ac 1 -ar 48000")},
      {"H.264 HD AVI", av_clip("hd.avi", "testsrc2=size=1920x1080:rate=25", kTone, h264_422("20M", "16:9"), kSound, 2)},
      {"WAV 24-bit", clip("tape.wav", "-f lavfi -i sine=frequency=440:sample_rate=44100 -c:a pcm_s24le -ac 2")},
  };
  for (const auto& [what, file] : conforming) {
    const Outcome outcome = check_as(file, "dat62-preservation");
    EXPECT_TRUE(outcome.findings.empty()) << what << ": " << ::testing::PrintToString(codes(outcome));
  }
  const std::map<std::string, std::pair<fs::path, std::vector<std::string>>> faulty{
      {"MPEG-4 at 4 Mbit/s, 4:2:0, mp2 in 16 bits",
       {av_clip("light.avi", kPal, "sine=frequency=440:sample_rate=44100",
                "-c:v mpeg4 -pix_fmt yuv420p -b:v 4M -minrate 4M -maxrate 4M -bufsize 1M -aspect 4:3",
                "-c:a mp2 -b:a 224k -ac 2"),
        {"av.video_codec", "av.chroma", "av.bit_rate", "av.audio_codec", "av.audio_bit_depth"}}},
      {"H.264 HD below 16 Mbit/s",
       {av_clip("thin-hd.avi", "testsrc2=size=1920x1080:rate=25", kTone, h264_422("10M", "16:9"), kSound, 2),
        {"av.bit_rate"}}},
      {"a 16-bit WAV", {clip("cd.wav", "-f lavfi -i sine=frequency=440:sample_rate=44100 -c:a pcm_s16le -ac 2"),
                        {"av.audio_bit_depth"}}},
      {"QuickTime pictures", {av_clip("take.mov", kPal, kTone, h264_422("10M", "4:3"), "-c:a pcm_s24le -ac 2"),
                              {"av.container"}}},
  };
  for (const auto& [what, clip_and_codes] : faulty) {
    std::vector<std::string> found = codes(check_as(clip_and_codes.first, "dat62-preservation"));
    std::sort(found.begin(), found.end());
    std::vector<std::string> expected = clip_and_codes.second;
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(found, expected) << what;
  }
}

//! The shipped backup-sd profile passes the light backup copy it names (MPEG-4 at about 4 Mbit/s with MPEG audio at 224 kbit/s, 720x576 at 25 frames) and flags what it does not allow: a preservation master above its 6 Mbit/s, another frame rate, another frame size.
TEST_F(AvStageTest, ConformsToTheBackupSdProfile) {
  const std::string light = "-c:v mpeg4 -pix_fmt yuv420p -b:v 4M -minrate 4M -maxrate 4M -bufsize 1M -aspect 4:3";
  const std::string mp2 = "-c:a mp2 -b:a 224k -ac 2";
  const std::string cd = "sine=frequency=440:sample_rate=44100";
  const Outcome passed = check_as(av_clip("backup.avi", kPal, cd, light, mp2), "backup-sd");
  EXPECT_TRUE(passed.findings.empty()) << ::testing::PrintToString(codes(passed));
  const Outcome wav = check_as(clip("backup.wav", "-f lavfi -i " + cd + " -c:a pcm_s16le -ac 2"), "backup-sd");
  EXPECT_TRUE(wav.findings.empty()) << ::testing::PrintToString(codes(wav));

  EXPECT_EQ(codes(check_as(av_clip("master.avi"), "backup-sd")), std::vector<std::string>{"av.bit_rate"});
  EXPECT_EQ(codes(check_as(av_clip("ntsc.avi", "testsrc2=size=720x576:rate=30000/1001", cd, light, mp2), "backup-sd")),
            std::vector<std::string>{"av.frame_rate"});
  EXPECT_EQ(codes(check_as(av_clip("small.avi", "testsrc2=size=640x480:rate=25", cd, light, mp2), "backup-sd")),
            std::vector<std::string>{"av.frame_size"});
}

//! A file cut short is av.duration_mismatch (the container declares more than decodes); bytes damaged in the middle are av.decode_error with the time of the first; a file that is no media at all is av.unreadable naming the reason.
TEST_F(AvStageTest, TruncatedDamagedAndUnreadable) {
  const fs::path whole = av_clip("whole.avi", kPal, kTone, kPicture, kSound, 4);
  std::string bytes = read_file(whole);

  const fs::path cut = dir_ / "cut.avi";
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  const Outcome truncated = check(cut);
  const Finding* mismatch = finding(truncated, "av.duration_mismatch");
  ASSERT_NE(mismatch, nullptr) << ::testing::PrintToString(codes(truncated));
  EXPECT_LT(std::stod(mismatch->value), 3.0);
  EXPECT_EQ(mismatch->threshold, "4.00");

  // A WAV and an MXF cut short: the WAV's RIFF header declares its data chunk's full size,
  // the MXF its duration in its header partition.
  const fs::path whole_wav = clip("whole.wav", "-f lavfi -i " + kTone + " " + kSound, 4);
  const fs::path whole_mxf = clip("whole.mxf",
                                  "-f lavfi -i " + kPal + " -f lavfi -i " + kTone + " " + kPicture +
                                      " -c:a pcm_s24le -ac 1 -ar 48000",
                                  4);
  for (const fs::path& file : {whole_wav, whole_mxf}) {
    SCOPED_TRACE(file.filename().string());
    EXPECT_TRUE(check(file).findings.empty()) << ::testing::PrintToString(codes(check(file)));
    const std::string all = read_file(file);
    const fs::path short_file = dir_ / ("cut" + file.extension().string());
    std::ofstream(short_file, std::ios::binary) << all.substr(0, all.size() / 2);
    const Outcome cut_short = check(short_file);
    const Finding* short_by = finding(cut_short, "av.duration_mismatch");
    ASSERT_NE(short_by, nullptr) << ::testing::PrintToString(codes(cut_short));
    EXPECT_LT(std::stod(short_by->value), 2.5);
    EXPECT_EQ(short_by->threshold, "4.00");
  }

  // A slice of the picture data overwritten with noise, a third of the way in.
  std::string damaged = bytes;
  unsigned state = 12345;
  for (std::size_t i = damaged.size() / 3; i < damaged.size() / 3 + 20000; ++i) {
    state = state * 1103515245 + 12345;
    damaged[i] = static_cast<char>(state >> 16);
  }
  const fs::path broken = dir_ / "broken.avi";
  std::ofstream(broken, std::ios::binary) << damaged;
  const Outcome errors = check(broken);
  const Finding* decode = finding(errors, "av.decode_error");
  ASSERT_NE(decode, nullptr) << ::testing::PrintToString(codes(errors));
  EXPECT_NE(decode->message.find("the first at 00:00:01"), std::string::npos) << decode->message;

  const fs::path text = dir_ / "notes.avi";
  std::ofstream(text) << "not a recording\n";
  const Outcome unreadable = check(text);
  ASSERT_EQ(codes(unreadable), std::vector<std::string>{"av.unreadable"});
  EXPECT_NE(unreadable.findings[0].message.find("notes.avi: "), std::string::npos);
}

//! The recording is copied byte for byte to WORK/av/<档号>/<serial>.<ext> in the read that checks it, whether the demuxer reads it in order (WAV) or jumps to its index at the end (AVI); a file that cannot be read leaves no copy behind.
TEST_F(AvStageTest, CopiesTheRecordingInTheSameRead) {
  for (const fs::path& file : {av_clip("take.AVI"), clip("tape.wav", "-f lavfi -i sine=frequency=440:sample_rate=44100 -c:a pcm_s24le")}) {
    SCOPED_TRACE(file.filename().string());
    const Outcome outcome = check(file);
    ASSERT_EQ(outcome.outputs.size(), 2u);  // and its contact sheet or waveform
    const StageOutput& copy = outcome.outputs[0];
    EXPECT_EQ(copy.kind, "av_file");
    std::string extension = file.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
    EXPECT_EQ(copy.path, "av/J012-SX·2021-Y-BGS-0001/0001" + extension);
    const std::string original = read_file(file);
    EXPECT_EQ(read_file(dir_ / utf8_path(copy.path)), original);
    EXPECT_EQ(copy.sha256, hex_digest(DigestAlgorithm::sha256, original));
    // Every manifest's digest is taken in the same read, for the deposit.
    EXPECT_EQ(copy.md5, hex_digest(DigestAlgorithm::md5, original));
    EXPECT_EQ(copy.sm3, hex_digest(DigestAlgorithm::sm3, original));
  }
  const fs::path text = dir_ / "notes.avi";
  std::ofstream(text) << "not a recording\n";
  fs::remove_all(dir_ / "av");
  EXPECT_TRUE(check(text).outputs.empty());
  for (const auto& entry : fs::recursive_directory_iterator(dir_ / "av"))
    EXPECT_FALSE(entry.is_regular_file()) << entry.path();
}

//! For review, a video gets a contact sheet of its pictures at even intervals with their time codes, and a sound recording a waveform image; contact_frames: 0 makes no sheet.
TEST_F(AvStageTest, ContactSheetAndWaveformForReview) {
  const Outcome video = check(av_clip("take.avi", kPal, kTone, kPicture, kSound, 4), "{contact_frames: 8}");
  ASSERT_EQ(video.outputs.size(), 2u);
  EXPECT_EQ(video.outputs[1].kind, "contact_sheet");
  EXPECT_EQ(video.outputs[1].path, "av/J012-SX·2021-Y-BGS-0001/0001.contact.jpg");
  const cv::Mat sheet = decode_jpeg(read_file(dir_ / utf8_path(video.outputs[1].path)));
  // Two rows of four 240-px pictures (4:3: 180 px high) with captions.
  EXPECT_EQ(sheet.cols, 8 + 4 * (240 + 8));
  EXPECT_EQ(sheet.rows, 8 + 2 * (180 + 22 + 8));
  // The pictures differ: testsrc2 moves, so pictures from different times are not alike.
  const cv::Mat first = sheet(cv::Rect(8, 8, 240, 180)), last = sheet(cv::Rect(8 + 3 * 248, 8 + 210, 240, 180));
  EXPECT_GT(cv::norm(first, last, cv::NORM_L1) / (240.0 * 180 * 3), 5.0);

  const Outcome sound = check(clip("tape.wav", "-f lavfi -i sine=frequency=440:sample_rate=44100 -c:a pcm_s24le"));
  ASSERT_EQ(sound.outputs.size(), 2u);
  EXPECT_EQ(sound.outputs[1].kind, "waveform");
  const cv::Mat wave = decode_jpeg(read_file(dir_ / utf8_path(sound.outputs[1].path)));
  EXPECT_EQ(wave.size(), cv::Size(1200, 180));
  // A steady tone at 1/8 of full scale (ffmpeg's sine): the drawn band lies about the middle line.
  cv::Mat grey;
  cv::cvtColor(wave(cv::Rect(0, 0, 1200, 160)), grey, cv::COLOR_BGR2GRAY);
  const cv::Rect band = cv::boundingRect(grey < 128);
  EXPECT_NEAR(band.y + band.height / 2.0, 80, 3);
  EXPECT_GT(band.width, 1150);

  EXPECT_EQ(check(dir_ / "take.avi", "{contact_frames: 0}").outputs.size(), 1u);
}

//! A bad frame_sizes value in the profile is refused naming the key.
TEST_F(AvStageTest, RefusesBadSettings) {
  AvStage stage;
  YAML::Node node = YAML::Load("{frame_sizes: '720 by 576'}");
  ProfileSection section("test.yaml", "av", node);
  try {
    stage.setup(section, StageContext{dir_, dir_, 1});
    FAIL() << "accepted";
  } catch (const ProfileError& error) {
    EXPECT_NE(std::string(error.what()).find("frame_sizes"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace lantai::av
