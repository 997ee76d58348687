#include "tools/klactl/submissions.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"
#include "kla/registry/v1/registry_service.grpc.pb.h"
#include "kla/submission/v1/submission_service.grpc.pb.h"
#include "libs/common/errors.h"
#include "libs/common/ids.h"
#include "libs/common/points.h"
#include "libs/rpc/error_mapping.h"
#include "services/submission/domain/answer_text.h"
#include "tools/klactl/evidence.h"
#include "tools/klactl/output.h"

namespace kla::klactl {

namespace regv1 = kla::registry::v1;

void AddRegionAndCycle(CLI::App* cmd, std::string* region, std::string* cycle) {
  cmd->add_option("region", *region, "Kabupaten/kota code, e.g. 35.72")->required();
  cmd->add_option("--cycle", *cycle, "Cycle id, e.g. 2025")->required();
}

void AddRequestId(CLI::App* cmd, std::string* request_id) {
  cmd->add_option("--request-id", *request_id, "Idempotency key; reuse it to retry safely");
}

bool LoadRulebook(const Client& cl, const std::string& cycle_id, regv1::Rulebook* out) {
  auto stub = regv1::RegistryService::NewStub(cl.channel());
  regv1::GetCycleRequest gc;
  gc.set_cycle_id(cycle_id);
  regv1::GetCycleResponse cycle;
  grpc::Status s = stub->GetCycle(cl.Context().get(), gc, &cycle);
  if (!s.ok()) return cl.Report(s) == 0;
  regv1::GetRulebookRequest gr;
  gr.set_version(cycle.cycle().rulebook_version());
  regv1::GetRulebookResponse rb;
  s = stub->GetRulebook(cl.Context().get(), gr, &rb);
  if (!s.ok()) return cl.Report(s) == 0;
  *out = rb.rulebook().rulebook();
  return true;
}

std::string StageLabel(const Options& o, type::v1::Stage s) {
  switch (s) {
    case type::v1::STAGE_SELF_EVALUATION:
      return T(o, {"evaluasi mandiri", "self-evaluation"});
    case type::v1::STAGE_PROVINCIAL_VERIFICATION:
      return T(o, {"verifikasi provinsi", "provincial verification"});
    case type::v1::STAGE_CENTRAL_REVIEW:
      return T(o, {"peninjauan pusat", "central review"});
    case type::v1::STAGE_FIELD_VERIFICATION:
      return T(o, {"verifikasi lapangan", "field verification"});
    case type::v1::STAGE_FINAL_VERIFICATION:
      return T(o, {"verifikasi final", "final verification"});
    default:
      return "-";
  }
}

namespace {

namespace subv1 = kla::submission::v1;
using submission::ParseAnswerText;

std::string StateLabel(const Options& o, const subv1::Submission& s) {
  switch (s.state()) {
    case subv1::SUBMISSION_STATE_DRAFT:
      return T(o, {"DRAF (evaluasi mandiri)", "DRAFT (self-evaluation)"});
    case subv1::SUBMISSION_STATE_AWAITING_VERIFICATION:
      return absl::StrCat(T(o, {"MENUNGGU ", "AWAITING "}), StageLabel(o, s.stage()));
    case subv1::SUBMISSION_STATE_RETURNED:
      return absl::StrCat(T(o, {"DIKEMBALIKAN oleh ", "RETURNED by "}), StageLabel(o, s.stage()));
    case subv1::SUBMISSION_STATE_FINAL:
      return "FINAL";
    case subv1::SUBMISSION_STATE_NOT_COMPLETED:
      return absl::StrCat(T(o, {"TIDAK DISELESAIKAN (dikembalikan oleh ", "NOT COMPLETED (returned by "}),
                          StageLabel(o, s.stage()), ")");
    default:
      return "-";
  }
}

void PrintSubmission(const Options& o, const subv1::Submission& s) {
  std::cout << "Evaluasi KLA " << s.cycle_id() << " · " << s.region_code() << " · " << StateLabel(o, s)
            << "   etag: " << (s.etag().empty() ? "-" : s.etag()) << "\n";
  const auto& p = s.progress();
  std::cout << T(o, {"terjawab ", "answered "}) << p.answered() << "/" << p.required() << " "
            << T(o, {"butir", "items"}) << "\n";
  if (s.has_open_return()) {
    std::cout << T(o, {"dikembalikan, perbaiki sebelum ", "returned, correct before "})
              << ShowTime(s.open_return().deadline()) << ":\n";
    for (const auto& r : s.open_return().items()) std::cout << "  " << r.item_id() << ": " << r.reason() << "\n";
  }
  Table t({T(o, {"INDIKATOR", "INDICATOR"}), T(o, {"TERJAWAB", "ANSWERED"})});
  for (const auto& i : p.indicators()) {
    t.Add({std::to_string(i.indicator()), absl::StrCat(i.answered(), "/", i.required())});
  }
  t.Print(std::cout);
  if (p.missing_items_size() > 0 && p.missing_items_size() <= 20) {
    std::cout << T(o, {"belum dijawab: ", "not answered: "}) << absl::StrJoin(p.missing_items(), ", ") << "\n";
  }
  for (const auto& obj : s.objections()) {
    std::string state = obj.state() == subv1::OBJECTION_STATE_FILED      ? T(o, {"menunggu keputusan", "waiting"})
                        : obj.state() == subv1::OBJECTION_STATE_ACCEPTED ? T(o, {"DITERIMA", "ACCEPTED"})
                                                                         : T(o, {"DITOLAK", "REJECTED"});
    std::cout << T(o, {"sanggah indikator ", "objection, indicator "}) << obj.indicator() << " (" << obj.objection_id()
              << "): " << state;
    if (!obj.resolution().empty()) std::cout << " — " << obj.resolution();
    std::cout << "\n";
  }
  std::vector<std::string> next;
  if (s.allowed().may_edit()) next.emplace_back("answer");
  if (s.allowed().may_submit()) next.emplace_back("submit");
  if (s.allowed().may_return()) next.emplace_back("return");
  if (s.allowed().may_extend_return()) next.emplace_back("extend-return");
  if (s.allowed().may_mark_not_completed()) next.emplace_back("not-completed");
  if (s.allowed().may_verify()) next.emplace_back("verify");
  if (s.allowed().may_object()) next.emplace_back("object");
  if (s.allowed().may_resolve_objection()) next.emplace_back("resolve");
  std::cout << T(o, {"langkah berikutnya: ", "next: "}) << (next.empty() ? "-" : absl::StrJoin(next, ", ")) << "\n";
}

int Show(const Options& o, const grpc::Status& s, const Client& cl, const subv1::Submission& sub) {
  if (!s.ok()) {
    const int rc = cl.Report(s);
    // Everything still missing, one per line.
    for (const auto& v : GetPreconditionViolations(rpc::FromGrpcStatus(s))) {
      std::cerr << "  " << v.subject << ": " << v.description << "\n";
    }
    return rc;
  }
  if (o.output == "json") {
    std::cout << ToJson(sub);
  } else {
    PrintSubmission(o, sub);
  }
  return 0;
}

subv1::Submission Current(const Client& cl, subv1::SubmissionService::Stub* stub, const std::string& cycle,
                          const std::string& region, grpc::Status* status) {
  subv1::GetSubmissionRequest req;
  req.set_cycle_id(cycle);
  req.set_region_code(region);
  subv1::GetSubmissionResponse resp;
  *status = stub->GetSubmission(cl.Context().get(), req, &resp);
  return resp.submission();
}

struct Flags {
  std::string region, cycle, file, request_id, deadline, reason, item, objection_id, note;
  std::vector<std::string> set, returns, adjust, evidence, files;
  int indicator = 0;
  bool accept = false, reject = false;
};

// Fills what every change carries: a request id (given, or new), the
// submission's key and the etag just read. 0, or the exit code after
// reporting why the submission could not be read.
template <typename Request>
int Address(const Client& cl, subv1::SubmissionService::Stub* stub, const Flags& f, Request* req) {
  grpc::Status s;
  const subv1::Submission now = Current(cl, stub, f.cycle, f.region, &s);
  if (!s.ok()) return cl.Report(s);
  req->set_request_id(f.request_id.empty() ? NewUuid() : f.request_id);
  req->set_cycle_id(f.cycle);
  req->set_region_code(f.region);
  req->set_etag(now.etag());
  return 0;
}

int Status(const Options& o, const Flags& f) {
  Client cl(o);
  auto stub = subv1::SubmissionService::NewStub(cl.channel());
  grpc::Status s;
  subv1::Submission sub = Current(cl, stub.get(), f.cycle, f.region, &s);
  return Show(o, s, cl, sub);
}

int Answer(const Options& o, const Flags& f) {
  Client cl(o);
  regv1::Rulebook rulebook;
  if (!LoadRulebook(cl, f.cycle, &rulebook)) return 1;
  std::map<std::string, const regv1::ItemRule*> items;
  for (const auto& ind : rulebook.indicators()) {
    for (const auto& it : ind.items()) items[it.id()] = &it;
  }
  // ITEM=VALUE pairs, checked against the rulebook before anything is sent.
  subv1::SaveAnswersRequest req;
  int bad = 0;
  for (const auto& kv : f.set) {
    const size_t eq = kv.find('=');
    const std::string id = kv.substr(0, eq);
    auto it = items.find(id);
    subv1::Answer a;
    a.set_item_id(id);
    std::string error;
    if (it == items.end()) {
      error = T(o, {"butir tidak ada di rulebook", "no such item in the rulebook"});
    } else if (eq == std::string::npos) {
      error = T(o, {"nilai kosong", "no value"});
    } else {
      error = ParseAnswerText(*it->second, kv.substr(eq + 1), a.mutable_value());
    }
    if (!error.empty()) {
      std::cerr << "klactl: --set " << kv << ": " << error << "\n";
      ++bad;
      continue;
    }
    if (!f.note.empty()) a.set_note(f.note);
    *req.add_answers() = std::move(a);
  }
  if (bad > 0) return 2;  // nothing sent
  auto stub = subv1::SubmissionService::NewStub(cl.channel());
  if (int rc = Address(cl, stub.get(), f, &req); rc != 0) return rc;
  subv1::SaveAnswersResponse resp;
  grpc::Status s = stub->SaveAnswers(cl.Context().get(), req, &resp);
  if (s.ok() && o.output != "json") std::cout << T(o, {"tersimpan: ", "saved: "}) << req.answers_size() << "\n";
  return Show(o, s, cl, resp.submission());
}

// A CSV prepared offline: the server checks every line; one bad line and
// nothing is applied.
int Import(const Options& o, const Flags& f) {
  Client cl(o);
  subv1::ImportAnswersRequest req;
  if (!ReadFile(f.file, req.mutable_csv())) {
    std::cerr << "klactl: " << T(o, kError) << ": " << T(o, kCannotRead) << " " << f.file << "\n";
    return 2;
  }
  auto stub = subv1::SubmissionService::NewStub(cl.channel());
  if (int rc = Address(cl, stub.get(), f, &req); rc != 0) return rc;
  subv1::ImportAnswersResponse resp;
  grpc::Status s = stub->ImportAnswers(cl.Context().get(), req, &resp);
  if (!s.ok()) {
    const int rc = cl.Report(s);
    if (s.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      std::cerr << "klactl: " << T(o, {"tidak ada yang disimpan", "nothing was saved"}) << "\n";
    }
    return rc;
  }
  if (o.output != "json") std::cout << T(o, {"diimpor: ", "imported: "}) << resp.imported() << "\n";
  return Show(o, s, cl, resp.submission());
}

int Submit(const Options& o, const Flags& f) {
  Client cl(o);
  auto stub = subv1::SubmissionService::NewStub(cl.channel());
  subv1::SubmitSubmissionRequest req;
  if (int rc = Address(cl, stub.get(), f, &req); rc != 0) return rc;
  subv1::SubmitSubmissionResponse resp;
  grpc::Status s = stub->SubmitSubmission(cl.Context().get(), req, &resp);
  return Show(o, s, cl, resp.submission());
}

int Return(const Options& o, const Flags& f) {
  Client cl(o);
  auto stub = subv1::SubmissionService::NewStub(cl.channel());
  subv1::ReturnSubmissionRequest req;
  if (int rc = Address(cl, stub.get(), f, &req); rc != 0) return rc;
  for (const auto& r : f.returns) {
    const size_t eq = r.find('=');
    auto* item = req.add_items();
    item->set_item_id(r.substr(0, eq));
    if (eq != std::string::npos) item->set_reason(r.substr(eq + 1));
  }
  if (!ParseWhen(f.deadline, true, req.mutable_deadline())) {
    std::cerr << "klactl: " << T(o, kError) << ": --deadline: YYYY-MM-DD (WIB)\n";
    return 2;
  }
  subv1::ReturnSubmissionResponse resp;
  grpc::Status s = stub->ReturnSubmission(cl.Context().get(), req, &resp);
  return Show(o, s, cl, resp.submission());
}

int ExtendReturn(const Options& o, const Flags& f) {
  Client cl(o);
  auto stub = subv1::SubmissionService::NewStub(cl.channel());
  subv1::ExtendReturnDeadlineRequest req;
  if (int rc = Address(cl, stub.get(), f, &req); rc != 0) return rc;
  req.set_reason(f.reason);
  if (!ParseWhen(f.deadline, true, req.mutable_deadline())) {
    std::cerr << "klactl: " << T(o, kError) << ": --deadline: YYYY-MM-DD (WIB)\n";
    return 2;
  }
  subv1::ExtendReturnDeadlineResponse resp;
  grpc::Status s = stub->ExtendReturnDeadline(cl.Context().get(), req, &resp);
  return Show(o, s, cl, resp.submission());
}

int MarkNotCompleted(const Options& o, const Flags& f) {
  Client cl(o);
  auto stub = subv1::SubmissionService::NewStub(cl.channel());
  subv1::MarkReturnNotCompletedRequest req;
  if (int rc = Address(cl, stub.get(), f, &req); rc != 0) return rc;
  req.set_reason(f.reason);
  subv1::MarkReturnNotCompletedResponse resp;
  grpc::Status s = stub->MarkReturnNotCompleted(cl.Context().get(), req, &resp);
  return Show(o, s, cl, resp.submission());
}

// --adjust ITEM=VALUE pairs, checked against the rulebook; false after
// reporting the first bad one.
bool ParseAdjustments(const Options& o, const Flags& f, const std::map<std::string, const regv1::ItemRule*>& items,
                      google::protobuf::RepeatedPtrField<subv1::Adjustment>* out) {
  for (const auto& kv : f.adjust) {
    const size_t eq = kv.find('=');
    const std::string id = kv.substr(0, eq);
    auto it = items.find(id);
    auto* adj = out->Add();
    adj->set_item_id(id);
    adj->set_reason(f.reason);
    std::string error = it == items.end() ? std::string(T(o, {"butir tidak ada", "no such item"}))
                                          : ParseAnswerText(*it->second, kv.substr(eq + 1), adj->mutable_value());
    if (eq == std::string::npos || !error.empty()) {
      std::cerr << "klactl: --adjust " << kv << ": " << error << "\n";
      return false;
    }
  }
  return true;
}

int Verify(const Options& o, const Flags& f) {
  Client cl(o);
  regv1::Rulebook rulebook;
  if (!f.adjust.empty() && !LoadRulebook(cl, f.cycle, &rulebook)) return 1;
  std::map<std::string, const regv1::ItemRule*> items;
  for (const auto& ind : rulebook.indicators()) {
    for (const auto& it : ind.items()) items[it.id()] = &it;
  }
  auto stub = subv1::SubmissionService::NewStub(cl.channel());
  subv1::VerifySubmissionRequest req;
  if (int rc = Address(cl, stub.get(), f, &req); rc != 0) return rc;
  if (!ParseAdjustments(o, f, items, req.mutable_adjustments())) return 2;
  subv1::VerifySubmissionResponse resp;
  grpc::Status s = stub->VerifySubmission(cl.Context().get(), req, &resp);
  if (s.ok() && o.output != "json") {
    std::cout << StageLabel(o, resp.completed().stage()) << T(o, {" selesai", " completed"}) << " ("
              << req.adjustments_size() << T(o, {" butir disesuaikan)\n", " items adjusted)\n"});
  }
  return Show(o, s, cl, resp.submission());
}

int Object(const Options& o, const Flags& f) {
  Client cl(o);
  regv1::Rulebook rulebook;
  if (!LoadRulebook(cl, f.cycle, &rulebook)) return 1;
  std::string first_item;  // objection files are filed against the indicator's first item
  for (const auto& ind : rulebook.indicators()) {
    if (ind.number() == f.indicator && ind.items_size() > 0) first_item = ind.items(0).id();
  }
  if (first_item.empty()) {
    std::cerr << "klactl: " << T(o, kError)
              << ": --indicator: " << T(o, {"tidak ada di rulebook", "not in the rulebook"}) << "\n";
    return 2;
  }
  subv1::FileObjectionRequest req;
  for (const auto& e : f.evidence) req.add_evidence_ids(e);
  for (const auto& path : f.files) {
    const std::string id = UploadObjectionEvidence(o, cl, f.cycle, f.region, first_item, path);
    if (id.empty()) return 1;
    req.add_evidence_ids(id);
  }
  auto stub = subv1::SubmissionService::NewStub(cl.channel());
  if (int rc = Address(cl, stub.get(), f, &req); rc != 0) return rc;
  req.set_indicator(f.indicator);
  req.set_reason(f.reason);
  subv1::FileObjectionResponse resp;
  grpc::Status s = stub->FileObjection(cl.Context().get(), req, &resp);
  if (s.ok() && o.output != "json") {
    std::cout << T(o, {"sanggah diajukan: ", "objection filed: "}) << resp.objection().objection_id() << "\n";
  }
  return Show(o, s, cl, resp.submission());
}

int Resolve(const Options& o, const Flags& f) {
  if (f.accept == f.reject) {
    std::cerr << "klactl: " << T(o, kError) << ": "
              << T(o, {"pilih --accept atau --reject", "give --accept or --reject"}) << "\n";
    return 2;
  }
  Client cl(o);
  regv1::Rulebook rulebook;
  if (!f.adjust.empty() && !LoadRulebook(cl, f.cycle, &rulebook)) return 1;
  std::map<std::string, const regv1::ItemRule*> items;
  for (const auto& ind : rulebook.indicators()) {
    for (const auto& it : ind.items()) items[it.id()] = &it;
  }
  subv1::ResolveObjectionRequest req;
  if (!ParseAdjustments(o, f, items, req.mutable_adjustments())) return 2;
  auto stub = subv1::SubmissionService::NewStub(cl.channel());
  if (int rc = Address(cl, stub.get(), f, &req); rc != 0) return rc;
  req.set_objection_id(f.objection_id);
  req.set_decision(f.accept ? subv1::OBJECTION_DECISION_ACCEPT : subv1::OBJECTION_DECISION_REJECT);
  req.set_reason(f.reason);
  subv1::ResolveObjectionResponse resp;
  grpc::Status s = stub->ResolveObjection(cl.Context().get(), req, &resp);
  if (s.ok() && o.output != "json") {
    std::cout << resp.objection().objection_id()
              << (f.accept ? T(o, {" diterima", " accepted"}) : T(o, {" ditolak", " rejected"})) << "\n";
  }
  return Show(o, s, cl, resp.submission());
}

// Streams the export to a file (or stdout); a dropped connection resumes
// after the last whole submission received.
int Export(const Options& o, const Flags& f, const std::string& province, const std::string& format,
           const std::string& to) {
  subv1::ExportSubmissionsRequest req;
  req.set_cycle_id(f.cycle);
  req.set_province_code(province);
  if (format == "csv") {
    req.set_format(subv1::EXPORT_FORMAT_CSV);
  } else if (format == "jsonl") {
    req.set_format(subv1::EXPORT_FORMAT_JSON_LINES);
  } else {
    std::cerr << "klactl: " << T(o, kError) << ": --format csv|jsonl\n";
    return 2;
  }
  const std::string part = to.empty() ? "" : to + ".part";
  std::ofstream file;
  if (!to.empty()) {
    file.open(part, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "klactl: " << T(o, kError) << ": " << T(o, {"tidak dapat menulis ", "cannot write "}) << to << "\n";
      return 2;
    }
  }
  std::ostream& out = to.empty() ? std::cout : file;
  Client cl(o);
  auto stub = subv1::SubmissionService::NewStub(cl.channel());
  int total = 0;
  grpc::Status s;
  for (int attempt = 0; attempt < 5; ++attempt) {
    // A whole country takes a while: ten minutes before giving up.
    auto ctx = cl.Context(absl::Minutes(10));
    auto reader = stub->ExportSubmissions(ctx.get(), req);
    subv1::ExportSubmissionsResponse msg;
    int in_stream = 0;
    while (reader->Read(&msg)) {
      out << msg.data();
      in_stream = msg.submissions();
      if (!msg.last_region_code().empty()) req.set_start_after_region_code(msg.last_region_code());
    }
    total += in_stream;
    s = reader->Finish();
    if (s.ok() ||
        (s.error_code() != grpc::StatusCode::UNAVAILABLE && s.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED)) {
      break;
    }
    std::cerr << "klactl: " << T(o, {"koneksi terputus, dilanjutkan setelah ", "connection lost, resuming after "})
              << req.start_after_region_code() << "\n";
  }
  if (!s.ok()) return cl.Report(s);
  if (!to.empty()) {
    file.close();
    std::error_code ec;
    std::filesystem::rename(part, to, ec);
    if (ec || !file) {
      std::cerr << "klactl: " << T(o, kError) << ": " << T(o, {"tidak dapat menulis ", "cannot write "}) << to << "\n";
      return 1;
    }
    std::cerr << T(o, {"diekspor: ", "exported: "}) << total << T(o, {" pengajuan ke ", " submissions to "}) << to
              << "\n";
  }
  return 0;
}

int Audit(const Options& o, const Flags& f) {
  Client cl(o);
  auto stub = subv1::SubmissionService::NewStub(cl.channel());
  subv1::ListAuditEntriesRequest req;
  req.set_cycle_id(f.cycle);
  req.set_region_code(f.region);
  req.set_item_id(f.item);
  subv1::ListAuditEntriesResponse all;
  do {
    subv1::ListAuditEntriesResponse page;
    grpc::Status s = stub->ListAuditEntries(cl.Context().get(), req, &page);
    if (!s.ok()) return cl.Report(s);
    for (auto& e : *page.mutable_entries()) *all.add_entries() = std::move(e);
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  if (o.output == "json") {
    std::cout << ToJson(all);
    return 0;
  }
  auto value = [](const subv1::AnswerValue& v) -> std::string {
    switch (v.kind_case()) {
      case subv1::AnswerValue::kBoolean:
        return v.boolean() ? "ya" : "tidak";
      case subv1::AnswerValue::kChoice:
        return v.choice();
      case subv1::AnswerValue::kPercentHundredths:
        return FormatPoints(v.percent_hundredths(), true) + " %";
      case subv1::AnswerValue::kCount:
        return std::to_string(v.count());
      case subv1::AnswerValue::kText:
        return v.text().size() > 30 ? v.text().substr(0, 30) + "…" : v.text();
      default:
        return "-";
    }
  };
  Table t({"#", T(o, {"WAKTU", "TIME"}), T(o, {"OLEH", "BY"}), T(o, {"AKSI", "ACTION"}), T(o, {"BUTIR", "ITEM"}),
           T(o, {"SEBELUM", "BEFORE"}), T(o, {"SESUDAH", "AFTER"}), T(o, {"KETERANGAN", "DETAIL"})});
  for (const auto& e : all.entries()) {
    std::string action = subv1::AuditAction_Name(e.action());
    action = std::string(absl::StripPrefix(action, "AUDIT_ACTION_"));
    t.Add({std::to_string(e.sequence()), ShowTime(e.time()), e.actor(), action, e.item_id().empty() ? "-" : e.item_id(),
           value(e.before()), value(e.after()), e.detail()});
  }
  t.Print(std::cout);
  return 0;
}

int List(const Options& o, const Flags& f, const std::string& province) {
  Client cl(o);
  auto stub = subv1::SubmissionService::NewStub(cl.channel());
  subv1::ListSubmissionsRequest req;
  req.set_cycle_id(f.cycle);
  req.set_province_code(province);
  subv1::ListSubmissionsResponse all;
  do {
    subv1::ListSubmissionsResponse page;
    grpc::Status s = stub->ListSubmissions(cl.Context().get(), req, &page);
    if (!s.ok()) return cl.Report(s);
    for (auto& e : *page.mutable_submissions()) *all.add_submissions() = std::move(e);
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  if (o.output == "json") {
    std::cout << ToJson(all);
    return 0;
  }
  Table t({T(o, {"KODE", "CODE"}), T(o, kStatus), T(o, {"TERJAWAB", "ANSWERED"}), T(o, {"DIKIRIM", "SUBMITTED"})});
  for (const auto& s : all.submissions()) {
    t.Add({s.region_code(), StateLabel(o, s), absl::StrCat(s.progress().answered(), "/", s.progress().required()),
           s.has_submit_time() ? ShowTime(s.submit_time()) : "-"});
  }
  t.Print(std::cout);
  std::cout << T(o, kTotal) << ": " << all.submissions_size() << "\n";
  return 0;
}

// The flags of every submission command (CLI11 binds them before running one).
Flags& SubmissionFlags() {
  static Flags f;
  return f;
}

std::string& ProvinceFlag() {
  static std::string province;
  return province;
}

// Reading and answering: status, list, answer, import, submit, audit, export.
void AddAnswerCommands(CLI::App* sub, Options& o, int* rc) {
  Flags& f = SubmissionFlags();
  auto region_and_cycle = [&f](CLI::App* cmd) { AddRegionAndCycle(cmd, &f.region, &f.cycle); };
  std::string& province = ProvinceFlag();
  auto* status = sub->add_subcommand("status", "State, progress per indicator, what is missing, what you may do next");
  region_and_cycle(status);
  status->callback([&o, &f, rc] { *rc = Status(o, f); });

  auto* list = sub->add_subcommand("list", "Submissions of a cycle (all pages)");
  list->add_option("--cycle", f.cycle, "Cycle id")->required();
  list->add_option("--province", province, "Only this province, e.g. 35");
  list->callback([&o, &f, &province, rc] { *rc = List(o, f, province); });

  auto* answer = sub->add_subcommand("answer", "Save answers typed here (checked against the rulebook first)");
  region_and_cycle(answer);
  answer->add_option("--set", f.set, "ITEM=VALUE, repeatable (values: ya/tidak, option id, 87,5, 12, text)")
      ->required();
  answer->add_option("--note", f.note, "A note for these answers");
  AddRequestId(answer, &f.request_id);
  answer->callback([&o, &f, rc] { *rc = Answer(o, f); });

  auto* import_cmd =
      sub->add_subcommand("import", "Import answers from a CSV (item_id,value[,note]); all lines or none");
  region_and_cycle(import_cmd);
  import_cmd->add_option("file", f.file, "The CSV file, e.g. examples/jawaban-35.72.csv")->required();
  AddRequestId(import_cmd, &f.request_id);
  import_cmd->callback([&o, &f, rc] { *rc = Import(o, f); });

  auto* submit = sub->add_subcommand("submit", "Submit (or resubmit) the self-evaluation; lists anything missing");
  region_and_cycle(submit);
  AddRequestId(submit, &f.request_id);
  submit->callback([&o, &f, rc] { *rc = Submit(o, f); });

  auto* audit = sub->add_subcommand("audit", "Every change: who, when, what, before and after");
  region_and_cycle(audit);
  audit->add_option("--item", f.item, "Only this item");
  audit->callback([&o, &f, rc] { *rc = Audit(o, f); });

  static std::string format = "csv", to;
  auto* exp = sub->add_subcommand("export", "Stream a cycle's submissions as CSV or JSON lines (resumes if cut)");
  exp->add_option("--cycle", f.cycle, "Cycle id")->required();
  exp->add_option("--province", province, "Only this province, e.g. 35 (province verifiers: required)");
  exp->add_option("--format", format, "csv (one line per answer) or jsonl (one submission per line)");
  exp->add_option("--to", to, "Write to this file (default: standard output)");
  exp->callback([&o, &f, &province, rc] { *rc = Export(o, f, province, format, to); });
}

// The verifier's decisions: return, extend-return, not-completed, verify.
void AddReviewCommands(CLI::App* sub, Options& o, int* rc) {
  Flags& f = SubmissionFlags();
  auto region_and_cycle = [&f](CLI::App* cmd) { AddRegionAndCycle(cmd, &f.region, &f.cycle); };
  auto* ret = sub->add_subcommand("return", "Return for correction, a reason per item, with a deadline");
  region_and_cycle(ret);
  ret->add_option("--item", f.returns, "ITEM=REASON, repeatable")->required();
  ret->add_option("--deadline", f.deadline, "Resubmit by this day (WIB, inclusive), e.g. 2025-04-15")->required();
  AddRequestId(ret, &f.request_id);
  ret->callback([&o, &f, rc] { *rc = Return(o, f); });

  auto* extend = sub->add_subcommand("extend-return", "Give a returned submission a new deadline, with a reason");
  region_and_cycle(extend);
  extend->add_option("--deadline", f.deadline, "Resubmit by this day (WIB, inclusive), e.g. 2025-04-17")->required();
  extend->add_option("--reason", f.reason, "Why, e.g. \"tambahan 2x24 jam untuk mengunggah SK\"")->required();
  AddRequestId(extend, &f.request_id);
  extend->callback([&o, &f, rc] { *rc = ExtendReturn(o, f); });

  auto* closed = sub->add_subcommand(
      "not-completed", "Close a returned submission as not completed: the region leaves this cycle's evaluation");
  region_and_cycle(closed);
  closed->add_option("--reason", f.reason, "Why, e.g. \"SK tidak diunggah sampai batas waktu\"")->required();
  AddRequestId(closed, &f.request_id);
  closed->callback([&o, &f, rc] { *rc = MarkNotCompleted(o, f); });

  auto* verify = sub->add_subcommand("verify", "Complete your stage: adjustments with a reason, the rest accepted");
  region_and_cycle(verify);
  verify->add_option("--adjust", f.adjust, "ITEM=VALUE the verifier found, repeatable");
  verify->add_option("--reason", f.reason, "Why the adjustments (required with --adjust)");
  AddRequestId(verify, &f.request_id);
  verify->callback([&o, &f, rc] { *rc = Verify(o, f); });
}

// Objections (sanggah): object, resolve.
void AddObjectionCommands(CLI::App* sub, Options& o, int* rc) {
  Flags& f = SubmissionFlags();
  auto region_and_cycle = [&f](CLI::App* cmd) { AddRegionAndCycle(cmd, &f.region, &f.cycle); };
  auto* object = sub->add_subcommand("object", "File an objection (sanggah) to one indicator, with evidence");
  region_and_cycle(object);
  object->add_option("--indicator", f.indicator, "Indicator number, 1-24")->required();
  object->add_option("--reason", f.reason, "Why the region objects")->required();
  object->add_option("--evidence", f.evidence, "Evidence id already uploaded, repeatable");
  object->add_option("--file", f.files, "A file to upload as evidence for it, repeatable");
  AddRequestId(object, &f.request_id);
  object->callback([&o, &f, rc] { *rc = Object(o, f); });

  auto* resolve = sub->add_subcommand("resolve", "Decide an objection: --accept with --adjust, or --reject");
  region_and_cycle(resolve);
  resolve->add_option("objection_id", f.objection_id, "e.g. sanggah-5")->required();
  resolve->add_flag("--accept", f.accept, "Accept, correcting the answers given with --adjust");
  resolve->add_flag("--reject", f.reject, "Reject");
  resolve->add_option("--adjust", f.adjust, "ITEM=VALUE corrected on acceptance, repeatable");
  resolve->add_option("--reason", f.reason, "Why (required)")->required();
  AddRequestId(resolve, &f.request_id);
  resolve->callback([&o, &f, rc] { *rc = Resolve(o, f); });
}

}  // namespace

void AddSubmissionCommands(CLI::App& app, Options& o, int* rc) {
  auto* sub = app.add_subcommand("submission", "Self-evaluations (evaluasi mandiri) and their verification");
  sub->require_subcommand(1);
  sub->fallthrough();
  AddAnswerCommands(sub, o, rc);
  AddReviewCommands(sub, o, rc);
  AddObjectionCommands(sub, o, rc);
  AddEvidenceCommands(sub, o, rc);
}

}  // namespace kla::klactl
