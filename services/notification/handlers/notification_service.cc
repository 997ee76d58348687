#include "services/notification/handlers/notification_service.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "libs/common/status_macros.h"

namespace kla::notification {

grpc::Status NotificationServiceHandler::CreateSubscription(grpc::ServerContext* ctx,
                                                            const v1::CreateSubscriptionRequest* req,
                                                            v1::CreateSubscriptionResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return notifications_->CreateSubscription(req->subscription(), req->request_id(), call.principal);
      },
      [&](Notifications::Created c) {
        *resp->mutable_subscription() = std::move(c.subscription);
        resp->set_secret(std::move(c.secret));
      });
}

grpc::Status NotificationServiceHandler::GetSubscription(grpc::ServerContext* ctx,
                                                         const v1::GetSubscriptionRequest* req,
                                                         v1::GetSubscriptionResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return notifications_->GetSubscription(req->subscription_id(), call.principal);
      },
      [&](v1::Subscription s) { *resp->mutable_subscription() = std::move(s); });
}

grpc::Status NotificationServiceHandler::ListSubscriptions(grpc::ServerContext* ctx,
                                                           const v1::ListSubscriptionsRequest* req,
                                                           v1::ListSubscriptionsResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return notifications_->ListSubscriptions(req->page_size(), req->page_token(), call.principal);
      },
      [&](Notifications::SubscriptionPage page) {
        for (auto& s : page.subscriptions) *resp->add_subscriptions() = std::move(s);
        resp->set_next_page_token(page.next_page_token);
      });
}

grpc::Status NotificationServiceHandler::UpdateSubscription(grpc::ServerContext* ctx,
                                                            const v1::UpdateSubscriptionRequest* req,
                                                            v1::UpdateSubscriptionResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return notifications_->UpdateSubscription(
            req->subscription(), {req->update_mask().paths().begin(), req->update_mask().paths().end()},
            call.principal);
      },
      [&](v1::Subscription s) { *resp->mutable_subscription() = std::move(s); });
}

grpc::Status NotificationServiceHandler::DeleteSubscription(grpc::ServerContext* ctx,
                                                            const v1::DeleteSubscriptionRequest* req,
                                                            v1::DeleteSubscriptionResponse* resp) {
  (void)resp;
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) -> absl::StatusOr<bool> {
        absl::Status st = notifications_->DeleteSubscription(req->subscription_id(), req->etag(), call.principal);
        if (!st.ok()) return st;
        return true;
      },
      [&](bool) {});
}

grpc::Status NotificationServiceHandler::RotateSubscriptionSecret(grpc::ServerContext* ctx,
                                                                  const v1::RotateSubscriptionSecretRequest* req,
                                                                  v1::RotateSubscriptionSecretResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return notifications_->RotateSecret(req->subscription_id(), req->etag(), req->overlap_hours(), call.principal);
      },
      [&](Notifications::Created c) {
        *resp->mutable_subscription() = std::move(c.subscription);
        resp->set_secret(std::move(c.secret));
      });
}

grpc::Status NotificationServiceHandler::EnableSubscription(grpc::ServerContext* ctx,
                                                            const v1::EnableSubscriptionRequest* req,
                                                            v1::EnableSubscriptionResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return notifications_->EnableSubscription(req->subscription_id(), req->etag(), call.principal);
      },
      [&](v1::Subscription s) { *resp->mutable_subscription() = std::move(s); });
}

grpc::Status NotificationServiceHandler::ListDeliveries(grpc::ServerContext* ctx, const v1::ListDeliveriesRequest* req,
                                                        v1::ListDeliveriesResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        return notifications_->ListDeliveries(req->subscription_id(), req->state(), req->message_id(), req->page_size(),
                                              req->page_token(), call.principal);
      },
      [&](Notifications::DeliveryPage page) {
        for (auto& d : page.deliveries) *resp->add_deliveries() = std::move(d);
        resp->set_next_page_token(page.next_page_token);
      });
}

grpc::Status NotificationServiceHandler::ReplayDeliveries(grpc::ServerContext* ctx,
                                                          const v1::ReplayDeliveriesRequest* req,
                                                          v1::ReplayDeliveriesResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext& call) {
        std::optional<absl::Time> since;
        if (req->has_since()) {
          since = absl::FromUnixMicros(google::protobuf::util::TimeUtil::TimestampToMicroseconds(req->since()));
        }
        return notifications_->Replay(req->subscription_id(), req->message_id(), since, call.principal);
      },
      [&](int queued) { resp->set_queued(queued); });
}

grpc::Status NotificationServiceHandler::ListAnnouncements(grpc::ServerContext* ctx,
                                                           const v1::ListAnnouncementsRequest* req,
                                                           v1::ListAnnouncementsResponse* resp) {
  return rpc::Respond(
      ctx, policy_, *req,
      [&](const rpc::CallContext&) {
        return notifications_->ListAnnouncements({.cycle_id = req->cycle_id(),
                                                  .region_code = req->region_code(),
                                                  .language = req->language(),
                                                  .page_size = req->page_size(),
                                                  .page_token = req->page_token()});
      },
      [&](Notifications::AnnouncementPage page) {
        for (auto& n : page.announcements) *resp->add_announcements() = std::move(n);
        resp->set_next_page_token(std::move(page.next_page_token));
      });
}

grpc::Status NotificationServiceHandler::Watch(grpc::ServerContext* ctx, const v1::WatchRequest* req,
                                               grpc::ServerWriter<v1::Notification>* writer) {
  return rpc::ServeStream(ctx, policy_, *req, [&](const rpc::CallContext&, rpc::StreamLease& lease) -> absl::Status {
    // Admitted: said at once, so a client (the HTTP gateway's event stream)
    // knows the feed is open before its first notification.
    ctx->AddInitialMetadata(rpc::kStreamOpenMetadata, "1");
    writer->SendInitialMetadata();
    int64_t cursor = req->after_sequence();
    while (!ctx->IsCancelled() && !feed_->closed()) {
      lease.Touch();  // the server is waiting, not the client: not idle
      // The token again on every pass: a disabled account, a revoked or
      // expired token ends the feed within a second.
      KLA_RETURN_IF_ERROR(rpc::MakeCallContext(*ctx, policy_, *req).status());
      if (lease.Expired()) {
        return absl::UnavailableError(
            absl::StrCat("the feed stream reached its maximum lifetime: resume with after_sequence=", cursor));
      }
      const uint64_t seen = feed_->generation();
      KLA_ASSIGN_OR_RETURN(
          Notifications::FeedPage page,
          notifications_->ReadFeed(cursor, req->event_types(), req->region_codes(), req->language(), 500));
      for (const v1::Notification& n : page.notifications) {
        if (!writer->Write(n)) return absl::CancelledError();
        lease.Touch();
      }
      if (page.last_sequence == cursor) feed_->Wait(seen, absl::Seconds(1));  // caught up
      cursor = page.last_sequence;
    }
    if (ctx->IsCancelled()) return absl::CancelledError();
    return absl::UnavailableError(absl::StrCat("the server is shutting down: resume with after_sequence=", cursor));
  });
}

}  // namespace kla::notification
