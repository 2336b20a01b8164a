"""Privacy tests reuse the case and review factories."""
from tests.review.conftest import *  # noqa: F401,F403 (case and review factories)
