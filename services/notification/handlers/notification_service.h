#pragma once

#include "kla/notification/v1/notification_service.grpc.pb.h"
#include "libs/rpc/call_context.h"
#include "services/notification/domain/feed_signal.h"
#include "services/notification/domain/notifications.h"

namespace kla::notification {

// gRPC handlers of kla.notification.v1.NotificationService: parse, call the
// domain, map the result.
class NotificationServiceHandler final : public v1::NotificationService::Service {
 public:
  NotificationServiceHandler(Notifications* notifications, const FeedSignal* feed, rpc::CallPolicy policy)
      : notifications_(notifications), feed_(feed), policy_(policy) {}

  grpc::Status CreateSubscription(grpc::ServerContext* ctx, const v1::CreateSubscriptionRequest* req,
                                  v1::CreateSubscriptionResponse* resp) override;
  grpc::Status GetSubscription(grpc::ServerContext* ctx, const v1::GetSubscriptionRequest* req,
                               v1::GetSubscriptionResponse* resp) override;
  grpc::Status ListSubscriptions(grpc::ServerContext* ctx, const v1::ListSubscriptionsRequest* req,
                                 v1::ListSubscriptionsResponse* resp) override;
  grpc::Status UpdateSubscription(grpc::ServerContext* ctx, const v1::UpdateSubscriptionRequest* req,
                                  v1::UpdateSubscriptionResponse* resp) override;
  grpc::Status DeleteSubscription(grpc::ServerContext* ctx, const v1::DeleteSubscriptionRequest* req,
                                  v1::DeleteSubscriptionResponse* resp) override;
  grpc::Status RotateSubscriptionSecret(grpc::ServerContext* ctx, const v1::RotateSubscriptionSecretRequest* req,
                                        v1::RotateSubscriptionSecretResponse* resp) override;
  grpc::Status EnableSubscription(grpc::ServerContext* ctx, const v1::EnableSubscriptionRequest* req,
                                  v1::EnableSubscriptionResponse* resp) override;
  grpc::Status ListDeliveries(grpc::ServerContext* ctx, const v1::ListDeliveriesRequest* req,
                              v1::ListDeliveriesResponse* resp) override;
  grpc::Status ReplayDeliveries(grpc::ServerContext* ctx, const v1::ReplayDeliveriesRequest* req,
                                v1::ReplayDeliveriesResponse* resp) override;
  grpc::Status ListAnnouncements(grpc::ServerContext* ctx, const v1::ListAnnouncementsRequest* req,
                                 v1::ListAnnouncementsResponse* resp) override;
  grpc::Status Watch(grpc::ServerContext* ctx, const v1::WatchRequest* req,
                     grpc::ServerWriter<v1::Notification>* writer) override;

 private:
  Notifications* notifications_;
  const FeedSignal* feed_;
  rpc::CallPolicy policy_;
};

}  // namespace kla::notification
