#pragma once

#include <functional>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace kla::gateway {

// The public portal's HTML shell (web/portal/index.html), served for each
// of its pages with that page's title and description filled in, so a
// link preview shows them without running the page's scripts.
class PortalShell {
 public:
  // The paths it serves, as one httplib pattern.
  static constexpr absl::string_view kPaths = R"(/|/peringkat|/pengumuman|/data|/provinsi/\d{2}|/daerah/\d{2}\.\d{2})";

  // A region's official name from its code ("35.72" -> "Kota Blitar");
  // empty when unknown.
  using NameOf = std::function<std::string(const std::string& code)>;

  // The shell under `web_root`; nullopt when there is none (a web root
  // without the portal).
  // `name_of` may be empty: titles then name regions by their code.
  static std::optional<PortalShell> Load(const std::string& web_root, NameOf name_of = {});

  // The page for `req.path` in the language of `?lang=` (Indonesian by
  // default).
  void Serve(const httplib::Request& req, httplib::Response& res) const;

 private:
  PortalShell(std::string html, NameOf name_of) : html_(std::move(html)), name_of_(std::move(name_of)) {}
  std::string html_;
  NameOf name_of_;
};

// `text` with &, <, >, " and ' escaped for HTML text and attributes.
std::string HtmlEscape(absl::string_view text);

}  // namespace kla::gateway
