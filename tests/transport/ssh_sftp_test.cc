#include <filesystem>
#include <fstream>
#include <string>

#include "support/temp_dir.h"
#include "transport/ssh_test_node.h"

namespace mlbench::transport {
namespace {

namespace fs = std::filesystem;
using SftpTest = SshNodeTest;

// Bytes that are not all alike, larger than one transfer chunk.
std::string sample_bytes(size_t size) {
  std::string bytes(size, '\0');
  uint32_t state = 12345;
  for (char& byte : bytes) {
    state = state * 1103515245u + 12345u;
    byte = static_cast<char>(state >> 24);
  }
  return bytes;
}

// Names in `dir`, to show that no temporary file was left behind.
std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST_F(SftpTest, UploadThenDownloadRoundTrips) {
  auto session = connect();
  ASSERT_TRUE(session);
  testing::TempDir local;
  const std::string bytes = sample_bytes(300 * 1024 + 7);
  const std::string source = local.write("model.bin", bytes);
  const fs::path remote_dir = server().dir() / "upload";
  ASSERT_TRUE(session->make_directories(remote_dir.string()).ok());

  const std::string remote = (remote_dir / "model.bin").string();
  const auto uploaded = session->upload(source, remote);
  ASSERT_TRUE(uploaded.ok()) << uploaded.error().describe();
  EXPECT_EQ(testing::read_file(remote), bytes);
  EXPECT_EQ(entries(remote_dir), std::vector<std::string>{"model.bin"});

  // Uploading again replaces the file.
  const std::string smaller = local.write("small.bin", "replaced\n");
  ASSERT_TRUE(session->upload(smaller, remote).ok());
  EXPECT_EQ(testing::read_file(remote), "replaced\n");
  ASSERT_TRUE(session->upload(source, remote).ok());

  const std::string back = (local.path() / "back.bin").string();
  const auto downloaded = session->download(remote, back);
  ASSERT_TRUE(downloaded.ok()) << downloaded.error().describe();
  EXPECT_EQ(fs::file_size(back), bytes.size());
  EXPECT_EQ(testing::read_file(back), bytes);
  EXPECT_EQ(entries(local.path()),
            (std::vector<std::string>{"back.bin", "model.bin", "small.bin"}));
}

TEST_F(SftpTest, EmptyFileRoundTrips) {
  auto session = connect();
  ASSERT_TRUE(session);
  testing::TempDir local;
  const std::string source = local.write("empty", "");
  const std::string remote = (server().dir() / "empty-remote").string();
  ASSERT_TRUE(session->upload(source, remote).ok());
  const std::string back = (local.path() / "empty-back").string();
  ASSERT_TRUE(session->download(remote, back).ok());
  EXPECT_EQ(fs::file_size(back), 0u);
}

TEST_F(SftpTest, FailedDownloadLeavesNothingUnderTheRealName) {
  auto session = connect();
  ASSERT_TRUE(session);
  testing::TempDir local;
  const std::string target = (local.path() / "result.json").string();

  // Reading a directory fails after the temporary file was created.
  const fs::path remote_dir = server().dir() / "a-directory";
  fs::create_directories(remote_dir);
  const auto from_dir = session->download(remote_dir.string(), target);
  EXPECT_FALSE(from_dir.ok());
  EXPECT_FALSE(fs::exists(target));

  const auto missing = session->download((server().dir() / "no-such-file").string(), target);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(fs::exists(target));
  EXPECT_TRUE(entries(local.path()).empty());
}

TEST_F(SftpTest, FailedUploadLeavesNothingOnTheNode) {
  auto session = connect();
  ASSERT_TRUE(session);
  const fs::path remote_dir = server().dir() / "upload-fail";
  ASSERT_TRUE(session->make_directories(remote_dir.string()).ok());
  const auto missing =
      session->upload((server().dir() / "no-such-local").string(), (remote_dir / "x").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  // The destination directory does not exist.
  testing::TempDir local;
  const std::string source = local.write("f", "data");
  const auto no_dir = session->upload(source, (remote_dir / "missing-dir" / "x").string());
  EXPECT_FALSE(no_dir.ok());
  EXPECT_TRUE(entries(remote_dir).empty());
}

TEST_F(SftpTest, ListFilesGivesRegularFilesWithSizes) {
  auto session = connect();
  ASSERT_TRUE(session);
  const fs::path dir = server().dir() / "listing";
  fs::create_directories(dir / "subdir");
  std::ofstream(dir / "b.log") << "12345";
  std::ofstream(dir / "a.json") << "{}";
  std::ofstream(dir / ".hidden") << "";
  fs::create_symlink(dir / "a.json", dir / "link");

  const auto files = session->list_files(dir.string());
  ASSERT_TRUE(files.ok()) << files.error().describe();
  ASSERT_EQ(files->size(), 3u);
  EXPECT_EQ((*files)[0].name, ".hidden");
  EXPECT_EQ((*files)[0].size, 0u);
  EXPECT_EQ((*files)[1].name, "a.json");
  EXPECT_EQ((*files)[1].size, 2u);
  EXPECT_EQ((*files)[2].name, "b.log");
  EXPECT_EQ((*files)[2].size, 5u);

  const auto missing = session->list_files((server().dir() / "no-such-dir").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_F(SftpTest, MakeDirectoriesIsMkdirDashP) {
  auto session = connect();
  ASSERT_TRUE(session);
  const fs::path nested = server().dir() / "runs" / "2026-11-23" / "node 1";
  ASSERT_TRUE(session->make_directories(nested.string()).ok());
  EXPECT_TRUE(fs::is_directory(nested));
  EXPECT_TRUE(session->make_directories(nested.string() + "/").ok());  // already there

  std::ofstream(server().dir() / "plain-file") << "x";
  const auto blocked = session->make_directories((server().dir() / "plain-file" / "sub").string());
  ASSERT_FALSE(blocked.ok());
  EXPECT_NE(blocked.error().message.find("not a directory"), std::string::npos)
      << blocked.error().message;
}

// A program uploaded with a mode ends executable whatever the local file's bits and the
// server's umask, and replaces what was there.
TEST_F(SftpTest, UploadWithAModeSetsIt) {
  auto session = connect();
  ASSERT_TRUE(session);
  testing::TempDir local;
  const std::string source = local.write("runner", "#!/bin/sh\necho new\n");
  fs::permissions(source, fs::perms::owner_read | fs::perms::owner_write);
  const fs::path remote = server().dir() / "bin" / "runner";
  ASSERT_TRUE(session->make_directories(remote.parent_path().string()).ok());
  std::ofstream(remote) << "old";
  const auto uploaded = session->upload(source, remote.string(), 0755);
  ASSERT_TRUE(uploaded.ok()) << uploaded.error().describe();
  EXPECT_EQ(fs::status(remote).permissions() & fs::perms::all, static_cast<fs::perms>(0755));
  Collected collected;
  ASSERT_TRUE(run_collecting(*session, {{remote.string()}, {}}, collected).ok());
  EXPECT_EQ(collected.out, std::vector<std::string>{"new"});
  EXPECT_EQ(entries(remote.parent_path()), std::vector<std::string>{"runner"});
}

}  // namespace
}  // namespace mlbench::transport
