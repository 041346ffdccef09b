from django.urls import path

from shipdesk.carriers import views

app_name = "carriers"

urlpatterns = [
    path("shipments/<int:shipment_id>/label.pdf", views.label_pdf, name="label_pdf"),
]
