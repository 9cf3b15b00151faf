from django.urls import path

from sharing.advisories import contact_views as outreach
from sharing.advisories import views as advisories
from sharing.advisories.feeds import AdvisoryFeed
from sharing.common import views as attachments
from sharing.denials import consultation_views as consultations
from sharing.denials import views as denials
from sharing.notices import views as notices
from sharing.notifications import subscription_views as subscriptions
from sharing.notifications import views as notifications
from sharing.practices import comment_views as comments
from sharing.practices import views as practices
from sharing.registry import views as registry
from sharing.reports import views as reports
from sharing.screening import views as screening
from sharing.search import views as search

app_name = "sharing"

# What anonymous visitors read (public best practices) is the same for all of them.

urlpatterns = [
    path("notices/", notices.notice_list, name="notice-list"),
    path("notices/export.csv", notices.notice_export, name="notice-export"),
    path("notices/new/", notices.notice_create, name="notice-create"),
    path("notices/<uuid:pk>/", notices.notice_detail, name="notice-detail"),
    path("notices/<uuid:pk>/edit/", notices.notice_edit, name="notice-edit"),
    path("notices/<uuid:pk>/publish/", notices.notice_publish, name="notice-publish"),
    path("notices/<uuid:pk>/amend/", notices.notice_amend, name="notice-amend"),
    path("notices/<uuid:pk>/withdraw/", notices.notice_withdraw, name="notice-withdraw"),
    path("notices/<uuid:pk>/approval/", notices.notice_approval, name="notice-approval"),
    path("notices/<uuid:pk>/delete/", notices.notice_delete, name="notice-delete"),
    path("notices/<uuid:pk>/acknowledge/", notices.notice_acknowledge, name="notice-acknowledge"),
    path("notices/<uuid:pk>/comments/", notices.notice_comment, name="notice-comment"),
    path("best-practices/", practices.practice_list, name="practice-list"),
    path("best-practices/new/", practices.practice_create, name="practice-create"),
    path("best-practices/<uuid:pk>/", practices.practice_detail, name="practice-detail"),
    path("best-practices/<uuid:pk>/edit/", practices.practice_edit, name="practice-edit"),
    path("best-practices/<uuid:pk>/publish/", practices.practice_publish, name="practice-publish"),
    path("best-practices/<uuid:pk>/amend/", practices.practice_amend, name="practice-amend"),
    path("best-practices/<uuid:pk>/archive/", practices.practice_archive, name="practice-archive"),
    path(
        "best-practices/<uuid:pk>/approval/", practices.practice_approval, name="practice-approval"
    ),
    path("best-practices/<uuid:pk>/delete/", practices.practice_delete, name="practice-delete"),
    path("best-practices/<uuid:pk>/endorse/", practices.practice_endorse, name="practice-endorse"),
    path(
        "best-practices/<uuid:pk>/comment-window/",
        comments.comment_window_open,
        name="comment-window-open",
    ),
    path("comment-windows/<uuid:pk>/", comments.comment_window, name="comment-window"),
    path(
        "comment-windows/<uuid:pk>/close/",
        comments.comment_window_close,
        name="comment-window-close",
    ),
    path("comment-windows/comments/<int:pk>/reply/", comments.comment_reply, name="comment-reply"),
    path("comment-windows/confirm/<str:token>/", comments.comment_confirm, name="comment-confirm"),
    path("reports/", reports.report_index, name="reports"),
    path("reports/<int:year>/", reports.report_page, name="report"),
    path("reports/<int:year>/figures.csv", reports.report_csv, name="report-csv"),
    path("reports/<int:year>/pack.pdf", reports.report_pack, name="report-pack"),
    path("reports/<int:year>/questionnaire/", reports.questionnaire, name="report-questionnaire"),
    path("reports/<int:year>/answers/", reports.answers, name="report-answers"),
    path("denials/", denials.denial_list, name="denial-list"),
    path("denials/export.csv", denials.denial_export, name="denial-export"),
    path("denials/new/", denials.denial_create, name="denial-create"),
    path("denials/screen/", screening.screening, name="screening"),
    path("denials/watches/", screening.watch_list, name="watch-list"),
    path("denials/watches/new/", screening.watch_create, name="watch-create"),
    path("denials/watches/<uuid:pk>/", screening.watch_detail, name="watch-detail"),
    path("denials/watches/<uuid:pk>/decide/", screening.watch_decide, name="watch-decide"),
    path("entities/", registry.entity_list, name="entity-list"),
    path("entities/<uuid:pk>/", registry.entity_detail, name="entity-detail"),
    path("entities/<uuid:pk>/relations/", registry.relation_create, name="entity-relate"),
    path("entities/relations/<int:pk>/remove/", registry.relation_remove, name="entity-unrelate"),
    path("entities/links/<int:pk>/confirm/", registry.link_confirm, name="entity-link-confirm"),
    path("entities/links/<int:pk>/reject/", registry.link_reject, name="entity-link-reject"),
    path("denials/<uuid:pk>/", denials.denial_detail, name="denial-detail"),
    path("denials/<uuid:pk>/amend/", denials.denial_amend, name="denial-amend"),
    path("denials/<uuid:pk>/edit/", denials.denial_edit, name="denial-edit"),
    path("denials/<uuid:pk>/notify/", denials.denial_notify, name="denial-notify"),
    path("denials/<uuid:pk>/delete/", denials.denial_delete, name="denial-delete"),
    path("denials/<uuid:pk>/approval/", denials.denial_approval, name="denial-approval"),
    path("denials/<uuid:pk>/revoke/", denials.denial_revoke, name="denial-revoke"),
    path("denials/<uuid:pk>/renew/", denials.denial_renew, name="denial-renew"),
    path("denials/<uuid:pk>/consult/", consultations.consultation_open, name="consultation-open"),
    path("consultations/", consultations.consultation_list, name="consultation-list"),
    path(
        "consultations/<uuid:pk>/",
        consultations.consultation_detail,
        name="consultation-detail",
    ),
    path(
        "consultations/<uuid:pk>/messages/",
        consultations.consultation_message,
        name="consultation-message",
    ),
    path(
        "consultations/<uuid:pk>/answer/",
        consultations.consultation_answer,
        name="consultation-answer",
    ),
    path(
        "consultations/<uuid:pk>/extend/",
        consultations.consultation_extend,
        name="consultation-extend",
    ),
    path(
        "consultations/<uuid:pk>/outcome/",
        consultations.consultation_outcome,
        name="consultation-outcome",
    ),
    path("screening/", advisories.public_screening, name="public-screening"),
    path("industry/contacts/", outreach.contact_list, name="contact-list"),
    path("industry/contacts/invite/", outreach.contact_invite, name="contact-invite"),
    path("industry/contacts/<int:pk>/", outreach.contact_detail, name="contact-detail"),
    path("industry/contacts/<int:pk>/export/", outreach.contact_export, name="contact-export"),
    path("industry/contacts/<int:pk>/erase/", outreach.contact_erase, name="contact-erase"),
    path("industry/contacts/<int:pk>/request/", outreach.contact_request, name="contact-request"),
    path("industry/lists/new/", outreach.list_create, name="list-create"),
    path("industry/lists/<int:pk>/delete/", outreach.list_delete, name="list-delete"),
    path("industry/sign-up/", outreach.sign_up, name="industry-sign-up"),
    path("industry/confirm/<str:token>/", outreach.confirm_address, name="industry-confirm"),
    path("industry/unsubscribe/<str:token>/", outreach.unsubscribe, name="industry-unsubscribe"),
    path("industry/read/<str:token>/", outreach.read, name="industry-read"),
    path("advisories/", advisories.advisory_list, name="advisory-list"),
    path("advisories/feed/", AdvisoryFeed(), name="advisory-feed"),
    path("advisories/new/", advisories.advisory_create, name="advisory-create"),
    path("advisories/<uuid:pk>/", advisories.advisory_detail, name="advisory-detail"),
    path("advisories/<uuid:pk>/edit/", advisories.advisory_edit, name="advisory-edit"),
    path("advisories/<uuid:pk>/release/", advisories.advisory_release, name="advisory-release"),
    path("advisories/<uuid:pk>/amend/", advisories.advisory_amend, name="advisory-amend"),
    path("advisories/<uuid:pk>/withdraw/", advisories.advisory_withdraw, name="advisory-withdraw"),
    path("advisories/<uuid:pk>/approval/", advisories.advisory_approval, name="advisory-approval"),
    path("advisories/<uuid:pk>/delete/", advisories.advisory_delete, name="advisory-delete"),
    # CSAF's provider conventions (CSAF 2.0, section 7): the metadata, and one directory of
    # public documents by year, with its index, its changes and a hash of each document.
    path(
        ".well-known/csaf/provider-metadata.json",
        advisories.csaf_provider_metadata,
        name="csaf-provider-metadata",
    ),
    path(".well-known/csaf/<slug:folder>/", advisories.csaf_directory, name="csaf-directory"),
    path(".well-known/csaf/<slug:folder>/index.txt", advisories.csaf_index, name="csaf-index"),
    path(
        ".well-known/csaf/<slug:folder>/changes.csv", advisories.csaf_changes, name="csaf-changes"
    ),
    path(
        ".well-known/csaf/<slug:folder>/<int:year>/<str:name>.sha256",
        advisories.csaf_hash,
        name="csaf-hash",
    ),
    path(
        ".well-known/csaf/<slug:folder>/<int:year>/<str:name>",
        advisories.csaf_document,
        name="csaf-document",
    ),
    path("search/", search.search_page, name="search"),
    path("attachments/<uuid:pk>/", attachments.attachment_download, name="attachment-download"),
    path("attachments/<uuid:pk>/remove/", attachments.attachment_remove, name="attachment-remove"),
    path("notifications/", notifications.inbox, name="inbox"),
    path("notifications/unread-count/", notifications.unread_count, name="unread-count"),
    path("notifications/read-all/", notifications.notification_read_all, name="read-all"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification-read"),
    path(
        "accounts/notifications/",
        subscriptions.email_preferences,
        name="email-preferences",
    ),
    path(
        "accounts/state/notifications/",
        subscriptions.state_email_default,
        name="state-email-default",
    ),
    path("accounts/state/webhooks/", subscriptions.webhook_list, name="webhook-list"),
    path("accounts/state/webhooks/new/", subscriptions.webhook_create, name="webhook-create"),
    path("accounts/state/webhooks/<uuid:pk>/", subscriptions.webhook_detail, name="webhook-detail"),
    path(
        "accounts/state/webhooks/<uuid:pk>/rotate/",
        subscriptions.webhook_rotate,
        name="webhook-rotate",
    ),
    path(
        "accounts/state/webhooks/<uuid:pk>/delete/",
        subscriptions.webhook_delete,
        name="webhook-delete",
    ),
    path(
        "accounts/state/webhooks/<uuid:pk>/deliveries/<int:delivery_pk>/retry/",
        subscriptions.delivery_retry,
        name="delivery-retry",
    ),
]
