#pragma once

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
  static constexpr absl::string_view kPaths = R"(/|/peringkat|/pengumuman|/provinsi/\d{2}|/daerah/\d{2}\.\d{2})";

  // The shell under `web_root`; nullopt when there is none (a web root
  // without the portal).
  static std::optional<PortalShell> Load(const std::string& web_root);

  // The page for `req.path` in the language of `?lang=` (Indonesian by
  // default).
  void Serve(const httplib::Request& req, httplib::Response& res) const;

 private:
  explicit PortalShell(std::string html) : html_(std::move(html)) {}
  std::string html_;
};

// `text` with &, <, >, " and ' escaped for HTML text and attributes.
std::string HtmlEscape(absl::string_view text);

}  // namespace kla::gateway
