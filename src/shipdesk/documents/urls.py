from django.urls import path

from shipdesk.documents import views

app_name = "documents"

urlpatterns = [
    path("packing-slips.pdf", views.packing_slips_pdf, name="packing_slips"),
]
