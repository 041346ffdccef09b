from django.db import migrations


class Migration(migrations.Migration):
    """Back Market notifications are outbox messages now (outbox 0002 copied them)."""

    dependencies = [
        ("sync", "0002_pacing"),
        ("outbox", "0002_from_the_three_old_outboxes"),
    ]

    operations = [
        migrations.RemoveField(model_name="notificationattempt", name="notification"),
        migrations.DeleteModel(name="Notification"),
        migrations.DeleteModel(name="NotificationAttempt"),
    ]
