import os

# The settings default to production. The CLI commands under test run as they do on a
# developer's machine (`make run` sets development too); tests of the production default
# remove this (tests/test_settings_env.py), and the app fixtures pass env="test" explicitly.
os.environ.setdefault("NEARMISS_ENV", "development")

pytest_plugins = [
    "tests.fixtures.stalls",  # first: tests.bounds_support (imported by the others) imports it
    "tests.fixtures.database",
    "tests.fixtures.temporal",
    "tests.fixtures.mail",
    "tests.fixtures.sessions",
    "tests.fixtures.api",
    "tests.fixtures.logs",
]
