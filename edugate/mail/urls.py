from django.urls import path

from edugate.mail import views

urlpatterns = [
    path("activate/", views.activate, name="mail_activate"),
    path("account/password/", views.change_password, name="mail_password"),
]
