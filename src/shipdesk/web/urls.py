"""The web UI's pages, mounted at the site's root."""

from django.urls import path

from shipdesk.web.views import (
    auth,
    notifications,
    orders,
    products,
    rules,
    settings,
    shipping,
    stores,
    users,
)

app_name = "web"

urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("preferences/", auth.preferences, name="preferences"),
    path("preferences/password/", auth.password_change, name="password_change"),
    # Orders
    path("orders/", orders.order_list_view, name="orders"),
    path("orders/bulk/", orders.order_bulk, name="orders_bulk"),
    path("orders/packing-slips.pdf", orders.packing_slips, name="packing_slips"),
    path("orders/deleted/", orders.deleted_orders, name="deleted_orders"),
    path("orders/<int:pk>/", orders.order_detail, name="order"),
    path("orders/<int:pk>/accept/", orders.order_accept, name="order_accept"),
    path("orders/<int:pk>/hold/", orders.order_hold, name="order_hold"),
    path("orders/<int:pk>/release/", orders.order_release, name="order_release"),
    path("orders/<int:pk>/cancel-line/", orders.order_cancel_line, name="order_cancel_line"),
    path("orders/<int:pk>/notes/", orders.order_notes, name="order_notes"),
    path("orders/<int:pk>/tags/", orders.order_tag_add, name="order_tag_add"),
    path(
        "orders/<int:pk>/tags/<int:tag_pk>/remove/",
        orders.order_tag_remove,
        name="order_tag_remove",
    ),
    path(
        "orders/<int:pk>/units/<int:unit_pk>/",
        orders.unit_identifier,
        name="unit_identifier",
    ),
    path("orders/<int:pk>/ship/", orders.order_ship, name="order_ship"),
    path("orders/<int:pk>/restore/", orders.order_restore, name="order_restore"),
    path("orders/<int:pk>/packing-slip.pdf", orders.packing_slip, name="packing_slip"),
    # Shipping
    path("ship/batch/", shipping.batch_ship, name="batch_ship"),
    path("ship/import/", shipping.tracking_import, name="tracking_import"),
    path("ship/services/", shipping.carrier_services, name="carrier_services"),
    # The outbox: Back Market updates, webhooks, customer emails
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/<int:pk>/resend/",
        notifications.message_retry,
        name="notification_resend",
    ),
    # Products
    path("products/", products.product_list, name="products"),
    path("products/new/", products.product_edit, name="product_new"),
    path("products/import/", products.product_import, name="product_import"),
    path("products/<int:pk>/", products.product_edit, name="product"),
    # Stores (admins)
    path("stores/", stores.store_list, name="stores"),
    path("stores/connect/", stores.store_connect, name="store_connect"),
    path("stores/<int:pk>/", stores.store_detail, name="store"),
    path("stores/<int:pk>/token/", stores.store_token, name="store_token"),
    path("stores/<int:pk>/branding/", stores.store_branding, name="store_branding"),
    path("stores/<int:pk>/logo/", stores.store_logo, name="store_logo"),
    path("stores/<int:pk>/emails/", stores.store_emails, name="store_emails"),
    path(
        "stores/<int:pk>/import-settings/",
        stores.store_import_settings,
        name="store_import_settings",
    ),
    path("stores/<int:pk>/mapping/", stores.store_mapping, name="store_mapping"),
    path("stores/<int:pk>/import/", stores.store_import_now, name="store_import"),
    path("stores/<int:pk>/import/status/", stores.store_import_status, name="store_import_status"),
    path("stores/<int:pk>/rules/", rules.rule_list, name="rules"),
    path("stores/<int:pk>/rules/new/", rules.rule_edit, name="rule_new"),
    path("stores/<int:pk>/rules/<int:rule_pk>/", rules.rule_edit, name="rule"),
    path("stores/<int:pk>/rules/<int:rule_pk>/move/", rules.rule_move, name="rule_move"),
    path("stores/<int:pk>/rules/<int:rule_pk>/delete/", rules.rule_delete, name="rule_delete"),
    # Users and settings (admins)
    path("users/", users.user_list, name="users"),
    path("users/new/", users.user_new, name="user_new"),
    path("users/<int:pk>/", users.user_edit, name="user"),
    path("settings/", settings.settings_page, name="settings"),
    path("settings/warehouses/new/", settings.warehouse_edit, name="warehouse_new"),
    path("settings/warehouses/<int:pk>/", settings.warehouse_edit, name="warehouse"),
    path("settings/tags/", settings.tag_add, name="tag_add"),
    path("settings/tags/<int:pk>/delete/", settings.tag_delete, name="tag_delete"),
]
