"""Serializers of the public registers' JSON (public.register_views): anonymised, no names, no ID
numbers, no case references."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from tribunal.models import ConflictOfInterest, CriteriaDisclosure, Determination


# What the register shows of a criterion; the agency API's `Criterion` is what an agency sends.
class DisclosedCriterionSerializer(serializers.Serializer):
    """One scoring criterion as the agency disclosed it."""

    factor = serializers.CharField(max_length=2000)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    direction_or_weight = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    data_source = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class PublicDeterminationSerializer(serializers.ModelSerializer):
    agency = serializers.SerializerMethodField()
    agency_slug = serializers.CharField(source="complaint.respondent.slug")
    complaint_category = serializers.CharField(source="complaint.category")
    record_category = serializers.SerializerMethodField()
    flag_unlawful_category = serializers.BooleanField(source="complaint.flag_unlawful_category")
    flag_derived_from_relative = serializers.BooleanField(source="complaint.flag_derived_from_relative")
    agency_in_default = serializers.BooleanField(source="complaint.agency_in_default")
    remedies = serializers.ListField(child=serializers.CharField(), source="remedy_kinds")
    public_summary = serializers.CharField(
        source="register_summary", help_text="Empty while the summary is withheld for a check for personal data."
    )
    summary_withheld = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Determination
        fields = (
            "number",
            "issued_at",
            "outcome",
            "agency",
            "agency_slug",
            "complaint_category",
            "record_category",
            "flag_unlawful_category",
            "flag_derived_from_relative",
            "agency_in_default",
            "remedies",
            "public_summary",
            "summary_withheld",
            "url",
        )

    def get_agency(self, obj: Determination) -> str:
        return obj.complaint.respondent.name_en

    def get_record_category(self, obj: Determination) -> str | None:
        entry = obj.complaint.blacklist_entry
        return entry.category.code if entry else None

    def get_summary_withheld(self, obj: Determination) -> bool:
        return obj.summary_withheld_at is not None

    def get_url(self, obj: Determination) -> str:
        return reverse("public:determination-detail", args=[obj.number])


class CriteriaVersionSerializer(serializers.ModelSerializer):
    criteria = DisclosedCriterionSerializer(many=True)

    class Meta:
        model = CriteriaDisclosure
        fields = ("version", "disclosed_at", "criteria")


class AgencyCriteriaSerializer(serializers.Serializer):
    agency = serializers.CharField(source="agency.name_en")
    agency_slug = serializers.CharField(source="agency.slug")
    current = serializers.SerializerMethodField()
    versions = CriteriaVersionSerializer(many=True)

    def get_current(self, obj: dict[str, Any]) -> CriteriaVersionSerializer:
        return CriteriaVersionSerializer(obj["versions"][0]).data  # type: ignore[return-value]


class ConflictSerializer(serializers.ModelSerializer):
    related_agency: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display")

    class Meta:
        model = ConflictOfInterest
        fields = (
            "id",
            "kind",
            "kind_label",
            "related_agency",
            "share_percent",
            "description",
            "source",
            "since",
            "until",
            "updated_at",
        )


class AgencyConflictsSerializer(serializers.Serializer):
    agency = serializers.CharField(source="agency.name_en")
    agency_slug = serializers.CharField(source="agency.slug")
    conflicts = ConflictSerializer(many=True)
