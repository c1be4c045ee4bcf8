"""A member's pages outside the back office: the archives of the groups they belong to."""

from django.urls import path

from edugate.groups import views

urlpatterns = [
    path("account/groups/", views.account_archives, name="groups_account_archives"),
    path("account/groups/<int:pk>/", views.account_archive, name="groups_account_archive"),
    path("account/groups/message/<int:pk>/", views.account_message,
         name="groups_account_message"),
]
