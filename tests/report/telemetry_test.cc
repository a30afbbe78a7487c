#include "mlbench/report/telemetry.h"

#include <gtest/gtest.h>

namespace mlbench::report {
namespace {

TEST(Telemetry, ReadsColumnsByHeaderNameAndEmptyCellsAsUnmeasured) {
  const Telemetry telemetry = parse_telemetry_csv(
      "t_ns,gpu,utilization_pct,memory_used_mib,power_w,sm_clock_mhz,temperature_c,fan_pct\n"
      "0,0,97.5,70123,650.2,1980,61,40\n"
      "1000000000,0,,70200,,1980,62,41\n",
      "t.csv");
  EXPECT_TRUE(telemetry.problems.empty());
  ASSERT_EQ(telemetry.samples.size(), 2u);
  EXPECT_EQ(telemetry.samples[0].utilization_pct, 97.5);
  EXPECT_EQ(telemetry.samples[1].t_ns, 1'000'000'000);
  EXPECT_FALSE(telemetry.samples[1].utilization_pct);
  EXPECT_EQ(telemetry.samples[1].temperature_c, 62);
}

TEST(Telemetry, DamageNamesLineAndColumn) {
  const Telemetry telemetry =
      parse_telemetry_csv("gpu,t_ns,power_w\n0,5,abc\n0,6\n1,7,100\n", "t.csv");
  ASSERT_EQ(telemetry.problems.size(), 2u);
  EXPECT_EQ(telemetry.problems[0].where, "t.csv:2");
  EXPECT_NE(telemetry.problems[0].message.find("'power_w' is 'abc'"), std::string::npos);
  EXPECT_EQ(telemetry.problems[1].where, "t.csv:3");
  ASSERT_EQ(telemetry.samples.size(), 1u);
  EXPECT_EQ(telemetry.samples[0].gpu, 1);
}

TEST(Telemetry, HeaderMustNameTimeAndGpu) {
  const Telemetry telemetry = parse_telemetry_csv("time,power_w\n1,2\n", "t.csv");
  ASSERT_EQ(telemetry.problems.size(), 1u);
  EXPECT_EQ(telemetry.problems[0].where, "t.csv:1");
}

}  // namespace
}  // namespace mlbench::report
