#include "tools/klactl/evidence.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "kla/submission/v1/submission_service.grpc.pb.h"
#include "libs/common/errors.h"
#include "libs/common/files.h"
#include "libs/common/ids.h"
#include "libs/rpc/error_mapping.h"
#include "tools/klactl/output.h"
#include "tools/klactl/submissions.h"

namespace kla::klactl {
namespace {

namespace regv1 = kla::registry::v1;
namespace subv1 = kla::submission::v1;

constexpr int64_t kChunkBytes = 1 << 20;  // the server's per-message limit
constexpr int kAttempts = 6;

struct EvidenceFlags {
  std::string region, cycle, item, dir, output, request_id;
  std::vector<std::string> files;
  std::string evidence_id;
  bool force = false;
};

std::string MediaTypeOf(const std::filesystem::path& p) {
  const std::string ext = absl::AsciiStrToLower(p.extension().string());
  if (ext == ".pdf") return "application/pdf";
  if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
  if (ext == ".png") return "image/png";
  if (ext == ".docx") return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  if (ext == ".xlsx") return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  if (ext == ".mp4") return "video/mp4";
  return "application/octet-stream";
}

// "1,2 MB" in Indonesian, "1.2 MB" in English.
std::string ShowBytes(const Options& o, int64_t n) {
  std::string s;
  if (n < 1024) {
    s = absl::StrCat(n, " B");
  } else if (n < (1 << 20)) {
    s = absl::StrFormat("%.1f KB", static_cast<double>(n) / 1024);
  } else {
    s = absl::StrFormat("%.1f MB", static_cast<double>(n) / (1 << 20));
  }
  return o.lang == "en" ? s : absl::StrReplaceAll(s, {{".", ","}});
}

// The item a file in --dir belongs to: the longest item id its name starts
// with, followed by a space, '_', '-', '.' or nothing ("2.1 SK Gugus Tugas.pdf",
// "1.1_perda.pdf", "2.1.pdf"). Empty if none.
std::string ItemOfFileName(const std::string& name, const std::map<std::string, const regv1::ItemRule*>& items) {
  std::string best;
  for (const auto& [id, rule] : items) {
    if (!absl::StartsWith(name, id) || id.size() <= best.size()) continue;
    if (name.size() == id.size() || absl::string_view(" _-.").find(name[id.size()]) != absl::string_view::npos) {
      best = id;
    }
  }
  return best;
}

bool Transient(const grpc::Status& s) {
  switch (s.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::ABORTED:
      return true;
    case grpc::StatusCode::FAILED_PRECONDITION: {  // another stream moved the offset on
      const auto reason = GetReason(rpc::FromGrpcStatus(s));
      return reason && reason->reason == "UPLOAD_OFFSET_MISMATCH";
    }
    default:
      return false;
  }
}

// Progress on a terminal: one line per file, rewritten in place.
class Progress {
 public:
  Progress(const Options& o, std::string label, int64_t total)
      : o_(o), label_(std::move(label)), total_(total), tty_(isatty(STDERR_FILENO) != 0) {}
  void Show(int64_t sent) const {
    if (!tty_) return;
    const int pct = total_ == 0 ? 100 : static_cast<int>(sent * 100 / total_);
    std::cerr << "\r" << label_ << "  " << pct << " % (" << ShowBytes(o_, sent) << " / " << ShowBytes(o_, total_)
              << ")   " << std::flush;
  }
  void Clear() const {
    if (tty_) std::cerr << "\r" << std::string(label_.size() + 40, ' ') << "\r" << std::flush;
  }

