"""Settings for the referral-list benchmark server: the test settings, plus a URLconf with the
bare comparison view, and a throttle high enough not to interfere."""

from ombudsman.settings.test import *  # noqa: F403

ROOT_URLCONF = "benchmarks.referral_list_urls"
AGENCY_API_THROTTLE_RATE = "100000000/minute"
DEBUG = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
