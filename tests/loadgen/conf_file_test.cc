#include "mlbench/loadgen/conf_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace mlbench::loadgen {
namespace {

using ::testing::HasSubstr;

bool has_diagnostic(const ConfFile& conf, DiagnosticSeverity severity, int line,
                    const std::string& text) {
  return std::any_of(conf.diagnostics.begin(), conf.diagnostics.end(), [&](const auto& d) {
    return d.severity == severity && d.line == line && d.file == conf.name &&
           d.message.find(text) != std::string::npos;
  });
}

TEST(ConfFile, ReadsKeyEqualsValueLines) {
  const ConfFile conf = parse_conf(
      "llama3_1-8b.Offline.target_qps = 40\n"
      "*.*.min_duration\t=\t10000\r\n"
      "   *.Server.target_qps   =   0.5   \n",
      "user.conf");
  EXPECT_FALSE(conf.rejected);
  EXPECT_TRUE(conf.diagnostics.empty());
  ASSERT_EQ(conf.entries.size(), 3u);
  EXPECT_EQ(conf.entries.at("llama3_1-8b.Offline.target_qps"), (ConfEntry{"40", 1}));
  EXPECT_EQ(conf.entries.at("*.*.min_duration"), (ConfEntry{"10000", 2}));
  EXPECT_EQ(conf.entries.at("*.Server.target_qps"), (ConfEntry{"0.5", 3}));
}

TEST(ConfFile, LastLineWithTheSameKeyWinsAndIsReported) {
  const ConfFile conf = parse_conf("a.b.c = 1\na.b.c = 2\n", "user.conf");
  EXPECT_EQ(conf.entries.at("a.b.c"), (ConfEntry{"2", 2}));
  EXPECT_TRUE(has_diagnostic(conf, DiagnosticSeverity::kWarning, 2, "replaces line 1"));
}

TEST(ConfFile, CommentLinesAndBlankLinesAreSkippedQuietly) {
  const ConfFile conf =
      parse_conf("# a comment\n\n   \n  # indented comment = 3\n#\n#tight\n", "user.conf");
  EXPECT_FALSE(conf.rejected);
  EXPECT_TRUE(conf.entries.empty());
  EXPECT_TRUE(conf.diagnostics.empty());
}

TEST(ConfFile, HashTokenAfterKeyEndsTheLine) {
  const ConfFile conf = parse_conf("a.b.c # = 4\n", "user.conf");
  EXPECT_FALSE(conf.rejected);
  EXPECT_TRUE(conf.entries.empty());
  EXPECT_TRUE(has_diagnostic(conf, DiagnosticSeverity::kWarning, 1, "has no '= value'"));
}

TEST(ConfFile, KeyGluedToValueIsIgnoredWithAWarning) {
  const ConfFile conf = parse_conf("x.y.z = 1\na.b.c=1\n", "user.conf");
  EXPECT_FALSE(conf.rejected);
  EXPECT_EQ(conf.entries.size(), 1u);
  EXPECT_TRUE(has_diagnostic(conf, DiagnosticSeverity::kWarning, 2, "needs spaces around '='"));
}

TEST(ConfFile, MissingValueIsIgnoredWithAWarning) {
  const ConfFile conf = parse_conf("a.b.c =\n", "user.conf");
  EXPECT_FALSE(conf.rejected);
  EXPECT_TRUE(conf.entries.empty());
  EXPECT_TRUE(has_diagnostic(conf, DiagnosticSeverity::kWarning, 1, "no value after '='"));
}

TEST(ConfFile, TrailingCommentRejectsTheWholeFile) {
  const ConfFile conf = parse_conf("a.b.c = 1\nd.e.f = 7 # note\ng.h.i = 3\n", "user.conf");
  EXPECT_TRUE(conf.rejected);
  EXPECT_TRUE(conf.entries.empty());
  EXPECT_TRUE(has_diagnostic(conf, DiagnosticSeverity::kLoadGenError, 2,
                             "value needs to be integer or double, line=2"));
  EXPECT_TRUE(has_diagnostic(conf, DiagnosticSeverity::kWarning, 2, "comment after a value"));
  EXPECT_TRUE(has_diagnostic(conf, DiagnosticSeverity::kWarning, 0, "ignores this whole file"));
  const auto error = std::find_if(conf.diagnostics.begin(), conf.diagnostics.end(), [](auto& d) {
    return d.severity == DiagnosticSeverity::kLoadGenError;
  });
  EXPECT_EQ(error->loadgen_log_key, "error_invalid_config");
  EXPECT_EQ(error->describe(),
            "user.conf:2: LoadGen error: value needs to be integer or double, line=2");
}

TEST(ConfFile, NonNumericValueRejectsTheWholeFile) {
  const ConfFile conf = parse_conf("a.b.c = yes\n", "user.conf");
  EXPECT_TRUE(conf.rejected);
  EXPECT_TRUE(has_diagnostic(conf, DiagnosticSeverity::kLoadGenError, 1,
                             "value needs to be integer or double, line=1"));
  EXPECT_TRUE(has_diagnostic(conf, DiagnosticSeverity::kWarning, 1, "'yes' is not a number"));
}

TEST(ConfFile, SecondTokenOtherThanEqualsRejectsTheWholeFile) {
  const ConfFile conf = parse_conf("ok.ok.ok = 1\na.b.c : 1\n", "user.conf");
  EXPECT_TRUE(conf.rejected);
  EXPECT_TRUE(
      has_diagnostic(conf, DiagnosticSeverity::kLoadGenError, 2, "expected 'key=value', line=2"));
}

TEST(ConfFile, CommentWithoutSpaceAfterHashRejectsTheWholeFile) {
  // "#user.conf" is taken as a key, so "for" is where LoadGen expects "=".
  const ConfFile conf = parse_conf("#user.conf for llama\n", "user.conf");
  EXPECT_TRUE(conf.rejected);
  EXPECT_TRUE(has_diagnostic(conf, DiagnosticSeverity::kWarning, 1, "only when '#' stands alone"));
}

TEST(ConfFile, AcceptsTheNumberFormsLoadGenAccepts) {
  for (const std::string value : {"010", "0x1F", "-3", "+4", "1.5", "6e5", ".5", "1e-3", "inf"}) {
    const ConfFile conf = parse_conf("a.b.c = " + value + "\n", "user.conf");
    EXPECT_FALSE(conf.rejected) << value;
    EXPECT_EQ(conf.entries.at("a.b.c").value, value);
  }
  for (const std::string value : {"1ms", "0x", "1,5", "ten", "1.2.3"}) {
    EXPECT_TRUE(parse_conf("a.b.c = " + value + "\n", "user.conf").rejected) << value;
  }
}

TEST(ConfFile, FurtherNumbersOnALineReplaceTheValue) {
  const ConfFile conf = parse_conf("a.b.c = 5 6\n", "user.conf");
  EXPECT_EQ(conf.entries.at("a.b.c").value, "6");
  EXPECT_TRUE(has_diagnostic(conf, DiagnosticSeverity::kWarning, 1, "uses the last number"));
}

TEST(ConfFile, LastLineWithoutNewlineCounts) {
  const ConfFile conf = parse_conf("\n\na.b.c = 1", "user.conf");
  EXPECT_EQ(conf.entries.at("a.b.c"), (ConfEntry{"1", 3}));
}

TEST(ConfFile, DescribeNamesFileAndLine) {
  const ConfFile conf = parse_conf("a.b.c=1\n", "/tmp/u.conf");
  ASSERT_EQ(conf.diagnostics.size(), 1u);
  EXPECT_THAT(conf.diagnostics[0].describe(), HasSubstr("/tmp/u.conf:1: line ignored"));
}

}  // namespace
}  // namespace mlbench::loadgen
