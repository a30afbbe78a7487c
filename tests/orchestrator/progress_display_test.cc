#include "mlbench/orchestrator/progress_display.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace mlbench::orchestrator {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

NodeView running(const std::string& name, uint64_t issued, uint64_t completed) {
  NodeView view;
  view.name = name;
  view.phase = NodePhase::kRunning;
  view.has_progress = true;
  view.progress = ProgressEvent{issued, completed, completed * 100, 2'000'000'000};
  return view;
}

// What a display wrote, through a real FILE*.
class Captured {
 public:
  Captured() : file_(std::tmpfile()) {}
  ~Captured() { std::fclose(file_); }
  std::FILE* file() { return file_; }
  std::string text() {
    std::fflush(file_);
    std::rewind(file_);
    std::string out;
    for (int c = std::fgetc(file_); c != EOF; c = std::fgetc(file_))
      out += static_cast<char>(c);
    return out;
  }

 private:
  std::FILE* file_;
};

TEST(FormatNodeLine, ShowsSamplesTokensPerSecondAndEta) {
  // 100 of 300 answered in 2 s: 50 samples/s, so 4 s for the 200 left; 10000 tokens in 2 s.
  EXPECT_EQ(format_node_line(running("jw2", 300, 100), 4),
            "jw2   running     100/300 samples  5000 tok/s  ETA 0:04");
}

// 100 answered in 2 s and 300 issued, of a run of `total`.
std::string line_with_total(uint64_t total, bool exact) {
  NodeView view = running("jw2", 300, 100);
  view.progress.total = total;
  view.progress.total_exact = exact;
  return format_node_line(view, 4);
}

TEST(FormatNodeLine, ATotalGivesTheEtaOfTheWholeRunAndAnEstimateIsMarked) {
  // The 400 left of 500 at 50 samples/s take 8 s.
  EXPECT_EQ(line_with_total(500, true),
            "jw2   running     100/300 of 500 samples  5000 tok/s  ETA 0:08");
  EXPECT_EQ(line_with_total(500, false),
            "jw2   running     100/300 of ~500 samples  5000 tok/s  ETA ~0:08");
  // An estimate overtaken by the run: the samples already issued still have to be answered.
  EXPECT_EQ(line_with_total(200, false),
            "jw2   running     100/300 of ~200 samples  5000 tok/s  ETA ~0:04");
}

TEST(FormatNodeLine, AFinishedNodeKeepsAnExactTotalButNotAnEstimate) {
  NodeView view = running("jw2", 300, 300);
  view.phase = NodePhase::kDone;
  view.status = report::NodeStatus::kOk;
  view.progress.total = 300;
  view.progress.total_exact = true;
  EXPECT_EQ(format_node_line(view, 4), "jw2   ok          300/300 of 300 samples  15000 tok/s");
  view.progress.total = 310;
  view.progress.total_exact = false;
  EXPECT_EQ(format_node_line(view, 4), "jw2   ok          300/300 samples  15000 tok/s");
}

TEST(FormatNodeLine, FinishedNodeShowsStatusAndReasonWithoutEta) {
  NodeView view = running("jw3", 300, 120);
  view.phase = NodePhase::kDone;
  view.status = report::NodeStatus::kFailed;
  view.note = "lost the node during the run";
  const std::string line = format_node_line(view, 3);
  EXPECT_THAT(line, HasSubstr("jw3  failed"));
  EXPECT_THAT(line, HasSubstr("lost the node during the run"));
  EXPECT_THAT(line, Not(HasSubstr("ETA")));
}

TEST(FormatNodeLine, ConnectingShowsTheRetry) {
  NodeView view;
  view.name = "jw2";
  view.phase = NodePhase::kConnecting;
  view.attempt = 2;
  EXPECT_EQ(format_node_line(view, 3), "jw2  connecting  attempt 2");
}

TEST(FormatNodeLine, StoppingSaysASecondCtrlCKillsNow) {
  NodeView node{.name = "jw2", .phase = NodePhase::kStopping};
  EXPECT_EQ(format_node_line(node, 3), "jw2  stopping    (Ctrl-C again: kill now)");
  node.status = report::NodeStatus::kPartial;
  EXPECT_THAT(format_node_line(node, 3), Not(HasSubstr("Ctrl-C")));
}

TEST(FormatNodeLine, ARunningNodeShowsItsGpusUtilisationAndPower) {
  NodeView one = running("jw2", 300, 100);
  one.gpus = {TelemetryEvent{{.gpu = 0, .utilization_pct = 97, .power_w = 612.4}}};
  EXPECT_EQ(format_node_line(one, 4),
            "jw2   running     100/300 samples  5000 tok/s  GPU 97% 612 W  ETA 0:04");
  // Several GPUs: the mean utilisation, the power of them all; a reading one lacks is skipped.
  NodeView two = running("jw2", 300, 100);
  two.gpus = {TelemetryEvent{{.gpu = 0, .utilization_pct = 90, .power_w = 600}},
              TelemetryEvent{{.gpu = 1, .utilization_pct = 100}}};
  EXPECT_THAT(format_node_line(two, 4), HasSubstr("tok/s  2 GPUs 95% 600 W  ETA"));
  // Nothing to show of a GPU without either reading, nor of a node that is done.
  NodeView bare = running("jw2", 300, 100);
  bare.gpus = {TelemetryEvent{{.gpu = 0, .temperature_c = 50}}};
  EXPECT_THAT(format_node_line(bare, 4), Not(HasSubstr("GPU")));
  one.phase = NodePhase::kDone;
  one.status = report::NodeStatus::kOk;
  EXPECT_THAT(format_node_line(one, 4), Not(HasSubstr("GPU")));
}

TEST(ProgressBoard, KeepsTheLatestReadingOfEachGpu) {
  ProgressBoard board({"jw2"});
  board.record(0, TelemetryEvent{{.t_ns = 1, .gpu = 0, .power_w = 100}});
  board.record(0, TelemetryEvent{{.t_ns = 1, .gpu = 1, .power_w = 110}});
  board.record(0, TelemetryEvent{{.t_ns = 2, .gpu = 0, .power_w = 200}});
  const std::vector<TelemetryEvent> gpus = board.snapshot().at(0).gpus;
  ASSERT_EQ(gpus.size(), 2u);
  EXPECT_EQ(gpus[0].gpu, 0);
  EXPECT_EQ(gpus[0].power_w, 200);
  EXPECT_EQ(gpus[1].power_w, 110);
}

TEST(ProgressBoard, CountsWithoutATotalKeepTheTotalAnnouncedBefore) {
  ProgressBoard board({"jw2"});
  board.record(0, ProgressEvent{.issued = 40, .completed = 10, .total = 40, .total_exact = true});
  board.record(0, ProgressEvent{.issued = 40, .completed = 40});  // e.g. from the result event
  const NodeView view = board.snapshot().at(0);
  EXPECT_EQ(view.progress.completed, 40u);
  EXPECT_EQ(view.progress.total, 40u);
  EXPECT_TRUE(view.progress.total_exact);
  // A new total (a refined estimate) replaces the old one.
  board.record(0, ProgressEvent{.issued = 41, .completed = 40, .total = 60});
  EXPECT_EQ(board.snapshot().at(0).progress.total, 60u);
  EXPECT_FALSE(board.snapshot().at(0).progress.total_exact);
}

TEST(ProgressDisplay, TerminalRedrawsTheSameLinesInPlace) {
  Captured out;
  ProgressDisplay display(out.file(), /*smart_terminal=*/true);
  const auto start = ProgressDisplay::Clock::now();
  display.update({running("a", 10, 1), running("b", 10, 2)}, start);
  display.update({running("a", 10, 5), running("b", 10, 6)}, start + std::chrono::seconds(1));
  const std::string text = out.text();
  EXPECT_EQ(text.find("\x1b[2A"), text.rfind("\x1b[2A")) << "moved up once, for the redraw";
  EXPECT_THAT(text, HasSubstr("\x1b[2A\ra "));
  EXPECT_THAT(text, HasSubstr("5/10 samples"));
}

TEST(ProgressDisplay, PipeGetsPlainLinesOnlyWhenSomethingChanges) {
  Captured out;
  ProgressDisplay display(out.file(), /*smart_terminal=*/false);
  const auto start = ProgressDisplay::Clock::now();
  display.update({running("a", 10, 1)}, start);
  display.update({running("a", 10, 2)}, start + std::chrono::seconds(1));  // nothing new to say
  NodeView done = running("a", 10, 10);
  done.phase = NodePhase::kDone;
  done.status = report::NodeStatus::kOk;
  display.finish({done});
  const std::string text = out.text();
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(text,
            "a     running     1/10 samples  50 tok/s  ETA 0:18\n"
            "a     ok          10/10 samples  500 tok/s\n");
}

}  // namespace
}  // namespace mlbench::orchestrator
