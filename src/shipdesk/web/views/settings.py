"""Settings (admins): ship-from warehouses and order tags."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shipdesk.orders.models import Tag
from shipdesk.stores.models import Warehouse
from shipdesk.web.access import admin_required
from shipdesk.web.forms import TagForm, WarehouseForm


def _context(**forms):
    context = {
        "warehouses": Warehouse.objects.order_by("name"),
        "tags": Tag.objects.order_by("name"),
        "warehouse_form": WarehouseForm(),
        "tag_form": TagForm(),
    }
    context.update(forms)
    return context


@admin_required
def settings_page(request):
    return render(request, "web/settings/index.html", _context())


@admin_required
def warehouse_edit(request, pk: int | None = None):
    warehouse = get_object_or_404(Warehouse, pk=pk) if pk else Warehouse()
    form = WarehouseForm(request.POST or None, instance=warehouse)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        if saved.is_default:
            Warehouse.objects.exclude(pk=saved.pk).update(is_default=False)
        messages.success(request, _("Warehouse %(name)s saved.") % {"name": saved.name})
        return redirect("web:settings")
    return render(request, "web/settings/warehouse.html", {"form": form, "warehouse": warehouse})


@require_POST
@admin_required
def tag_add(request):
    form = TagForm(request.POST)
    if form.is_valid():
        form.save()
        messages.success(request, _("Tag %(name)s added.") % {"name": form.instance.name})
        return redirect("web:settings")
    return render(request, "web/settings/index.html", _context(tag_form=form), status=400)


@require_POST
@admin_required
def tag_delete(request, pk: int):
    tag = get_object_or_404(Tag, pk=pk)
    tag.delete()
    messages.success(request, _("Tag %(name)s deleted.") % {"name": tag.name})
    return redirect("web:settings")
