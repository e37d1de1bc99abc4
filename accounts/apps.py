from django.apps import AppConfig

from kernel.crypto import register_encrypted_field


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in  # noqa: PLC0415 (app registry ready)

        from .middleware import start_staff_session  # noqa: PLC0415

        user_logged_in.connect(start_staff_session, dispatch_uid="accounts.start_staff_session")
        # allauth.mfa stores the TOTP secret and the recovery-code seed encrypted (accounts.adapter).
        register_encrypted_field("mfa.Authenticator", "data.secret")
        register_encrypted_field("mfa.Authenticator", "data.seed")
