"""Serializers of the public clock-rule API (read-only)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from agencies.jurisdictions import JURISDICTION_CODES

from .calendar import Unit
from .models import ClockRule


class ClockExtensionSerializer(serializers.Serializer):
    unit = serializers.ChoiceField(choices=[u.value for u in Unit])
    amount = serializers.IntegerField()
    precondition = serializers.CharField(help_text="Empty: none; otherwise what must hold for the extension.")


class ClockRuleSerializer(serializers.ModelSerializer):
    period = serializers.SerializerMethodField(help_text="The period in words, e.g. '20 calendar days'.")
    extension = serializers.SerializerMethodField()

    class Meta:
        model = ClockRule
        fields = (
            "code",
            "version",
            "title",
            "description",
            "jurisdiction",
            "unit",
            "amount",
            "period",
            "count_start_day",
            "roll_forward",
            "extension",
        )
        read_only_fields = fields

    def get_period(self, rule: ClockRule) -> str:
        return rule.period.describe()

    @extend_schema_field(ClockExtensionSerializer(allow_null=True))
    def get_extension(self, rule: ClockRule) -> dict[str, Any] | None:
        ext = rule.extension_period
        if ext is None:
            return None
        return {"unit": ext.unit.value, "amount": ext.amount, "precondition": rule.extension_precondition}


class DueDateQuerySerializer(serializers.Serializer):
    received = serializers.DateField(
        input_formats=["%Y-%m-%d"], help_text="The day the party received the duty, YYYY-MM-DD."
    )
    jurisdiction = serializers.ChoiceField(
        choices=list(JURISDICTION_CODES),
        required=False,
        help_text="Whose working-day calendar applies (default: the rule's own, else CN).",
    )

    def validate_received(self, value: Any) -> Any:
        if not 1950 <= value.year <= 2100:
            raise serializers.ValidationError("Give a date between 1950 and 2100.")
        return value


class DueDateSerializer(serializers.Serializer):
    rule = serializers.CharField(help_text="The rule's code and version, e.g. cn-credit-objection v1.")
    received = serializers.DateField()
    due = serializers.DateField(help_text="The last day (the clock runs out at the end of it).")
    explanation = serializers.CharField(help_text="How the due date was computed.")
