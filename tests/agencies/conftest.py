from tests.cases.conftest import *  # noqa: F401,F403  (make_officer, make_matter, make_case, head_of…)