 private:
  const Options& o_;
  std::string label_;
  int64_t total_;
  bool tty_;
};

struct LocalFile {
  std::filesystem::path path;
  std::string item_id;
  std::string media_type;
  int64_t size = 0;
  subv1::EvidencePurpose purpose = subv1::EVIDENCE_PURPOSE_ANSWER;
};

enum class Result { kUploaded, kAlreadyThere, kFailed };

subv1::UploadHeader HeaderOf(const EvidenceFlags& f, const LocalFile& file, const std::string& sha) {
  subv1::UploadHeader header;
  // Same file, same item, same region: same id, so a rerun resumes.
  header.set_upload_id(absl::StrCat(f.cycle, ".", f.region, ".", file.item_id, ".", sha.substr(0, 40)));
  header.set_cycle_id(f.cycle);
  header.set_region_code(f.region);
  header.set_item_id(file.item_id);
  header.set_file_name(file.path.filename().string());
  header.set_media_type(file.media_type);
  header.set_size_bytes(file.size);
  header.set_sha256(sha);
  header.set_purpose(file.purpose);
  if (file.purpose == subv1::EVIDENCE_PURPOSE_OBJECTION) header.set_upload_id(header.upload_id() + ".sanggah");
  return header;
}

// One upload stream: the header, then the file from header.offset() on.
grpc::Status SendFrom(const Client& cl, subv1::SubmissionService::Stub* stub, const subv1::UploadHeader& header,
                      int64_t size, std::ifstream& in, const Progress& progress, subv1::UploadEvidenceResponse* done) {
  // Generous for a slow regional link: the configured deadline plus a
  // second per 64 KiB still to send.
  auto ctx = cl.Context(absl::Seconds((size - header.offset()) / (int64_t{64} * 1024) + 1));
  auto writer = stub->UploadEvidence(ctx.get(), done);
  subv1::UploadEvidenceRequest msg;
  *msg.mutable_header() = header;
  bool open = writer->Write(msg);
  int64_t sent = header.offset();
  std::string buf(kChunkBytes, '\0');
  while (open && sent < size) {
    in.read(buf.data(), static_cast<std::streamsize>(std::min<int64_t>(kChunkBytes, size - sent)));
    const std::streamsize n = in.gcount();
    if (n <= 0) break;  // the file shrank; the server's size check reports it
    msg.set_chunk(buf.data(), static_cast<size_t>(n));
    open = writer->Write(msg);
    if (open) sent += n;
    progress.Show(sent);
  }
  if (open) writer->WritesDone();
  grpc::Status status = writer->Finish();
  progress.Clear();
  return status;
}

// One file: ask where the server stands, send the rest, retry what a
// network or a restart interrupted.
Result UploadOne(const Options& o, const Client& cl, subv1::SubmissionService::Stub* stub, const EvidenceFlags& f,
                 const LocalFile& file, std::string* evidence_id) {
  auto sha = FileSha256(file.path.string());
  if (!sha.ok()) {
    std::cerr << "klactl: " << file.path.string() << ": " << T(o, kCannotRead) << "\n";
    return Result::kFailed;
  }
  subv1::UploadHeader header = HeaderOf(f, file, *sha);
  const Progress progress(o, absl::StrCat(file.item_id, "  ", header.file_name()), file.size);
  absl::Duration backoff = absl::Milliseconds(300);
  grpc::Status last;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (attempt > 0) {
      std::this_thread::sleep_for(absl::ToChronoMilliseconds(backoff));
      backoff *= 2;
    }
    subv1::GetUploadStatusRequest q;
    q.set_upload_id(header.upload_id());
    q.set_region_code(f.region);
    subv1::UploadEvidenceResponse where;
    last = stub->GetUploadStatus(cl.Context().get(), q, &where);
    if (last.error_code() == grpc::StatusCode::NOT_FOUND) {
      where.Clear();
    } else if (!last.ok()) {
      if (Transient(last)) continue;
      break;
    } else if (where.has_evidence()) {
      *evidence_id = where.evidence().evidence_id();
      if (where.evidence().attached() || file.purpose == subv1::EVIDENCE_PURPOSE_OBJECTION) {
        return Result::kAlreadyThere;
      }
      // Uploaded before and detached since: attach it again as a new upload.
      header.set_upload_id(absl::StrCat(header.upload_id().substr(0, 80), ".", NewUuid().substr(0, 8)));
      where.Clear();
    }
    header.set_offset(where.received_bytes());
    if (header.offset() > 0) {
      std::cerr << header.item_id() << "  " << header.file_name() << T(o, {": dilanjutkan dari ", ": resuming from "})
                << ShowBytes(o, header.offset()) << "\n";
    }

    std::ifstream in(file.path, std::ios::binary);
    in.seekg(header.offset());
    if (!in) {
      std::cerr << "klactl: " << file.path.string() << ": " << T(o, kCannotRead) << "\n";
      return Result::kFailed;
    }
    subv1::UploadEvidenceResponse done;
    last = SendFrom(cl, stub, header, file.size, in, progress, &done);
    if (last.ok() && done.has_evidence()) {
      *evidence_id = done.evidence().evidence_id();
      return Result::kUploaded;
    }
    if (last.ok()) continue;  // the stream ended early; resume from where the server is
    if (last.error_code() == grpc::StatusCode::INVALID_ARGUMENT &&
        absl::StrContains(last.error_message(), "SHA-256 check")) {
      // The bytes did not match (the file changed while sending): start over.
      header.set_upload_id(absl::StrCat(header.upload_id().substr(0, 80), ".", NewUuid().substr(0, 8)));
      continue;
    }
    if (!Transient(last)) break;
  }
  std::cerr << header.item_id() << "  " << header.file_name() << ": ";
  cl.Report(last);
  return Result::kFailed;
}

// The files of an upload (--dir, or --item with files), each checked
// against the rulebook before anything is sent; false (reported) when one
// is not right.
bool CollectFiles(const Options& o, const EvidenceFlags& f, const regv1::Rulebook& rulebook,
                  std::vector<LocalFile>* files) {
  std::map<std::string, const regv1::ItemRule*> items;
  for (const auto& ind : rulebook.indicators()) {
    for (const auto& it : ind.items()) items[it.id()] = &it;
  }
  // Every file checked before anything is sent.
  std::vector<std::string> problems;
  auto add = [&](const std::filesystem::path& p, const std::string& item) {
    std::error_code ec;
    LocalFile lf{p, item, MediaTypeOf(p), static_cast<int64_t>(std::filesystem::file_size(p, ec))};
    auto rule = items.find(item);
    if (ec) {
      problems.push_back(absl::StrCat(p.string(), ": ", T(o, kCannotRead)));
    } else if (item.empty() || rule == items.end()) {
      problems.push_back(absl::StrCat(p.string(), ": ",
                                      item.empty()
                                          ? T(o, {"nama berkas tidak diawali id butir, mis. \"2.1 SK Gugus Tugas.pdf\"",
                                                  "file name does not start with an item id, e.g. "
                                                  "\"2.1 SK Gugus Tugas.pdf\""})
                                          : T(o, {"butir tidak ada di rulebook", "no such item in the rulebook"})));
    } else {
      const auto& listed = rule->second->evidence_media_types();
      const std::vector<std::string> allowed =
          listed.empty() ? std::vector<std::string>{"application/pdf", "image/jpeg", "image/png"}
                         : std::vector<std::string>(listed.begin(), listed.end());
      if (std::find(allowed.begin(), allowed.end(), lf.media_type) == allowed.end()) {
        problems.push_back(absl::StrCat(p.string(), ": ", T(o, {"butir ", "item "}), item,
                                        T(o, {" menerima ", " takes "}), absl::StrJoin(allowed, ", ")));
      } else {
        files->push_back(lf);
      }
    }
  };
  if (!f.dir.empty()) {
    std::error_code ec;
    std::vector<std::filesystem::path> found;
    for (const auto& entry : std::filesystem::directory_iterator(f.dir, ec)) {
      if (entry.is_regular_file() && entry.path().filename().string()[0] != '.') found.push_back(entry.path());
    }
    if (ec) {
      std::cerr << "klactl: " << T(o, kError) << ": " << T(o, kCannotRead) << " " << f.dir << "\n";
      return false;
    }
    std::sort(found.begin(), found.end());
    for (const auto& p : found) add(p, ItemOfFileName(p.filename().string(), items));
  }
  for (const auto& name : f.files) add(name, f.item);
  if (!problems.empty()) {
    for (const auto& p : problems) std::cerr << "klactl: " << p << "\n";
    std::cerr << "klactl: " << T(o, {"tidak ada yang dikirim", "nothing was sent"}) << "\n";
    return false;
  }
  return true;
}

int Upload(const Options& o, const EvidenceFlags& f) {
  if (f.dir.empty() == f.files.empty()) {
    std::cerr << "klactl: " << T(o, kError) << ": "
              << T(o, {"berikan --item ITEM BERKAS… atau --dir DIREKTORI", "give --item ITEM FILE… or --dir DIR"})
              << "\n";
    return 2;
  }
  if (!f.files.empty() && f.item.empty()) {
    std::cerr << "klactl: " << T(o, kError) << ": --item " << T(o, {"wajib bersama berkas", "is required with files"})
              << "\n";
    return 2;
  }
  Client cl(o);
  regv1::Rulebook rulebook;
  if (!LoadRulebook(cl, f.cycle, &rulebook)) return 1;
  std::vector<LocalFile> files;
  if (!CollectFiles(o, f, rulebook, &files)) return 2;
  auto stub = subv1::SubmissionService::NewStub(cl.channel());
  int uploaded = 0, already = 0, failed = 0;
  for (const auto& file : files) {
    std::string id;
    const Result r = UploadOne(o, cl, stub.get(), f, file, &id);
    const char* word = r == Result::kUploaded       ? T(o, {"diunggah", "uploaded"})
                       : r == Result::kAlreadyThere ? T(o, {"sudah ada", "already there"})
                                                    : T(o, {"GAGAL", "FAILED"});
    (r == Result::kUploaded ? uploaded : r == Result::kAlreadyThere ? already : failed)++;
    if (o.output != "json") {
      std::cout << "  " << file.item_id << "  " << file.path.filename().string() << "  " << ShowBytes(o, file.size)
                << "  " << word << "\n";
    }
  }
  std::cout << T(o, {"diunggah ", "uploaded "}) << uploaded << T(o, {", sudah ada ", ", already there "}) << already
            << T(o, {", gagal ", ", failed "}) << failed << "\n";
  return failed > 0 ? 1 : 0;
}

int ListEvidence(const Options& o, const EvidenceFlags& f) {
  Client cl(o);
  auto stub = subv1::SubmissionService::NewStub(cl.channel());
  subv1::ListEvidenceRequest req;
  req.set_cycle_id(f.cycle);
  req.set_region_code(f.region);
  req.set_item_id(f.item);
  req.set_page_size(1000);
  subv1::ListEvidenceResponse resp;  // every page, as one list
  do {
    subv1::ListEvidenceResponse page;
    grpc::Status s = stub->ListEvidence(cl.Context().get(), req, &page);
    if (!s.ok()) return cl.Report(s);
    for (auto& e : *page.mutable_evidence()) *resp.add_evidence() = std::move(e);
    req.set_page_token(page.next_page_token());
  } while (!req.page_token().empty());
  if (o.output == "json") {
    std::cout << ToJson(resp);
    return 0;
  }
  Table t({"ID", T(o, {"BUTIR", "ITEM"}), T(o, {"BERKAS", "FILE"}), T(o, {"UKURAN", "SIZE"}),
           T(o, {"DIUNGGAH", "UPLOADED"}), T(o, {"OLEH", "BY"}), T(o, kStatus)});
  for (const auto& e : resp.evidence()) {
    t.Add({e.evidence_id(), e.item_id(), e.file_name(), ShowBytes(o, e.size_bytes()), ShowTime(e.upload_time()),
           e.uploaded_by(), e.attached() ? T(o, {"terlampir", "attached"}) : T(o, {"dilepas", "detached"})});
  }
  t.Print(std::cout);
  std::cout << T(o, kTotal) << ": " << resp.evidence_size() << "\n";
  return 0;
}

int Download(const Options& o, const EvidenceFlags& f) {
  Client cl(o);
  auto stub = subv1::SubmissionService::NewStub(cl.channel());
  subv1::DownloadEvidenceRequest req;
  req.set_cycle_id(f.cycle);
  req.set_region_code(f.region);
  req.set_evidence_id(f.evidence_id);
  // Up to the server's 25 MiB at 64 KiB/s.
  auto ctx = cl.Context(absl::Seconds(400));
  auto reader = stub->DownloadEvidence(ctx.get(), req);
  subv1::DownloadEvidenceResponse msg;
  subv1::Evidence meta;
  std::string content;
  while (reader->Read(&msg)) {
    if (msg.has_evidence()) meta = msg.evidence();
    content += msg.chunk();
  }
  grpc::Status s = reader->Finish();
  if (!s.ok()) return cl.Report(s);
  const std::string path = f.output.empty() ? meta.file_name() : f.output;
  std::error_code ec;
  if (!f.force && std::filesystem::exists(path, ec)) {
    std::cerr << "klactl: " << T(o, kError) << ": " << path
              << T(o, {" sudah ada (pakai --force untuk menimpa)", " exists (use --force to overwrite)"}) << "\n";
    return 2;
  }
  if (auto st = WriteFileAtomically(path, content, 0644); !st.ok()) {
    std::cerr << "klactl: " << T(o, kError) << ": " << st.message() << "\n";
    return 1;
  }
  // The server hashed what it stored; the copy here must match.
  auto sha = FileSha256(path);
  if (!sha.ok() || *sha != meta.sha256()) {
    std::cerr << "klactl: " << T(o, kError) << ": " << path
              << T(o, {": SHA-256 tidak cocok, unduh ulang", ": SHA-256 mismatch, download again"}) << "\n";
    return 1;
  }
  if (o.output == "json") {
    std::cout << JsonObject(
        {{"path", path}, {"sizeBytes", std::to_string(meta.size_bytes())}, {"sha256", meta.sha256()}});
    return 0;
  }
  std::cout << path << "  " << ShowBytes(o, meta.size_bytes()) << "  sha256 " << meta.sha256() << "\n";
  return 0;
}

int Detach(const Options& o, const EvidenceFlags& f) {
  Client cl(o);
  auto stub = subv1::SubmissionService::NewStub(cl.channel());
  subv1::DetachEvidenceRequest req;
  req.set_request_id(f.request_id.empty() ? NewUuid() : f.request_id);
  req.set_cycle_id(f.cycle);
  req.set_region_code(f.region);
  req.set_evidence_id(f.evidence_id);
  subv1::DetachEvidenceResponse resp;
  grpc::Status s = stub->DetachEvidence(cl.Context().get(), req, &resp);
  if (!s.ok()) return cl.Report(s);
  if (o.output == "json") {
    std::cout << ToJson(resp);
  } else {
    std::cout << resp.evidence().item_id() << "  " << resp.evidence().file_name()
              << T(o, {"  dilepas (berkas tetap tersimpan)", "  detached (the file is kept)"}) << "\n";
  }
  return 0;
}

}  // namespace

