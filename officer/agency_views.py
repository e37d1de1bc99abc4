"""Officers invite agency staff to the agency portal (accounts.invitations): an email with a link
valid for 7 days, used once. Behind the officer gate like every officer page."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.invitations import agency_invitation_create
from agencies.models import Agency, AgencyInvitation, AgencyRole
from kernel.actors import Actor
from kernel.http import add_form_error, run_service

from .gate import officer_of, officer_required


class InviteForm(forms.Form):
    agency = forms.ModelChoiceField(label=gettext_lazy("Agency"), queryset=Agency.objects.filter(active=True))
    email = forms.EmailField(label=gettext_lazy("Email address"))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=AgencyRole.choices)
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the email"), choices=[("en", "English"), ("zh-hans", "简体中文")]
    )


@officer_required
@require_http_methods(["GET", "POST"])
def agency_invite(request: HttpRequest) -> HttpResponse:
    officer = officer_of(request)
    lang = "zh-hans" if (get_language() or "").startswith("zh") else "en"
    form = InviteForm(request.POST or None, initial={"language": lang, "role": AgencyRole.RESPONDER})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            _result, err = run_service(
                agency_invitation_create,
                agency=d["agency"],
                email=d["email"],
                role=d["role"],
                language=d["language"],
                actor=Actor.for_user(officer),
                now=timezone.now(),
            )
            if err is None:
                messages.success(request, _("The invitation is on its way to %(email)s.") % {"email": d["email"]})
                return redirect("officer-agency-invite")
            status = err.status
            add_form_error(form, err)
    recent = AgencyInvitation.objects.select_related("agency").order_by("-created_at")[:20]
    return render(request, "officer/agency_invite.html", {"form": form, "recent": recent}, status=status)
