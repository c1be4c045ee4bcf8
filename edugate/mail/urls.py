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
    path("account/settings/", views.mail_settings, name="mail_settings"),
]

# Set-up for mail programs and the MTA-STS policy (edugate/mail/clientconfig.py).
from edugate.mail import clientconfig  # noqa: E402

urlpatterns += [
    path("account/apple.mobileconfig", clientconfig.apple_mobileconfig,
         name="mail_apple_mobileconfig"),
    path(".well-known/autoconfig/mail/config-v1.1.xml", clientconfig.autoconfig,
         name="mail_autoconfig_wellknown"),
    path("mail/config-v1.1.xml", clientconfig.autoconfig, name="mail_autoconfig"),
    path("autodiscover/autodiscover.xml", clientconfig.autodiscover, name="mail_autodiscover"),
    path("Autodiscover/Autodiscover.xml", clientconfig.autodiscover),
    path(".well-known/mta-sts.txt", clientconfig.mta_sts, name="mail_mta_sts"),
]