std::string UploadObjectionEvidence(const Options& o, const Client& cl, const std::string& cycle,
                                    const std::string& region, const std::string& item_id, const std::string& path) {
  EvidenceFlags f;
  f.cycle = cycle;
  f.region = region;
  std::error_code ec;
  const LocalFile file{path, item_id, MediaTypeOf(path), static_cast<int64_t>(std::filesystem::file_size(path, ec)),
                       subv1::EVIDENCE_PURPOSE_OBJECTION};
  if (ec) {
    std::cerr << "klactl: " << path << ": " << T(o, kCannotRead) << "\n";
    return "";
  }
  auto stub = subv1::SubmissionService::NewStub(cl.channel());
  std::string id;
  return UploadOne(o, cl, stub.get(), f, file, &id) == Result::kFailed ? "" : id;
}

void AddEvidenceCommands(CLI::App* sub, Options& o, int* rc) {
  static EvidenceFlags f;
  auto region_and_cycle = [](CLI::App* cmd) { AddRegionAndCycle(cmd, &f.region, &f.cycle); };
  auto* upload = sub->add_subcommand(
      "upload", "Upload evidence (data dukung); resumes an interrupted upload, skips files already there");
  region_and_cycle(upload);
  upload->add_option("--item", f.item, "The item the FILEs support, e.g. 2.1");
  upload->add_option("--dir", f.dir, "Every file in DIR, each named for its item: \"2.1 SK Gugus Tugas.pdf\"");
  upload->add_option("files", f.files, "Files (PDF, JPEG, PNG unless the rulebook says otherwise)");
  upload->callback([&o, rc] { *rc = Upload(o, f); });

  auto* list = sub->add_subcommand("evidence", "The evidence of a region (attached and detached)");
  region_and_cycle(list);
  list->add_option("--item", f.item, "Only this item");
  list->callback([&o, rc] { *rc = ListEvidence(o, f); });

  auto* download = sub->add_subcommand("download", "Download one evidence file, checked against its SHA-256");
  region_and_cycle(download);
  download->add_option("evidence_id", f.evidence_id, "Evidence id (see `submission evidence`)")->required();
  download->add_option("--to", f.output, "Where to write it (default: its file name, in this directory)");
  download->add_flag("--force", f.force, "Overwrite an existing file");
  download->callback([&o, rc] { *rc = Download(o, f); });

  auto* detach = sub->add_subcommand("detach", "Detach evidence from its item (the file stays stored)");
  region_and_cycle(detach);
  detach->add_option("evidence_id", f.evidence_id, "Evidence id")->required();
  AddRequestId(detach, &f.request_id);
  detach->callback([&o, rc] { *rc = Detach(o, f); });
}

}  // namespace kla::klactl
