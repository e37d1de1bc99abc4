"""The officer pages are tested with the portal's people and agencies (officers file for citizens
and work their cases): the same fixtures, imported so pytest finds them here too."""

from tests.portal.conftest import (  # noqa: F401
    _media,
    citizen_a,
    citizen_b,
    client_a,
    client_b,
    court,
    officer,
    officer_client,
    platform,
    senior,
)
