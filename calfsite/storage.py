"""Static files storage for production: whitenoise's, with each file's URL worked out once."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """
    The manifest does not change while a process runs, so a name's hashed URL is remembered:
    working it out again costs more than the rest of a {% static %} tag.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool], str] = {}

    def url(self, name, force=False):
        key = (name, force)
        url = self._urls.get(key)
        if url is None:
            url = super().url(name, force)
            self._urls[key] = url
        return url
