import pytest


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Keep uploaded and generated files of each test out of the project's media folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
