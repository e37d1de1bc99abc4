"""The admin's audit trail (Django's LogEntry), read-only, for senior officers."""

from django.contrib import admin
from django.contrib.admin.models import LogEntry

from kernel.admin import LogEntryAdmin

admin.site.register(LogEntry, LogEntryAdmin)
