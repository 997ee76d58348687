#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "libs/auth/principal.h"
#include "services/submission/domain/answers.h"
#include "services/submission/domain/submission_steps.h"

namespace kla::submission {

struct ImportCommand {
  std::string request_id;
  std::string cycle_id;
  std::string region_code;
  std::string etag;
  std::string csv;
};

struct ImportOutcome {
  v1::Submission submission;
  int imported = 0;
};

struct ExportQuery {
  std::string cycle_id;
  std::string province_code;  // empty: the whole country
  v1::ExportFormat format = v1::EXPORT_FORMAT_UNSPECIFIED;
  std::string start_after_region_code;
};

// Whole lines of an export for some submissions, the last one's region and
// how many so far. Returns false to stop (the reader went away).
using ExportSink = std::function<bool(std::string lines, const std::string& last_region_code, int submissions)>;

// Bulk work. An import is one save of every line of a CSV, each line
// checked first and named in the errors. An export reads the cycle page by
// page and hands whole lines to `sink` as it goes.
class Bulk {
 public:
  Bulk(SubmissionSteps* steps, Answers* answers) : steps_(steps), answers_(answers) {}

  absl::StatusOr<ImportOutcome> Import(const ImportCommand& cmd, const auth::Principal& caller);
  absl::Status Export(const ExportQuery& query, const auth::Principal& caller, const ExportSink& sink);

 private:
  SubmissionSteps* steps_;
  Answers* answers_;
};

}  // namespace kla::submission
