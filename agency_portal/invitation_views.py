"""The invitation link (accounts.invitations): the one agency portal page that is open before
sign-in, because it creates the account. It answers only to a valid, unused, unexpired token."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.invitations import agency_invitation_accept, agency_invitation_get
from accounts.models import User
from kernel.errors import ServiceError
from kernel.http import add_form_error, error_answer, run_service


class AcceptForm(forms.Form):
    full_name = forms.CharField(label=gettext_lazy("Full name"), max_length=200)
    password = forms.CharField(label=gettext_lazy("Password"), widget=forms.PasswordInput, max_length=200)
    password2 = forms.CharField(label=gettext_lazy("Password again"), widget=forms.PasswordInput, max_length=200)

    def clean(self) -> dict[str, str]:
        data = super().clean() or {}
        if data.get("password") and data.get("password2") and data["password"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    now = timezone.now()
    try:
        invite = agency_invitation_get(token=token, now=now)
    except ServiceError as exc:
        answer = error_answer(exc)
        return render(request, "agency_portal/invitation.html", {"problem": answer.message}, status=answer.status)
    has_account = User.objects.filter(email=invite.email).exists()
    signed_in = request.user if isinstance(request.user, User) else None
    form = None if has_account else AcceptForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if has_account or (form is not None and form.is_valid()):
            d = form.cleaned_data if form is not None else {}
            user, err = run_service(
                agency_invitation_accept,
                token=token,
                now=now,
                full_name=d.get("full_name", ""),
                password=d.get("password", ""),
                user=signed_in,
            )
            if err is None and user is not None:
                if signed_in is None:
                    login(request, user, backend="accounts.backends.AuthenticationBackend")
                messages.success(
                    request, _("Welcome: you now work for %(agency)s.") % {"agency": invite.agency.display_name}
                )
                return redirect("agency_portal:worklist")
            assert err is not None
            status = err.status
            if form is not None:
                add_form_error(form, err)
            else:
                messages.error(request, err.message)
    context = {"invite": invite, "form": form, "has_account": has_account, "signed_in": signed_in}
    return render(request, "agency_portal/invitation.html", context, status=status)
