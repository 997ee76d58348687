#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace kla::testing {

// A child process for tests: started with execv, killed with the test
// process (PR_SET_PDEATHSIG), output appended to a log file.
class ChildProcess {
 public:
  struct Options {
    std::vector<std::string> argv;    // argv[0] is the path to execute
    std::vector<std::string> env;     // extra NAME=value entries
    std::string log_path;             // stdout and stderr; /dev/null if empty
    std::optional<uid_t> run_as_uid;  // drop to this user (root only)
    std::optional<gid_t> run_as_gid;
  };

  static absl::StatusOr<ChildProcess> Start(const Options& options);

  ChildProcess(ChildProcess&& other) noexcept : pid_(other.pid_) { other.pid_ = -1; }
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();  // SIGKILLs a still-running child

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }
  // Sends `sig`.
  void Signal(int sig) const;
  // Waits for exit; returns the exit code, or 128+signal.
  int Wait();
  // Non-blocking: the exit code if the child has exited.
  std::optional<int> TryWait();

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
};

// Runs a command to completion and returns its exit code.
absl::StatusOr<int> RunCommand(const ChildProcess::Options& options);

// A free TCP port on 127.0.0.1 (bound, read and released).
int FreePort();

// A fresh temporary folder, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The contents of a file ("" if it cannot be read).
std::string ReadFile(const std::string& path);

// The contents of a file of the source tree, by its path from the top,
// e.g. SourceFile("data/regions/provinces.csv"). Tests are built with
// KLA_SOURCE_DIR defined.
std::string SourceFile(const std::string& relative_path);
// The absolute path of a file or folder of the source tree.
std::string SourcePath(const std::string& relative_path);

// Polls `ready` every few milliseconds until it returns true or `timeout`
// passes. For waiting on a started server, where no notification exists.
bool WaitUntil(const std::function<bool()>& ready, int timeout_ms);

}  // namespace kla::testing
