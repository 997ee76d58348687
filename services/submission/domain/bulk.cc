// Bulk import (CSV prepared offline) and streaming export of submissions.

#include "services/submission/domain/bulk.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <map>
#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "libs/common/errors.h"
#include "libs/common/status_macros.h"
#include "libs/common/text.h"
#include "libs/kernel/csv.h"
#include "libs/kernel/region_code.h"
#include "libs/score/answer_check.h"
#include "services/submission/domain/answer_text.h"

namespace kla::submission {
namespace {

constexpr size_t kMaxImportBytes = 1 << 20;
constexpr int kExportPage = 100;
// Lines are sent in messages of about this size: large enough to be
// efficient, small enough to keep a slow reader's buffer bounded.
constexpr size_t kExportMessageBytes = size_t{256} * 1024;

constexpr char kCsvHeader[] =
    "cycle_id,region_code,state,stage,indicator,item_id,value,note,adjusted,answered_by,update_time\n";

std::string EnumSuffix(const std::string& name, absl::string_view prefix) {
  return std::string(absl::StripPrefix(name, prefix));
}

// The answers of an import's lines; INVALID_ARGUMENT naming every line
// that is wrong.
absl::StatusOr<std::vector<v1::Answer>> ParseImport(const ImportCommand& cmd, const RulebookIndex& rb) {
  // Columns by the header when there is one (an export has more columns
  // than item_id,value,note), else by position.
  std::map<std::string, size_t> col = {{"item_id", 0}, {"value", 1}, {"note", 2}};
  Violations v;
  std::vector<v1::Answer> answers;
  std::map<std::string, int> line_of_item;
  bool header_seen = false;
  auto records = ParseCsv(cmd.csv, {.comments = true});
  if (!records.ok()) return InvalidField("csv", records.status().message());
  for (CsvRecord& record : *records) {
    const std::vector<std::string>& fields = record.fields;
    const std::string where = absl::StrCat("line ", record.line);
    if (!header_seen && std::find(fields.begin(), fields.end(), "item_id") != fields.end()) {
      header_seen = true;
      col.clear();
      for (size_t i = 0; i < fields.size(); ++i) col[std::string(absl::StripAsciiWhitespace(fields[i]))] = i;
      if (!col.contains("value")) v.Add(where, "the header names item_id but no value column");
      continue;
    }
    header_seen = true;  // a header may only come first
    auto field = [&](const std::string& name) -> std::string {
      auto it = col.find(name);
      return it == col.end() || it->second >= fields.size() ? "" : fields[it->second];
    };
    const std::string item_id(absl::StripAsciiWhitespace(field("item_id")));
    if (col.contains("region_code") && field("region_code") != cmd.region_code) {
      v.Add(where, absl::StrCat("a line of region ", field("region_code"), " in the import of ", cmd.region_code));
      continue;
    }
    if (col.contains("cycle_id") && field("cycle_id") != cmd.cycle_id) {
      v.Add(where, absl::StrCat("a line of cycle ", field("cycle_id"), " in the import of ", cmd.cycle_id));
      continue;
    }
    const RulebookIndex::Item* item = rb.Find(item_id);
    if (item == nullptr) {
      v.Add(where, absl::StrCat("no item \"", item_id, "\" in rulebook ", rb.version()));
      continue;
    }
    if (auto [it, fresh] = line_of_item.emplace(item_id, record.line); !fresh) {
      v.Add(where, absl::StrCat("item ", item_id, " given twice (first on line ", it->second, ")"));
      continue;
    }
    v1::Answer a;
    a.set_item_id(item_id);
    if (std::string error = ParseAnswerText(*item->rule, field("value"), a.mutable_value()); !error.empty()) {
      v.Add(where, absl::StrCat("item ", item_id, ": ", error));
      continue;
    }
    const size_t before = v.size();
    score::CheckAnswerValue(*item->rule, a.value(), where, &v);
    if (v.size() > before) continue;
    a.set_note(field("note"));
    if (a.note().size() > kMaxNote) v.Add(where, absl::StrCat("item ", item_id, ": a note of at most 2000 bytes"));
    answers.push_back(std::move(a));
  }
  if (answers.empty() && v.empty()) v.Add("csv", "no answer in it: lines of item_id,value[,note]");
  KLA_RETURN_IF_ERROR(v.ToStatus("invalid import: nothing was saved"));
  return answers;
}

// The lines of one submission in an export.
absl::Status AppendExport(const v1::Submission& s, const RulebookIndex& rb, v1::ExportFormat format,
                          std::string* buffer) {
  if (format == v1::EXPORT_FORMAT_JSON_LINES) {
    google::protobuf::util::JsonPrintOptions json;
    json.preserve_proto_field_names = false;
    std::string line;
    if (!google::protobuf::util::MessageToJsonString(s, &line, json).ok()) {
      return absl::InternalError("submission not printable as JSON");
    }
    absl::StrAppend(buffer, line, "\n");
    return absl::OkStatus();
  }
  std::set<std::string> adjusted;
  for (const auto& adj : s.adjustments()) adjusted.insert(adj.item_id());
  const std::string state = EnumSuffix(v1::SubmissionState_Name(s.state()), "SUBMISSION_STATE_");
  const std::string stage = EnumSuffix(type::v1::Stage_Name(s.stage()), "STAGE_");
  for (const auto& a : AnswersInForce(rb, s)) {
    const RulebookIndex::Item* item = rb.Find(a.item_id());
    absl::StrAppend(buffer, CsvField(s.cycle_id()), ",", s.region_code(), ",", state, ",", stage, ",", item->indicator,
                    ",", CsvField(a.item_id()), ",", CsvField(AnswerText(a.value())), ",", CsvField(a.note()), ",",
                    adjusted.contains(a.item_id()) ? "ya" : "tidak", ",", CsvField(a.answered_by()), ",",
                    a.has_update_time() ? google::protobuf::util::TimeUtil::ToString(a.update_time()) : "", "\n");
  }
  return absl::OkStatus();
}

absl::Status ValidateExport(const ExportQuery& query) {
  Violations v;
  if (query.cycle_id.empty()) v.Add("cycle_id", "required");
  if (!query.province_code.empty() && !IsProvinceCode(query.province_code)) {
    v.Add("province_code", "a province code such as \"35\"");
  }
  if (!query.start_after_region_code.empty() && !IsRegencyCode(query.start_after_region_code)) {
    v.Add("start_after_region_code", "a kabupaten/kota code such as \"35.72\"");
  }
  if (query.format != v1::EXPORT_FORMAT_CSV && query.format != v1::EXPORT_FORMAT_JSON_LINES) {
    v.Add("format", "EXPORT_FORMAT_CSV or EXPORT_FORMAT_JSON_LINES");
  }
  return v.ToStatus("invalid export");
}

}  // namespace

absl::StatusOr<ImportOutcome> Bulk::Import(const ImportCommand& cmd, const auth::Principal& caller) {
  if (cmd.csv.size() > kMaxImportBytes || !IsValidUtf8(cmd.csv)) {
    return InvalidField("csv", absl::StrCat("UTF-8 text of at most ", kMaxImportBytes >> 20, " MiB"));
  }
  KLA_ASSIGN_OR_RETURN(SubmissionContext ctx, steps_->Load(cmd.cycle_id, cmd.region_code));
  KLA_ASSIGN_OR_RETURN(std::vector<v1::Answer> answers, ParseImport(cmd, *ctx.rulebook));
  const int imported = static_cast<int>(answers.size());
  KLA_ASSIGN_OR_RETURN(v1::Submission s, answers_->Save({.request_id = cmd.request_id,
                                                         .cycle_id = cmd.cycle_id,
                                                         .region_code = cmd.region_code,
                                                         .etag = cmd.etag,
                                                         .answers = std::move(answers)},
                                                        caller));
  return ImportOutcome{std::move(s), imported};
}

absl::Status Bulk::Export(const ExportQuery& query, const auth::Principal& caller, const ExportSink& sink) {
  KLA_RETURN_IF_ERROR(ValidateExport(query));
  KLA_ASSIGN_OR_RETURN(SubmissionContext ctx, steps_->LoadCycle(query.cycle_id));
  const SubmissionFilter filter{.cycle_id = query.cycle_id, .province_code = query.province_code};
  std::string buffer;
  if (query.format == v1::EXPORT_FORMAT_CSV && query.start_after_region_code.empty()) buffer = kCsvHeader;
  std::string after = query.start_after_region_code;
  std::string last;
  int count = 0;
  while (true) {
    KLA_ASSIGN_OR_RETURN(std::vector<StoredSubmission> rows, steps_->store()->List(filter, after, kExportPage));
    for (auto& row : rows) {
      KLA_RETURN_IF_ERROR(steps_->Row(&ctx, std::move(row)));
      const v1::Submission s = steps_->View(ctx, caller);
      KLA_RETURN_IF_ERROR(AppendExport(s, *ctx.rulebook, query.format, &buffer));
      last = s.region_code();
      ++count;
      if (buffer.size() >= kExportMessageBytes) {
        if (!sink(std::move(buffer), last, count)) return absl::CancelledError("the reader went away");
        buffer.clear();
      }
    }
    if (static_cast<int>(rows.size()) < kExportPage) break;
    after = last;
  }
  if (!buffer.empty() || count == 0) {
    if (!sink(std::move(buffer), last, count)) return absl::CancelledError("the reader went away");
  }
  return absl::OkStatus();
}

}  // namespace kla::submission
