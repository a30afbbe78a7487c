// The nodes list: names, addresses and what each launcher needs of it.

#include <gtest/gtest.h>

#include "config_test_support.h"

namespace mlbench::config {
namespace {

using testing::errors_of;
using testing::load;
using Lines = std::vector<std::string>;

TEST(Nodes, SshLauncherNeedsANodesList) {
  EXPECT_EQ(errors_of("cluster: {launcher: ssh}\nrunner: {backend: sim}\n"),
            Lines{"test.yaml:1:1: nodes: required for launcher 'ssh' but not set (list the nodes "
                  "to run on, each with a name and host)"});
}

TEST(Nodes, EmptyListIsAnErrorForEveryLauncher) {
  EXPECT_EQ(errors_of("runner: {backend: sim}\nnodes: []\n"),
            Lines{"test.yaml:2:8: nodes: no nodes listed (list at least one node, or remove the "
                  "key to run on this machine)"});
  EXPECT_EQ(errors_of("cluster: {launcher: ssh}\nnodes: []\nrunner: {backend: sim}\n"),
            Lines{"test.yaml:2:8: nodes: no nodes listed (list each node with a name and host)"});
}

TEST(Nodes, NodesMustBeAList) {
  EXPECT_EQ(errors_of("runner: {backend: sim}\nnodes: {name: a}\n"),
            Lines{"test.yaml:2:8: nodes: expected a list, got a mapping (write a list such as "
                  "[{name: node1, host: 10.0.0.1}])"});
}

TEST(Nodes, EachNodeMustBeAMapping) {
  EXPECT_EQ(errors_of("runner: {backend: sim}\nnodes:\n  - jw2\n"),
            Lines{"test.yaml:3:5: nodes[0]: expected a mapping, got 'jw2' (valid keys: name, "
                  "host, port, user, gpus)"});
}

TEST(Nodes, NameIsRequiredAndReportedAtTheNode) {
  EXPECT_EQ(errors_of("runner: {backend: sim}\nnodes:\n  - host: 10.0.0.1\n"),
            Lines{"test.yaml:3:5: nodes[0].name: required but not set (add `name:`, e.g. name: "
                  "node1)"});
}

TEST(Nodes, NamesMustBeUsableAsDirectoryNames) {
  const std::string fix =
      " (use letters, digits, '.', '_' and '-', starting with a letter or digit; node names "
      "become directory names)";
  EXPECT_EQ(errors_of(R"yaml(runner: {backend: sim}
nodes:
  - name: my node
  - name: -x
  - name: a/b
  - name: jw2.lab_1-a
)yaml"),
            (Lines{"test.yaml:3:11: nodes[0].name: invalid node name 'my node'" + fix,
                   "test.yaml:4:11: nodes[1].name: invalid node name '-x'" + fix,
                   "test.yaml:5:11: nodes[2].name: invalid node name 'a/b'" + fix}));
}

TEST(Nodes, DuplicateNameNamesTheLineOfTheFirst) {
  EXPECT_EQ(errors_of(R"yaml(runner: {backend: sim}
nodes:
  - name: jw2
  - name: jw3
  - name: jw2
)yaml"),
            Lines{"test.yaml:5:11: nodes[2].name: duplicate node name 'jw2' (first used on line "
                  "3; node names must be unique)"});
}

TEST(Nodes, SshNodesNeedAHostAndDistinctAddresses) {
  EXPECT_EQ(errors_of(R"yaml(cluster: {launcher: ssh}
runner: {backend: sim}
nodes:
  - {name: a, host: 10.0.0.1}
  - {name: b}
  - {name: c, host: 10.0.0.1, port: 22}
  - {name: d, host: 10.0.0.1, port: 2222}
)yaml"),
            (Lines{"test.yaml:5:5: nodes[1].host: required for launcher 'ssh' but not set (add "
                   "`host:` with the node's address)",
                   "test.yaml:6:21: nodes[2].host: duplicate node address 10.0.0.1:22 (first "
                   "used on line 4; each node needs its own host:port)"}));
}

TEST(Nodes, LocalLauncherNeedsNoHost) {
  const LoadOutcome outcome = load(R"yaml(runner: {backend: sim}
nodes: [{name: a}, {name: b, gpus: [1, 0]}]
)yaml");
  ASSERT_TRUE(outcome.diagnostics.empty()) << testing::formatted(outcome.diagnostics)[0];
  EXPECT_EQ(node_names(*outcome.config), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(outcome.config->nodes[1].gpus, (std::vector<int>{1, 0}));
}

TEST(Nodes, GpuListHoldsDistinctNonNegativeIntegers) {
  EXPECT_EQ(errors_of(R"yaml(runner: {backend: sim}
nodes:
  - name: a
    gpus: [0, -1, 0, x]
)yaml"),
            (Lines{"test.yaml:4:15: nodes[0].gpus[1]: -1 is out of range (use an integer of at "
                   "least 0)",
                   "test.yaml:4:19: nodes[0].gpus[2]: duplicate GPU index 0 (already listed as "
                   "nodes[0].gpus[0])",
                   "test.yaml:4:22: nodes[0].gpus[3]: expected an integer, got 'x' (use an "
                   "integer of at least 0)"}));
}

}  // namespace
}  // namespace mlbench::config
