// Configs that do not fit the schema: each case asserts the exact diagnostics, position included.

#include <gtest/gtest.h>

#include "config_test_support.h"

namespace mlbench::config {
namespace {

using testing::errors_of;
using testing::FakeWorld;
using testing::load;
using Lines = std::vector<std::string>;

TEST(SchemaErrors, UnknownKeySuggestsTheClosestOne) {
  EXPECT_EQ(errors_of(R"yaml(cluster:
  launchr: ssh
runner: {backend: sim}
)yaml"),
            Lines{"test.yaml:2:3: cluster.launchr: unknown key 'launchr' (did you mean "
                  "'launcher'?)"});
}

TEST(SchemaErrors, UnknownTopLevelKeySuggestsTheClosestOne) {
  EXPECT_EQ(errors_of("runner: {backend: sim}\ndatset: {path: x}\n"),
            Lines{"test.yaml:2:1: datset: unknown key 'datset' (did you mean 'dataset'?)"});
}

TEST(SchemaErrors, UnknownKeyWithNothingCloseListsTheValidKeys) {
  EXPECT_EQ(errors_of("runner: {backend: sim, colour: blue}\n"),
            Lines{"test.yaml:1:24: runner.colour: unknown key 'colour' (valid keys: path, "
                  "backend, workdir, upload, local_path, args)"});
}

TEST(SchemaErrors, RunnerArgsRefuseAFlagTheControllerSetsAndNameItsKey) {
  EXPECT_EQ(errors_of("runner: {backend: sim, args: [--max-batch, '64', --gpus=1, --out, x]}\n"),
            (Lines{"test.yaml:1:50: runner.args[2]: the controller passes --gpus itself (remove "
                   "it: nodes[].gpus sets it)",
                   "test.yaml:1:60: runner.args[3]: the controller passes --out itself (remove "
                   "it: report.out_dir sets it)"}));
}

TEST(SchemaErrors, RunnerArgsMustBeAListOfStrings) {
  EXPECT_EQ(errors_of("runner: {backend: sim, args: --max-batch 64}\n"),
            Lines{"test.yaml:1:30: runner.args: expected a list, got '--max-batch 64' (write a "
                  "list such as [--max-batch, \"64\"])"});
}

TEST(SchemaErrors, DuplicateKeyIsReportedAtTheSecond) {
  EXPECT_EQ(errors_of(R"yaml(runner:
  backend: sim
  backend: cpu
)yaml"),
            Lines{"test.yaml:3:3: runner.backend: duplicate key 'backend' (first set on line 2; "
                  "keep one)"});
}

TEST(SchemaErrors, PasswordKeysAreRefusedAtAnyDepthAndCase) {
  EXPECT_EQ(errors_of(R"yaml(cluster:
  ssh:
    user: mlperf
    Password: hunter2
runner: {backend: sim}
nodes:
  - {name: a, passphrase: x}
)yaml"),
            (Lines{"test.yaml:4:5: cluster.ssh.Password: passwords are not accepted in config "
                   "files (use identity_file or the SSH agent)",
                   "test.yaml:7:15: nodes[0].passphrase: passwords are not accepted in config "
                   "files (use identity_file or the SSH agent)"}));
}

TEST(SchemaErrors, PasswordInsideAnUnknownKeyIsStillFound) {
  EXPECT_EQ(errors_of("runner: {backend: sim}\nvault: {password: x}\n"),
            (Lines{"test.yaml:2:1: vault: unknown key 'vault' (valid keys: cluster, nodes, "
                   "runner, model, dataset, benchmark, report)",
                   "test.yaml:2:9: vault.password: passwords are not accepted in config files "
                   "(use identity_file or the SSH agent)"}));
}

TEST(SchemaErrors, SectionOfTheWrongTypeNamesTheValidKeys) {
  EXPECT_EQ(errors_of("cluster: ssh\nrunner: [sim]\n"),
            (Lines{"test.yaml:1:10: cluster: expected a mapping, got 'ssh' (valid keys: "
                   "launcher, ssh, run_timeout_s, collect_timeout_s, heartbeat_timeout_s, "
                   "kill_grace_s)",
                   "test.yaml:2:9: runner: expected a mapping, got a list (valid keys: path, "
                   "backend, workdir, upload, local_path, args)"}));
}

TEST(SchemaErrors, StringFieldRefusesAMapping) {
  EXPECT_EQ(errors_of("runner: {backend: sim}\ncluster: {ssh: {user: {name: x}}}\n"),
            Lines{"test.yaml:2:23: cluster.ssh.user: expected a string, got a mapping (write "
                  "plain text, quoted if it starts with '{' or '[')"});
}

TEST(SchemaErrors, IntegersRejectWordsFloatsOverflowAndTrailingJunk) {
  EXPECT_EQ(errors_of(R"yaml(cluster:
  ssh:
    connect_timeout_s: abc
    keepalive_s: 1.5
    max_parallel: 99999999999999999999
  run_timeout_s: 10s
runner: {backend: sim}
)yaml"),
            (Lines{"test.yaml:3:24: cluster.ssh.connect_timeout_s: expected an integer, got "
                   "'abc' (use an integer from 1 to 3600)",
                   "test.yaml:4:18: cluster.ssh.keepalive_s: expected an integer, got '1.5' (use "
                   "an integer from 0 to 3600)",
                   "test.yaml:5:19: cluster.ssh.max_parallel: 99999999999999999999 is out of "
                   "range (use an integer from 1 to 4096)",
                   "test.yaml:6:18: cluster.run_timeout_s: expected an integer, got '10s' (use an "
                   "integer of at least 1)"}));
}

TEST(SchemaErrors, IntegerOutOfRangeAndMissingValue) {
  EXPECT_EQ(errors_of(R"yaml(runner: {backend: sim}
nodes:
  - name: a
    port: 70000
  - name: b
    port:
benchmark: {max_output_tokens: 0}
)yaml"),
            (Lines{"test.yaml:4:11: nodes[0].port: 70000 is out of range (use an integer from 1 "
                   "to 65535)",
                   "test.yaml:6:5: nodes[1].port: missing value (use an integer from 1 to 65535)",
                   "test.yaml:7:32: benchmark.max_output_tokens: 0 is out of range (use an "
                   "integer from 1 to 131072)"}));
}

TEST(SchemaErrors, NullSectionIsAMissingValue) {
  EXPECT_EQ(errors_of("runner: {backend: sim}\nreport:\n"),
            Lines{"test.yaml:2:1: report: missing value (valid keys: out_dir, formats)"});
}

TEST(SchemaErrors, ListFieldRefusesAScalar) {
  EXPECT_EQ(errors_of("runner: {backend: sim}\nreport: {formats: json}\n"),
            Lines{"test.yaml:2:19: report.formats: expected a list, got 'json' (write a list "
                  "such as [json, md, html])"});
}

TEST(SchemaErrors, UnknownChoicesSuggestOrListTheValidOnes) {
  EXPECT_EQ(errors_of(R"yaml(cluster: {ssh: {host_key_policy: yes}}
runner: {backend: gpu}
benchmark: {scenario: offlne, mode: perf}
)yaml"),
            (Lines{"test.yaml:1:34: cluster.ssh.host_key_policy: unknown host key policy 'yes' "
                   "(use one of: strict, accept-new)",
                   "test.yaml:2:19: runner.backend: unknown backend 'gpu' (did you mean 'cpu'?)",
                   "test.yaml:3:23: benchmark.scenario: unknown scenario 'offlne' (did you mean "
                   "'offline'?)",
                   "test.yaml:3:37: benchmark.mode: unknown mode 'perf' (use one of: "
                   "performance, accuracy)"}));
}

TEST(SchemaErrors, LaunchersNotBuiltYetAreNamed) {
  EXPECT_EQ(errors_of("cluster: {launcher: slurm}\nrunner: {backend: sim}\n"),
            Lines{"test.yaml:1:21: cluster.launcher: launcher 'slurm' is not built yet in this "
                  "version (use local or ssh)"});
  EXPECT_EQ(errors_of("cluster: {launcher: Kubernetes}\nrunner: {backend: sim}\n"),
            Lines{"test.yaml:1:21: cluster.launcher: launcher 'kubernetes' is not built yet in "
                  "this version (use local or ssh)"});
}

TEST(SchemaErrors, MisspelledLauncherSuggestsABuiltOne) {
  EXPECT_EQ(errors_of("cluster: {launcher: shh}\nrunner: {backend: sim}\n"),
            Lines{"test.yaml:1:21: cluster.launcher: unknown launcher 'shh' (did you mean "
                  "'ssh'?)"});
}

TEST(SchemaErrors, UnknownModelSuggestsTheClosestName) {
  EXPECT_EQ(errors_of("runner: {backend: sim}\nmodel: {name: llama3_1-8b-edg}\n"),
            Lines{"test.yaml:2:15: model.name: unknown model 'llama3_1-8b-edg' (did you mean "
                  "'llama3_1-8b-edge'?)"});
}

TEST(SchemaErrors, ReportFormatsMustBeKnownAndPresent) {
  EXPECT_EQ(errors_of("runner: {backend: sim}\nreport: {formats: [json, pdf]}\n"),
            Lines{"test.yaml:2:26: report.formats[1]: unknown report format 'pdf' (use one of: "
                  "json, md, html)"});
  EXPECT_EQ(errors_of("runner: {backend: sim}\nreport: {formats: []}\n"),
            Lines{"test.yaml:2:19: report.formats: no report formats listed (list at least one "
                  "of json, md, html, or remove the key to write all three)"});
}

TEST(SchemaErrors, SyntaxErrorIsOneDiagnosticAtItsPosition) {
  EXPECT_EQ(errors_of("cluster:\n  launcher: ssh: x\n"),
            Lines{"test.yaml:2:16: illegal map value (fix the YAML syntax)"});
}

TEST(SchemaErrors, UnclosedFlowListIsASyntaxError) {
  EXPECT_EQ(errors_of("runner: {backend: sim}\nnodes: [{name: a}\n"),
            Lines{"test.yaml:3:1: end of sequence flow not found (fix the YAML syntax)"});
}

TEST(SchemaErrors, EmptyFileAndCommentsOnlyHoldNoSettings) {
  const Lines expected{
      "test.yaml:1:1: the file holds no settings (start from `mlbench init`, or see "
      "docs/config.md)"};
  EXPECT_EQ(errors_of(""), expected);
  EXPECT_EQ(errors_of("# nothing here yet\n\n"), expected);
}

TEST(SchemaErrors, TopLevelMustBeAMapping) {
  EXPECT_EQ(errors_of("- cluster\n- nodes\n"),
            Lines{"test.yaml:1:1: expected a mapping of settings at the top level, got a list "
                  "(valid keys: cluster, nodes, runner, model, dataset, benchmark, report)"});
}

TEST(SchemaErrors, SecondDocumentIsRefused) {
  EXPECT_EQ(errors_of("runner: {backend: sim}\n---\nrunner: {backend: cpu}\n"),
            Lines{"test.yaml:3:1: more than one YAML document (keep one document per config "
                  "file; remove the extra '---')"});
}

TEST(SchemaErrors, KeyThatIsNotANameIsRefused) {
  EXPECT_EQ(errors_of("runner: {backend: sim}\n? [a, b]\n: 1\n"),
            Lines{"test.yaml:2:3: expected a key name, got a list (valid keys: cluster, nodes, "
                  "runner, model, dataset, benchmark, report)"});
}

TEST(SchemaErrors, UnsetVariableIsReportedAtTheValue) {
  EXPECT_EQ(errors_of("runner: {backend: sim}\nmodel: {path: \"${MODEL_DIR}/tiny\"}\n"),
            Lines{"test.yaml:2:15: model.path: environment variable 'MODEL_DIR' is not set (set "
                  "MODEL_DIR or write ${MODEL_DIR:-default})"});
}

TEST(SchemaErrors, UnterminatedVariableIsReportedAtTheValue) {
  EXPECT_EQ(errors_of(R"yaml(runner:
  backend: sim
  workdir: "/tmp/${X"
)yaml"),
            Lines{"test.yaml:3:12: runner.workdir: unterminated '${' in '/tmp/${X' (close it "
                  "with '}' or write $$ for a literal $)"});
}

TEST(SchemaErrors, ExpandedValueIsCheckedLikeAWrittenOne) {
  FakeWorld world;
  world.variables = {{"SSH_PORT", "abc"}};
  EXPECT_EQ(errors_of("runner: {backend: sim}\nnodes: [{name: a, port: \"${SSH_PORT}\"}]\n", world),
            Lines{"test.yaml:2:25: nodes[0].port: expected an integer, got 'abc' (use an "
                  "integer from 1 to 65535)"});
}

TEST(SchemaErrors, EveryProblemIsReportedTogetherInFileOrder) {
  EXPECT_EQ(
      errors_of(R"yaml(cluster:
  launcher: ssh
  ssh: {connect_timeout_s: 0, password: x}
nodes:
  - {name: jw2, host: 10.0.0.2}
  - {name: jw2, host: 10.0.0.3, prt: 22}
runner: {backend: cuda, path: ~mlperf/bin/mlbench-runner}
model: {name: llama}
benchmark: {user_conf: missing.conf}
)yaml"),
      (Lines{"test.yaml:1:1: dataset.path: required for backend 'cuda' but not set (give the "
             "path of cnn_eval.json, or use backend sim)",
             "test.yaml:3:28: cluster.ssh.connect_timeout_s: 0 is out of range (use an "
             "integer from 1 to 3600)",
             "test.yaml:3:31: cluster.ssh.password: passwords are not accepted in config "
             "files (use identity_file or the SSH agent)",
             "test.yaml:6:12: nodes[1].name: duplicate node name 'jw2' (first used on line 5; "
             "node names must be unique)",
             "test.yaml:6:33: nodes[1].prt: unknown key 'prt' (did you mean 'port'?)",
             "test.yaml:7:31: runner.path: must be an absolute path or a bare program name, "
             "got '~mlperf/bin/mlbench-runner' (write ~/... for the node user's home "
             "directory, or the full path)",
             "test.yaml:8:8: model.path: required for backend 'cuda' but not set (give the "
             "model directory, or use backend sim)",
             "test.yaml:8:15: model.name: unknown model 'llama' (use one of: llama3_1-8b, "
             "llama3_1-8b-interactive, llama3_1-8b-edge)",
             "test.yaml:9:24: benchmark.user_conf: file not found: /cfg/missing.conf (create "
             "it with `mlbench init` or correct the path)"}));
}

TEST(SchemaErrors, ConfigIsWithheldWhenThereAreProblems) {
  const LoadOutcome outcome = load("runner: {backend: sim, colour: blue}\n");
  EXPECT_FALSE(outcome.config.has_value());
  EXPECT_EQ(outcome.diagnostics.size(), 1u);
}

}  // namespace
}  // namespace mlbench::config
