from django.apps import AppConfig

from kernel.crypto import register_encrypted_field


class CitizensConfig(AppConfig):
    name = "citizens"
    verbose_name = "Citizens and their records"

    def ready(self) -> None:
        # National ID numbers are key-ring tokens: `manage.py rotate_keys` re-encrypts them.
        register_encrypted_field("citizens.Citizen", "national_id_ciphertext")
