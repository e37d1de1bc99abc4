from django.db import models


class Heartbeat(models.Model):
    """Written by a Celery worker when it runs `ops.ping`: proof the broker and worker work."""

    token = models.CharField(max_length=64, unique=True)
    worker = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.worker} {self.created_at:%Y-%m-%d %H:%M:%S}"
