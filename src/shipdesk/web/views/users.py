"""Users (admins): shippers handle orders and shipping; admins also stores, users, settings."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from shipdesk.web.access import admin_required
from shipdesk.web.forms import ADMIN, UserCreateForm, UserEditForm


@admin_required
def user_list(request):
    users = get_user_model().objects.order_by("username")
    return render(request, "web/users/list.html", {"users": users})


@admin_required
def user_new(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        users = get_user_model().objects
        if data["role"] == ADMIN:
            user = users.create_superuser(data["username"], data["email"], data["password"])
        else:
            user = users.create_user(data["username"], data["email"], data["password"])
        messages.success(request, _("User %(name)s created.") % {"name": user.username})
        return redirect("web:users")
    return render(request, "web/users/edit.html", {"form": form, "editing": None})


@admin_required
def user_edit(request, pk: int):
    user = get_object_or_404(get_user_model(), pk=pk)
    initial = {
        "email": user.email,
        "role": ADMIN if user.is_staff else "shipper",
        "is_active": user.is_active,
    }
    form = UserEditForm(request.POST or None, initial=initial, user=user, editor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user.email = data["email"]
        # The CLI's --admin makes superusers; the UI keeps the two flags together.
        user.is_staff = user.is_superuser = data["role"] == ADMIN
        user.is_active = data["is_active"]
        if data["password"]:
            user.set_password(data["password"])
        user.save()
        messages.success(request, _("User %(name)s saved.") % {"name": user.username})
        return redirect("web:users")
    return render(request, "web/users/edit.html", {"form": form, "editing": user})
