"""One parse of each botocore data file for the whole demo process.

moto creates boto3 Sessions while it imports (moto.ec2's region list alone makes three),
and each new Session parses botocore's endpoints.json and the EC2 model again: about a
third of the demo's start. The files are read-only data for the life of the process, so
one parse per search path and file serves every Session, as botocore's own per-Loader
cache already does within one Session.
"""

from __future__ import annotations

from typing import Any

from botocore import loaders

_parsed: dict[tuple[tuple[str, ...], str], Any] = {}
_per_loader = loaders.Loader.load_data_with_path


def share_parsed_files() -> None:
    loaders.Loader.load_data_with_path = _shared


def _shared(self: loaders.Loader, name: str) -> Any:
    key = (tuple(self.search_paths), name)
    if key not in _parsed:
        _parsed[key] = _per_loader(self, name)
    return _parsed[key]
