#include "libs/gateway/open_data.h"

#include <httplib.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/time_util.h"
#include "libs/gateway/downloads.h"
#include "libs/gateway/http_call.h"
#include "libs/gateway/portal_shell.h"
#include "libs/rpc/peer.h"

namespace kla::gateway {
namespace {

using google::protobuf::util::TimeUtil;

// A ranking is read in pages of the API's largest size; this many pages
// (120,000 entries) bound a read even if a token never ended.
constexpr int kRankingPage = 600;
constexpr int kMaxRankingPages = 200;
constexpr int kFeedEntries = 50;

// An anonymous call: only the language and the HTTP client's address (for
// the services' per-address limits and logs) are passed on.
void PublicCall(const httplib::Request& req, absl::Duration deadline, grpc::ClientContext* ctx) {
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  if (req.has_header("Accept-Language")) ctx->AddMetadata("accept-language", req.get_header_value("Accept-Language"));
  ctx->AddMetadata(rpc::kHttpPeerMetadata, rpc::IpPeer(req.remote_addr, req.remote_port));
}

std::string Rfc3339(const google::protobuf::Timestamp& t) { return TimeUtil::ToString(t); }

// "msg_" + 32 hex digits as a urn:uuid (Atom ids are absolute IRIs).
std::string EntryId(absl::string_view message_id) {
  absl::string_view hex = message_id;
  absl::ConsumePrefix(&hex, "msg_");
  if (hex.size() != 32) return absl::StrCat("tag:kemenpppa.go.id,2025:kla/", message_id);
  return absl::StrCat("urn:uuid:", hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                      hex.substr(16, 4), "-", hex.substr(20));
}

std::string FeedXml(const notification::v1::ListAnnouncementsResponse& page, bool english) {
  const std::string lang = english ? "en" : "id";
  const std::string query = english ? "?lang=en" : "";
  const std::string updated = page.announcements().empty() ? Rfc3339(TimeUtil::GetCurrentTime())
                                                           : Rfc3339(page.announcements(0).publish_time());
  std::string xml = absl::StrCat(
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"", lang,
      "\">\n<id>tag:kemenpppa.go.id,2025:kla/pengumuman/", lang, "</id>\n<title>",
      english ? "Child-Friendly Regency/City awards" : "Pengumuman predikat Kabupaten/Kota Layak Anak",
      "</title>\n<updated>", updated, "</updated>\n<author><name>",
      english ? "Ministry of Women's Empowerment and Child Protection"
              : "Kementerian Pemberdayaan Perempuan dan Perlindungan Anak",
      "</name></author>\n<link rel=\"self\" type=\"application/atom+xml\" href=\"/feed.atom", query,
      "\"/>\n<link rel=\"alternate\" type=\"text/html\" href=\"/pengumuman", query, "\"/>\n");
  for (const auto& a : page.announcements()) {
    const std::string page_path = a.region().code().empty() ? "/" : absl::StrCat("/daerah/", a.region().code());
    absl::StrAppend(&xml, "<entry>\n<id>", EntryId(a.message_id()), "</id>\n<title>", HtmlEscape(a.text().title()),
                    "</title>\n<published>", Rfc3339(a.publish_time()), "</published>\n<updated>",
                    Rfc3339(a.publish_time()), "</updated>\n<link rel=\"alternate\" type=\"text/html\" href=\"",
                    page_path, query, "\"/>\n<content type=\"text\">", HtmlEscape(a.text().body()),
                    "</content>\n</entry>\n");
  }
  xml += "</feed>\n";
  return xml;
}

// Quoted when it holds a separator, a quote or a line break (RFC 4180).
std::string CsvField(absl::string_view v) {
  if (v.find_first_of(",\"\r\n") == absl::string_view::npos) return std::string(v);
  return absl::StrCat("\"", absl::StrReplaceAll(v, {{"\"", "\"\""}}), "\"");
}

std::string Decimal(int64_t hundredths) {
  return absl::StrFormat("%s%d.%02d", hundredths < 0 ? "-" : "", std::abs(hundredths) / 100,
                         std::abs(hundredths) % 100);
}

// PREDICATE_NINDYA -> NINDYA.
std::string PredicateStem(type::v1::Predicate p) {
  std::string name = type::v1::Predicate_Name(p);
  absl::string_view stem = name;
  absl::ConsumePrefix(&stem, "PREDICATE_");
  return std::string(stem);
}

std::string RankingCsv(absl::string_view cycle, const scoring::v1::GetRankingResponse& ranking) {
  std::string csv =
      "siklus,peringkat,peringkat_provinsi,kode_wilayah,nama_wilayah,kode_provinsi,nama_provinsi,nilai,predikat\r\n";
  for (const auto& e : ranking.entries()) {
    absl::StrAppend(&csv, CsvField(cycle), ",", e.rank(), ",", e.province_rank(), ",", CsvField(e.region().code()), ",",
                    CsvField(e.region().name()), ",", CsvField(e.province().code()), ",", CsvField(e.province().name()),
                    ",", Decimal(e.total().hundredths()), ",", PredicateStem(e.predicate()), "\r\n");
  }
  return csv;
}

}  // namespace

OpenData::OpenData(const std::shared_ptr<grpc::Channel>& channel, bool scoring, bool notification,
                   absl::Duration deadline)
    : deadline_(deadline),
      scoring_(scoring ? scoring::v1::ScoringService::NewStub(channel) : nullptr),
      notifications_(notification ? notification::v1::NotificationService::NewStub(channel) : nullptr) {}

void OpenData::ServeFeed(const httplib::Request& req, httplib::Response& res) const {
  const bool english = req.get_param_value("lang") == "en";
  notification::v1::ListAnnouncementsRequest request;
  request.set_language(english ? "en" : "id");
  request.set_page_size(kFeedEntries);
  notification::v1::ListAnnouncementsResponse page;
  grpc::ClientContext ctx;
  PublicCall(req, deadline_, &ctx);
  if (grpc::Status s = notifications_->ListAnnouncements(&ctx, request, &page); !s.ok()) return WriteError(s, res);
  res.set_header("Cache-Control", "public, max-age=60");
  res.set_content(FeedXml(page, english), "application/atom+xml; charset=utf-8");
}

void OpenData::ServeRanking(const httplib::Request& req, httplib::Response& res) const {
  const std::string cycle = req.matches[1];
  const bool csv = req.matches[2] == "csv";
  scoring::v1::GetRankingRequest request;
  request.set_cycle_id(cycle);
  request.set_view(scoring::v1::RANKING_VIEW_FINAL);
  request.set_page_size(kRankingPage);
  scoring::v1::GetRankingResponse all;
  for (int pages = 0; pages < kMaxRankingPages; ++pages) {
    scoring::v1::GetRankingResponse page;
    grpc::ClientContext ctx;
    PublicCall(req, deadline_, &ctx);
    if (grpc::Status s = scoring_->GetRanking(&ctx, request, &page); !s.ok()) return WriteError(s, res);
    if (pages == 0)
      all = page;
    else
      all.mutable_entries()->MergeFrom(page.entries());
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  all.clear_next_page_token();
  all.clear_source();
  res.set_header("Cache-Control", "public, max-age=300");
  res.set_header("Link", "<https://creativecommons.org/licenses/by/4.0/>; rel=\"license\"");
  res.set_header("Content-Disposition",
                 AttachmentHeader(absl::StrCat("kla-", cycle, "-peringkat.", csv ? "csv" : "json")));
  if (csv) return res.set_content(RankingCsv(cycle, all), "text/csv; charset=utf-8; header=present");
  WriteJson(all, res);
}

}  // namespace kla::gateway
