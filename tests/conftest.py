pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.temporal",
    "tests.fixtures.mail",
    "tests.fixtures.sessions",
    "tests.fixtures.api",
]
