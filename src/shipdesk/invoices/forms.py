"""The store's invoice settings, as a form (the store settings page)."""

from django import forms

from shipdesk.invoices.models import InvoiceSettings


class InvoiceSettingsForm(forms.ModelForm):
    class Meta:
        model = InvoiceSettings
        fields = [
            "legal_name",
            "address",
            "vat_number",
            "legal_mentions",
            "vat_type",
            "vat_rate",
            "number_prefix",
            "auto_upload",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 3}),
            "legal_mentions": forms.Textarea(attrs={"rows": 3}),
        }
