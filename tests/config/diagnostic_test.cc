#include <gtest/gtest.h>

#include "mlbench/config/load.h"

namespace mlbench::config {
namespace {

TEST(DiagnosticFormat, HasEveryPart) {
  const Diagnostic diagnostic{"config.yaml",
                              3,
                              7,
                              "nodes[1].port",
                              "70000 is out of range",
                              "use an integer from 1 to 65535"};
  EXPECT_EQ(diagnostic.format(),
            "config.yaml:3:7: nodes[1].port: 70000 is out of range (use an integer from 1 to "
            "65535)");
}

TEST(DiagnosticFormat, LeavesOutEmptyKeyPathAndFix) {
  EXPECT_EQ((Diagnostic{"c.yaml", 2, 1, "", "illegal map value", ""}.format()),
            "c.yaml:2:1: illegal map value");
}

TEST(DiagnosticFormat, LeavesOutUnknownPosition) {
  EXPECT_EQ(
      (Diagnostic{"gone.yaml", 0, 0, "", "cannot read the config file", "check the path"}.format()),
      "gone.yaml: cannot read the config file (check the path)");
}

TEST(ToError, JoinsDiagnosticsOneALine) {
  const Error error = to_error({Diagnostic{"a.yaml", 1, 1, "x", "bad", "fix it"},
                                Diagnostic{"a.yaml", 2, 3, "", "worse", ""}});
  EXPECT_EQ(error.code, ErrorCode::kConfig);
  EXPECT_EQ(error.message, "a.yaml:1:1: x: bad (fix it)\na.yaml:2:3: worse");
}

}  // namespace
}  // namespace mlbench::config
