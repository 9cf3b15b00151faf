from django.urls import path

from sharing import views

app_name = "sharing"

urlpatterns = [
    path("notices/", views.notice_list, name="notice-list"),
    path("notices/new/", views.notice_create, name="notice-create"),
    path("notices/<uuid:pk>/", views.notice_detail, name="notice-detail"),
    path("notices/<uuid:pk>/edit/", views.notice_edit, name="notice-edit"),
    path("notices/<uuid:pk>/publish/", views.notice_publish, name="notice-publish"),
    path("notices/<uuid:pk>/amend/", views.notice_amend, name="notice-amend"),
    path("notices/<uuid:pk>/withdraw/", views.notice_withdraw, name="notice-withdraw"),
    path("notices/<uuid:pk>/delete/", views.notice_delete, name="notice-delete"),
    path("notices/<uuid:pk>/acknowledge/", views.notice_acknowledge, name="notice-acknowledge"),
    path("notices/<uuid:pk>/comments/", views.notice_comment, name="notice-comment"),
    path("attachments/<uuid:pk>/", views.attachment_download, name="attachment-download"),
    path("attachments/<uuid:pk>/remove/", views.attachment_remove, name="attachment-remove"),
]
