#include "libs/rpc/error_text.h"

#include <map>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/rpc/error_details.pb.h"
#include "libs/rpc/error_mapping.h"

namespace kla::rpc {
namespace {

struct Text {
  const char* id;
  const char* en;
};

// Per reason, the sentences in both languages, most specific first: the
// first whose {placeholders} the error's metadata fills is used.
const std::map<std::string, std::vector<Text>>& Catalogue() {
  static const auto* kTexts = new std::map<std::string, std::vector<Text>>{
      {"INVALID_FIELD",
       {{"Isian {field} tidak valid ({violations} masalah).",
         "The field {field} is not valid ({violations} problems)."}}},
      {"INVALID_ARGUMENT", {{"Permintaan tidak valid.", "The request is not valid."}}},
      {"RESOURCE_NOT_FOUND",
       {{"{resource_type} {resource_name} tidak ditemukan.", "{resource_type} {resource_name} not found."},
        {"Data yang diminta tidak ditemukan.", "What was asked for does not exist."}}},
      {"ALREADY_EXISTS", {{"Data itu sudah ada.", "It already exists."}}},
      {"PERMISSION_DENIED", {{"Akun Anda tidak diizinkan melakukan ini.", "Your account may not do this."}}},
      {"ROLE_NOT_ALLOWED",
       {{"Peran {role} tidak diizinkan melakukan tindakan ini.", "The role {role} may not do this."},
        {"Peran Anda tidak diizinkan melakukan tindakan ini.", "Your role may not do this."}}},
      {"OUT_OF_SCOPE",
       {{"Daerah {region} di luar jangkauan akun Anda.", "Region {region} is outside your account's reach."},
        {"Daerah itu di luar jangkauan akun Anda.", "That region is outside your account's reach."}}},
      {"SIGN_IN_REQUIRED", {{"Silakan masuk terlebih dahulu.", "Sign in first."}}},
      {"TOKEN_INVALID", {{"Sesi Anda tidak sah; silakan masuk kembali.", "Your session is not valid; sign in again."}}},
      {"TOKEN_EXPIRED",
       {{"Sesi Anda telah berakhir; silakan masuk kembali.", "Your session has expired; sign in again."}}},
      {"TOKEN_REVOKED",
       {{"Sesi Anda telah dicabut; silakan masuk kembali.", "Your session was revoked; sign in again."}}},
      {"INVALID_CREDENTIALS", {{"Nama akun atau kata sandi salah.", "Wrong account name or password."}}},
      {"ACCOUNT_LOCKED",
       {{"Akun dikunci sementara karena terlalu banyak percobaan masuk; coba lagi setelah {until}.",
         "The account is locked after too many failed sign-ins; try again after {until}."}}},
      {"RATE_LIMITED",
       {{"Terlalu banyak percobaan; coba lagi sebentar lagi.", "Too many attempts; try again in a moment."}}},
      {"PRECONDITION_FAILED",
       {{"Permintaan tidak dapat dijalankan dalam keadaan sekarang ({type}).",
         "The request cannot be carried out as things stand ({type})."},
        {"Permintaan tidak dapat dijalankan dalam keadaan sekarang.",
         "The request cannot be carried out as things stand."}}},
      {"INVALID_STATE",
       {{"Tindakan ini tidak dapat dilakukan pada evaluasi yang berstatus {state} ({stage}).",
         "This cannot be done to an evaluation that is {state} ({stage})."}}},
      {"PHASE_NOT_OPEN", {{"Tahap {phase} baru dibuka pada {opens}.", "The {phase} phase opens at {opens}."}}},
      {"DEADLINE_PASSED",
       {{"Batas waktu tahap {phase} telah lewat pada {deadline}.", "The deadline of {phase} passed at {deadline}."}}},
      {"RETURN_DEADLINE_PASSED",
       {{"Batas waktu perbaikan telah lewat pada {deadline}; verifikator tahap ini dapat menetapkan batas baru.",
         "The deadline of the return passed at {deadline}; the verifier of this stage can set a new one."}}},
      {"ETAG_MISMATCH",
       {{"Data telah diubah orang lain; muat ulang lalu ulangi. Tidak ada yang disimpan.",
         "Someone else changed it first; read it again and retry. Nothing was saved."}}},
      {"CONCURRENT_CHANGE",
       {{"Terjadi perubahan bersamaan; ulangi permintaan.", "A concurrent change happened; retry."}}},
      {"REQUEST_ID_REUSED",
       {{"request_id ini sudah dipakai untuk permintaan lain; pakai yang baru.",
         "This request_id was used for another request; use a new one."}}},
      {"SUBMISSION_INCOMPLETE",
       {{"Belum dapat dikirim: {unanswered} butir belum dijawab, {without_evidence} butir belum ada data dukung.",
         "Not submitted: {unanswered} items unanswered, {without_evidence} without the evidence they need."}}},
      {"OBJECTION_PENDING",
       {{"Sanggah indikator {indicator} masih menunggu keputusan.",
         "The objection on indicator {indicator} waits for its decision."}}},
      {"RESULTS_NOT_ANNOUNCED",
       {{"Hasil belum diumumkan; diumumkan pada {announcement}.",
         "The results are not announced yet; they are on {announcement}."},
        {"Hasil belum diumumkan.", "The results are not announced yet."}}},
      {"RESULTS_EMBARGOED",
       {{"Hasil akhir diembargo sampai {until}.", "The final results are embargoed until {until}."}}},
      {"FINAL_VERIFICATION_PENDING",
       {{"{waiting} daerah masih menunggu verifikasi final, yang dibuka sampai {close}.",
         "{waiting} regions await final verification, open until {close}."}}},
      {"EVIDENCE_QUOTA_EXCEEDED",
       {{"Kuota data dukung daerah ini ({quota_mib} MiB) telah penuh.",
         "This region's evidence quota ({quota_mib} MiB) is full."}}},
      {"TOO_MANY_OPEN_UPLOADS",
       {{"Sudah ada {open} unggahan yang belum selesai; selesaikan dulu.",
         "{open} uploads are under way; finish them first."}}},
      {"TOO_MANY_EVIDENCE_FILES",
       {{"Daerah ini sudah menyimpan {files} berkas data dukung, jumlah terbanyak yang diizinkan.",
         "This region already holds {files} evidence files, the most it may."}}},
      {"SUBSCRIPTION_DISABLED",
       {{"Langganan {subscription_id} nonaktif; aktifkan dulu.",
         "Subscription {subscription_id} is disabled; enable it first."}}},
      {"RULEBOOK_VERSION_TAKEN",
       {{"Rulebook versi {version} sudah ada dengan isi lain; rulebook tidak pernah berubah, unggah sebagai versi "
         "baru.",
         "Rulebook version {version} exists with other content; rulebooks never change: upload a new version."}}},
      {"CYCLE_CLOSED",
       {{"Siklus {cycle_id} sudah {state} dan tidak dapat diubah lagi.",
         "Cycle {cycle_id} is {state} and can no longer change."}}},
      {"CYCLE_NOT_DUE",
       {{"Siklus {cycle_id} baru dapat maju ke {state} pada {due}.",
         "Cycle {cycle_id} can move to {state} only from {due}."}}},
      {"LAST_NATIONAL_ADMIN",
       {{"Ini admin nasional aktif terakhir; buat admin lain lebih dulu.",
         "This is the last active national admin; create another one first."}}},
      {"NEW_PASSWORD_REQUIRED",
       {{"Ini kata sandi sekali pakai; buat kata sandi baru (minimal 12 karakter).",
         "This is a one-time password; choose a new password (at least 12 characters)."}}},
      {"SYSTEM_ACCOUNT_NO_PASSWORD",
       {{"Akun sistem memakai kunci API, bukan kata sandi; minta admin mengaturnya ulang.",
         "System accounts have API keys, not passwords; ask an admin to reset it."}}},
      {"ACCOUNT_DISABLED", {{"Akun ini dinonaktifkan.", "This account is disabled."}}},
      {"CSRF_TOKEN_MISSING",
       {{"Permintaan ini tidak datang dari halaman kla; muat ulang halaman lalu coba lagi.",
         "This request did not come from a kla page; reload the page and try again."}}},
      {"CROSS_SITE_REQUEST", {{"Masuk hanya dari halaman kla sendiri.", "Sign in from kla's own pages only."}}},
      {"SESSION_ENDED",
       {{"Sesi Anda telah berakhir; silakan masuk lagi.", "Your session has ended; please sign in again."}}},
      {"FINAL_SCORES_ONLY", {{"Hanya nilai akhir yang terbuka untuk publik.", "Only final scores are public."}}},
      {"LIVE_RANKING_RESTRICTED",
       {{"Peringkat berjalan hanya untuk peran nasional, dan verifikator provinsi di provinsinya.",
         "The live ranking is for national roles, and for province verifiers within their province."}}},
      {"PUBLICATION_TOO_EARLY",
       {{"Siklus masih pada tahap {state}; hasil ini baru dapat diumumkan mulai tahap {needed}.",
         "The cycle is at {state}; these results can be published from {needed}."}}},
      {"NOTHING_TO_RANK",
       {{"Belum ada daerah siklus {cycle_id} yang selesai diverifikasi; belum ada yang dapat diperingkat.",
         "No region of cycle {cycle_id} has been verified yet; there is nothing to rank."}}},
      {"RESULTS_FROZEN",
       {{"Hasil akhir siklus {cycle_id} sudah diumumkan dan dibekukan.",
         "The final results of cycle {cycle_id} are published and frozen."}}},
      {"OBJECTION_EXISTS",
       {{"Indikator {indicator} sudah disanggah ({objection_id}).",
         "Indicator {indicator} already has an objection ({objection_id})."}}},
      {"OBJECTION_DECIDED",
       {{"Sanggah {objection_id} sudah diputuskan.", "Objection {objection_id} was decided already."}}},
      {"UPLOAD_OFFSET_MISMATCH",
       {{"Server sudah menerima {offset} bita unggahan ini; lanjutkan dari situ.",
         "The server holds {offset} bytes of this upload; resume from there."}}},
      {"PHASE_NOT_SCHEDULED",
       {{"Tahap {phase} tidak dijadwalkan dalam siklus ini.", "The {phase} phase is not scheduled in this cycle."}}},
      {"LIMIT_REACHED", {{"Batas telah tercapai; coba lagi nanti.", "A limit was reached; try again later."}}},
      {"SERVICE_UNAVAILABLE",
       {{"Layanan sedang tidak tersedia; coba lagi sebentar lagi (rujukan {ref}).",
         "The service is unavailable; try again shortly (ref {ref})."},
        {"Layanan sedang tidak tersedia; coba lagi sebentar lagi.", "The service is unavailable; try again shortly."}}},
      {"DEADLINE_EXCEEDED",
       {{"Layanan tidak menjawab tepat waktu; coba lagi.", "The service did not answer in time; try again."}}},
      {"CANCELLED", {{"Panggilan dibatalkan.", "The call was cancelled."}}},
      {"NOT_IMPLEMENTED", {{"Layanan ini tidak menyediakan panggilan itu.", "This service does not offer that call."}}},
      {"OUT_OF_RANGE", {{"Nilai di luar rentang.", "A value is out of range."}}},
      {"INTERNAL",
       {{"Terjadi kesalahan pada server (rujukan {ref}); laporkan rujukan ini kepada operator.",
         "Something went wrong on the server (ref {ref}); report the reference to the operators."},
        {"Terjadi kesalahan pada server.", "Something went wrong on the server."}}},
  };
  return *kTexts;
}

// Enum values and roles named in metadata, as people say them.
std::string Label(const std::string& value, bool en) {
  static const auto* kLabels = new std::map<std::string, Text>{
      {"SUBMISSION_STATE_DRAFT", {"draf", "a draft"}},
      {"SUBMISSION_STATE_AWAITING_VERIFICATION", {"menunggu verifikasi", "awaiting verification"}},
      {"SUBMISSION_STATE_RETURNED", {"dikembalikan", "returned"}},
      {"SUBMISSION_STATE_FINAL", {"final", "final"}},
      {"SUBMISSION_STATE_NOT_COMPLETED", {"tidak diselesaikan", "not completed"}},
      {"CYCLE_STATE_PLANNED", {"direncanakan", "planned"}},
      {"CYCLE_STATE_SELF_EVALUATION", {"evaluasi mandiri", "self-evaluation"}},
      {"CYCLE_STATE_PROVINCIAL_VERIFICATION", {"verifikasi provinsi", "provincial verification"}},
      {"CYCLE_STATE_CENTRAL_REVIEW", {"peninjauan pusat", "central review"}},
      {"CYCLE_STATE_FIELD_VERIFICATION", {"verifikasi lapangan", "field verification"}},
      {"CYCLE_STATE_OBJECTION", {"masa sanggah", "objections"}},
      {"CYCLE_STATE_FINAL_VERIFICATION", {"verifikasi final", "final verification"}},
      {"CYCLE_STATE_PUBLISHED", {"diumumkan", "published"}},
      {"CYCLE_STATE_CLOSED", {"ditutup", "closed"}},
      {"STAGE_SELF_EVALUATION", {"evaluasi mandiri", "self-evaluation"}},
      {"STAGE_PROVINCIAL_VERIFICATION", {"verifikasi provinsi", "provincial verification"}},
      {"STAGE_CENTRAL_REVIEW", {"peninjauan pusat", "central review"}},
      {"STAGE_FIELD_VERIFICATION", {"verifikasi lapangan", "field verification"}},
      {"STAGE_FINAL_VERIFICATION", {"verifikasi final", "final verification"}},
      {"CYCLE_PHASE_SELF_EVALUATION", {"evaluasi mandiri", "self-evaluation"}},
      {"CYCLE_PHASE_PROVINCIAL_VERIFICATION", {"verifikasi provinsi", "provincial verification"}},
      {"CYCLE_PHASE_CENTRAL_REVIEW", {"peninjauan pusat", "central review"}},
      {"CYCLE_PHASE_FIELD_VERIFICATION", {"verifikasi lapangan", "field verification"}},
      {"CYCLE_PHASE_OBJECTION", {"masa sanggah", "objections"}},
      {"CYCLE_PHASE_FINAL_VERIFICATION", {"verifikasi final", "final verification"}},
      {"NATIONAL_ADMIN", {"admin nasional", "national admin"}},
      {"PROVINCE_VERIFIER", {"verifikator provinsi", "province verifier"}},
      {"REGION_OPERATOR", {"operator daerah", "region operator"}},
      {"OPD_CONTRIBUTOR", {"kontributor OPD", "OPD contributor"}},
      {"CENTRAL_REVIEWER", {"peninjau pusat", "central reviewer"}},
      {"FIELD_VERIFIER", {"verifikator lapangan", "field verifier"}},
      {"INTEGRATION", {"sistem integrasi", "integration system"}},
      {"PUBLIC", {"publik", "public"}},
  };
  auto it = kLabels->find(value);
  if (it == kLabels->end()) return value;
  return en ? it->second.en : it->second.id;
}

// `tmpl` with each {key} replaced; nullopt when a key has no value.
std::optional<std::string> Fill(absl::string_view tmpl, const google::rpc::ErrorInfo& info, bool en) {
  std::string out;
  while (!tmpl.empty()) {
    const size_t open = tmpl.find('{');
    if (open == absl::string_view::npos) break;
    const size_t close = tmpl.find('}', open);
    if (close == absl::string_view::npos) break;
    absl::StrAppend(&out, tmpl.substr(0, open));
    auto it = info.metadata().find(std::string(tmpl.substr(open + 1, close - open - 1)));
    if (it == info.metadata().end() || it->second.empty()) return std::nullopt;
    absl::StrAppend(&out, Label(it->second, en));
    tmpl.remove_prefix(close + 1);
  }
  absl::StrAppend(&out, tmpl);
  return out;
}

bool Generic(const std::string& reason) {
  return reason == "INVALID_ARGUMENT" || reason == "PERMISSION_DENIED" || reason == "PRECONDITION_FAILED" ||
         reason == "ALREADY_EXISTS" || reason == "LIMIT_REACHED" || reason == "CONCURRENT_CHANGE" ||
         reason == "OUT_OF_RANGE" || reason == "TOKEN_INVALID";
}

std::string CodeReason(grpc::StatusCode code) { return ReasonOfCode(static_cast<absl::StatusCode>(code)); }

}  // namespace

bool HasCatalogueText(absl::string_view reason) { return Catalogue().count(std::string(reason)) > 0; }

std::string PreferredLanguage(absl::string_view accept_language) {
  // "en", "en-US", "en;q=0.9, id;q=0.8": the first tag decides.
  const absl::string_view first = absl::StripAsciiWhitespace(accept_language.substr(0, accept_language.find(',')));
  return absl::StartsWithIgnoreCase(first, "en") ? "en" : "id";
}

std::string LocalizedText(grpc::StatusCode code, const google::rpc::Status& details, absl::string_view language) {
  const bool en = language == "en";
  google::rpc::ErrorInfo info;
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo candidate;
    if (any.UnpackTo(&candidate) && candidate.domain() == kErrorDomain) info = candidate;
  }
  for (const std::string& reason : {info.reason(), CodeReason(code)}) {
    auto it = Catalogue().find(reason);
    if (it == Catalogue().end()) continue;
    for (const Text& t : it->second) {
      auto filled = Fill(en ? t.en : t.id, info, en);
      if (!filled) continue;
      // A reason that only repeats the code says too little: the
      // developer's message follows, so the real cause is not lost.
      if (Generic(reason) && !details.message().empty()) {
        filled->pop_back();  // the full stop
        absl::StrAppend(&*filled, ": ", details.message());
      }
      return *filled;
    }
  }
  return en ? "The request failed." : "Permintaan gagal.";
}

grpc::Status LocalizeStatus(const grpc::Status& status, absl::string_view language) {
  if (status.ok()) return status;
  google::rpc::Status details;
  if (!status.error_details().empty() && !details.ParseFromString(status.error_details())) return status;
  bool has_info = false;
  for (const auto& any : details.details()) {
    if (any.Is<google::rpc::LocalizedMessage>()) return status;
    has_info |= any.Is<google::rpc::ErrorInfo>();
  }
  details.set_code(static_cast<int>(status.error_code()));
  details.set_message(status.error_message());
  if (!has_info) {
    google::rpc::ErrorInfo info;
    info.set_reason(CodeReason(status.error_code()));
    info.set_domain(kErrorDomain);
    details.add_details()->PackFrom(info);
  }
  google::rpc::LocalizedMessage localized;
  localized.set_locale(language == "en" ? "en-US" : "id-ID");
  localized.set_message(LocalizedText(status.error_code(), details, language));
  details.add_details()->PackFrom(localized);
  return grpc::Status(status.error_code(), status.error_message(), details.SerializeAsString());
}

}  // namespace kla::rpc
