#include "libs/gateway/portal_shell.h"

#include <httplib.h>

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "libs/common/files.h"

namespace kla::gateway {
namespace {

struct Page {
  std::string title;
  std::string description;
};

Page PageFor(absl::string_view path, bool english, const PortalShell::NameOf& name_of) {
  auto named = [&](absl::string_view code) {
    std::string name = name_of ? name_of(std::string(code)) : "";
    return name.empty() ? std::string(code) : absl::StrCat(name, " (", code, ")");
  };
  const std::string site =
      english ? "Child-Friendly Regency/City Evaluation Results" : "Hasil Evaluasi Kabupaten/Kota Layak Anak";
  if (path == "/peringkat") {
    return {absl::StrCat(english ? "Ranking" : "Peringkat", " · ", site),
            english ? "The whole national ranking of the 514 regencies and cities: filter by province, award level "
                      "and type, search by name."
                    : "Peringkat nasional lengkap 514 kabupaten/kota: saring menurut provinsi, predikat dan jenis, "
                      "cari menurut nama."};
  }
  if (path == "/pengumuman") {
    return {absl::StrCat(english ? "Announcements" : "Pengumuman", " · ", site),
            english ? "The award announcements as published, newest first, and their Atom feed."
                    : "Pengumuman predikat sebagaimana diterbitkan, yang terbaru lebih dulu, dan umpan Atom-nya."};
  }
  if (path == "/data") {
    return {absl::StrCat(english ? "Open data" : "Data terbuka", " · ", site),
            english ? "The final results of every announced cycle as CSV and JSON, their data dictionary and licence, "
                      "and the OpenAPI document."
                    : "Hasil akhir setiap siklus yang diumumkan dalam CSV dan JSON, kamus data dan lisensinya, serta "
                      "dokumen OpenAPI."};
  }
  if (absl::StartsWith(path, "/provinsi/")) {
    const std::string name = named(path.substr(10));
    return {absl::StrCat(name, " · ", site),
            english ? absl::StrCat("Regencies and cities of ", name, ": rank, score and award level.")
                    : absl::StrCat("Kabupaten/kota ", name, ": peringkat, nilai dan predikat.")};
  }
  if (absl::StartsWith(path, "/daerah/")) {
    const std::string name = named(path.substr(8));
    return {absl::StrCat(name, " · ", site),
            english ? absl::StrCat("Score, award level and rank of ", name, ", and its past cycles.")
                    : absl::StrCat("Nilai, predikat dan peringkat ", name, ", serta siklus sebelumnya.")};
  }
  return {site, english ? "The official results of the national Child-Friendly Regency/City evaluation: awards per "
                          "level, the map of the provinces, the ranking and what changed."
                        : "Hasil resmi evaluasi nasional Kabupaten/Kota Layak Anak: predikat, peta provinsi, "
                          "peringkat dan perubahannya."};
}

}  // namespace

std::string HtmlEscape(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&#39;"}});
}

std::optional<PortalShell> PortalShell::Load(const std::string& web_root, NameOf name_of) {
  auto html = ReadWholeFile(web_root + "/portal/index.html");
  if (!html.ok()) return std::nullopt;
  return PortalShell(*std::move(html), std::move(name_of));
}

void PortalShell::Serve(const httplib::Request& req, httplib::Response& res) const {
  const bool english = req.get_param_value("lang") == "en";
  const Page page = PageFor(req.path, english, name_of_);
  res.set_content(absl::StrReplaceAll(html_, {{"{{lang}}", english ? "en" : "id"},
                                              {"{{title}}", HtmlEscape(page.title)},
                                              {"{{description}}", HtmlEscape(page.description)}}),
                  "text/html; charset=utf-8");
}

}  // namespace kla::gateway
