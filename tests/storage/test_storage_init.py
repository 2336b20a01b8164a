"""Wiring: building the store from configuration and reaching it from the app."""
import subprocess
import sys

import pytest
from flask import Flask

from app.storage import get_store, init_app, make_store
from app.storage.fs import FilesystemStore
from app.storage.s3 import S3Store


def test_init_app_builds_the_configured_store(tmp_path):
    app = Flask(__name__)
    app.config.update(STORAGE_BACKEND="fs", STORAGE_FS_ROOT=str(tmp_path / "objects"))

    init_app(app)

    with app.app_context():
        store = get_store()
        assert isinstance(store, FilesystemStore)
        assert store is app.extensions["storage"]
        assert store.root == str(tmp_path / "objects")


def test_building_a_store_makes_no_network_call_or_directory(tmp_path):
    make_store({"STORAGE_BACKEND": "fs", "STORAGE_FS_ROOT": str(tmp_path / "objects")})
    s3 = make_store({"STORAGE_BACKEND": "s3", "S3_ENDPOINT": "127.0.0.1:1", "S3_ACCESS_KEY": "a",
                     "S3_SECRET_KEY": "b", "S3_BUCKET": "sanxiang-evidence", "S3_SECURE": "false"})

    assert not (tmp_path / "objects").exists()
    assert isinstance(s3, S3Store) and s3.client._base_url.is_https is False


def test_get_store_without_init_app_says_so():
    with Flask(__name__).app_context():
        with pytest.raises(RuntimeError, match="not initialised"):
            get_store()


@pytest.mark.parametrize("config", [
    {"STORAGE_BACKEND": "ftp"},
    {"STORAGE_BACKEND": "fs", "STORAGE_FS_ROOT": ""},
    {"STORAGE_BACKEND": "s3", "S3_ENDPOINT": "", "S3_BUCKET": "b-bucket"},
    {"STORAGE_BACKEND": "s3", "S3_ENDPOINT": "minio:9000", "S3_BUCKET": "Not_A_Bucket"},
])
def test_bad_configuration_fails_at_start_up(config):
    with pytest.raises(ValueError):
        make_store(config)


def test_plain_import_does_not_load_the_s3_sdk():
    code = "import sys, app.storage; assert 'minio' not in sys.modules and 'urllib3' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
