"""The mailbox holder's pages: activation, login, account and password."""

from django.contrib.auth import views as auth_views
from django.urls import path

from edugate.mail import views

urlpatterns = [
    path("activate/", views.activate, name="mail_activate"),
    path("account/", views.account, name="mail_account"),
    path("account/login/", auth_views.LoginView.as_view(
        template_name="mail/login.html", redirect_authenticated_user=True,
        next_page="mail_account"), name="mail_login"),
    path("account/logout/", auth_views.LogoutView.as_view(next_page="mail_login"),
         name="mail_logout"),
    path("account/password/", views.change_password, name="mail_password"),
]
