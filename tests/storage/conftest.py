"""Fixtures for the object store: the same `store` runs every contract test on both backends."""
import pytest

from app.storage import make_store
from tests.storage.helpers import s3_config


@pytest.fixture(params=["fs", pytest.param("s3", marks=pytest.mark.s3)])
def store(request, tmp_path):
    if request.param == "fs":
        return make_store({"STORAGE_BACKEND": "fs", "STORAGE_FS_ROOT": str(tmp_path / "objects")})
    endpoint = request.getfixturevalue("s3_server")
    return make_store(s3_config(endpoint))


@pytest.fixture
def fs_store(tmp_path):
    return make_store({"STORAGE_BACKEND": "fs", "STORAGE_FS_ROOT": str(tmp_path / "objects")})


@pytest.fixture
def s3_store(s3_server):
    return make_store(s3_config(s3_server))
