#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>

#include "absl/time/time.h"
#include "kla/notification/v1/notification_service.grpc.pb.h"
#include "kla/scoring/v1/scoring_service.grpc.pb.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace kla::gateway {

// The portal's downloads for newsrooms and data users, made on the server
// from the same public calls any outsider makes (no credentials are passed
// on): what the public may not see yet is refused exactly as the API
// refuses it.
class OpenData {
 public:
  // The paths, as httplib patterns.
  static constexpr char kFeedPath[] = "/feed.atom";
  static constexpr char kRankingPath[] = R"(/data/([A-Za-z0-9._-]{1,32})/peringkat\.(csv|json))";

  // Either stub may be null when this process does not serve the service.
  OpenData(const std::shared_ptr<grpc::Channel>& channel, bool scoring, bool notification, absl::Duration deadline);

  bool serves_feed() const { return notifications_ != nullptr; }
  bool serves_rankings() const { return scoring_ != nullptr; }

  // The latest released announcements (ListAnnouncements) as an Atom 1.0
  // feed (RFC 4287), in the language of ?lang= ("id" by default).
  void ServeFeed(const httplib::Request& req, httplib::Response& res) const;

  // A cycle's final ranking (GetRanking, every page) as CSV or as JSON
  // whose entries are the API's RankingEntry objects.
  void ServeRanking(const httplib::Request& req, httplib::Response& res) const;

 private:
  absl::Duration deadline_;
  std::unique_ptr<scoring::v1::ScoringService::Stub> scoring_;
  std::unique_ptr<notification::v1::NotificationService::Stub> notifications_;
};

}  // namespace kla::gateway
