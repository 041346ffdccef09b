from django.urls import path

from shipdesk.notifications import views

app_name = "notifications"

urlpatterns = [
    path("emails/", views.outbox, name="outbox"),
    path("emails/<int:pk>/", views.outbox_email, name="outbox_email"),
]
