"""The product catalogue: SKU defaults (weight, size, location, IMEI), edited or from CSV."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from shipdesk.orders.catalogue import import_products_csv
from shipdesk.orders.csv_files import CsvFileError
from shipdesk.orders.models import Product
from shipdesk.web.access import shipper_required
from shipdesk.web.forms import ProductForm, ProductImportForm

PAGE_SIZE = 50


@shipper_required
def product_list(request):
    search = request.GET.get("q", "").strip()
    products = Product.objects.order_by("sku")
    if search:
        products = products.filter(
            Q(sku__icontains=search) | Q(name__icontains=search) | Q(warehouse_location=search)
        )
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/products/list.html",
        {"page": page, "search": search, "import_form": ProductImportForm()},
    )


@shipper_required
def product_edit(request, pk: int | None = None):
    product = get_object_or_404(Product, pk=pk) if pk else Product()
    form = ProductForm(request.POST or None, instance=product)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Product %(sku)s saved.") % {"sku": form.instance.sku})
        return redirect("web:products")
    return render(request, "web/products/edit.html", {"form": form, "product": product})


@shipper_required
def product_import(request):
    """All or nothing: a file with a wrong row saves no product and lists every wrong row."""
    form = ProductImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = import_products_csv(form.cleaned_data["file"])
        except CsvFileError as exc:
            form.add_error("file", str(exc))
        else:
            if not result.errors:
                messages.success(
                    request,
                    _("%(created)d product(s) created, %(updated)d updated.")
                    % {"created": result.created, "updated": result.updated},
                )
                return redirect("web:products")
    refused = bool(form.errors or (result and result.errors))
    return render(
        request,
        "web/products/import.html",
        {"form": form, "result": result},
        status=400 if refused else 200,
    )
