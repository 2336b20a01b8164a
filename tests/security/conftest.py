"""Security tests: the authorization matrix over the whole URL map, and fuzzing of the JSON API."""
from tests.recordings.conftest import media_files  # noqa: F401 (session fixture)
from tests.review.conftest import *  # noqa: F401,F403 (case and review factories)
