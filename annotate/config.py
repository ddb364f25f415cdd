"""Configuration files: defaults ship inside the package; a user's own folder or file overrides them.

Where a config comes from, first match wins:
1. the command's own path option (`--schema`, `--rules`, `--config`);
2. `$ANNOTATE_CONFIG_DIR/<name>`, when that folder holds a file of that name;
3. the default shipped in the package (`annotate/configs/<name>`, read through importlib.resources, so a wheel
   install works as well as a checkout).

Every config is read through `load_toml`, so a missing file, a folder, an unreadable file, bad UTF-8 and bad TOML
all give the same kind of error: the path, the problem and the fix.
"""

from __future__ import annotations

import os
import tomllib
from importlib.resources import files
from pathlib import Path
from typing import Any

from .errors import AnnotateError, ConfigError

CONFIG_DIR_ENV = "ANNOTATE_CONFIG_DIR"


def packaged_config_dir() -> Path:
    """The folder of default configs inside the installed package (always on disk: the wheel is not zipped)."""
    return Path(str(files("annotate") / "configs"))


def config_path(name: str, explicit: str | os.PathLike[str] | None = None) -> Path:
    """The file to use for config `name`: the explicit path, else the user's config dir, else the packaged one."""
    if explicit:
        return Path(explicit)
    user_dir = os.environ.get(CONFIG_DIR_ENV)
    if user_dir:
        candidate = Path(user_dir).expanduser() / name
        if candidate.is_file():
            return candidate
    return packaged_config_dir() / name


def is_packaged(path: str | os.PathLike[str]) -> bool:
    """True for a default that ships in the package (which commands must never write to)."""
    try:
        return Path(path).resolve().parent == packaged_config_dir().resolve()
    except OSError:
        return False


def read_config_text(path: str | os.PathLike[str], *, what: str, option: str,
                     error_cls: type[AnnotateError] = ConfigError) -> str:
    """The text of a config file, or an error naming the path, the problem and the option that overrides it."""
    path = Path(path)
    fix = f"pass {option} with a readable file, or unset ${CONFIG_DIR_ENV}"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise error_cls(f"{path}: {what} not found; {fix}") from error
    except IsADirectoryError as error:
        raise error_cls(f"{path}: is a folder, not a {what}; {fix}") from error
    except UnicodeDecodeError as error:
        raise error_cls(f"{path}: {what} is not UTF-8 text ({error.reason} at byte {error.start})") from error
    except OSError as error:
        raise error_cls(f"{path}: cannot read the {what} ({error.strerror}); {fix}") from error


def load_toml(path: str | os.PathLike[str], *, what: str, option: str,
              error_cls: type[AnnotateError] = ConfigError) -> dict[str, Any]:
    """Read and parse a TOML config; every failure is one located `error_cls`."""
    text = read_config_text(path, what=what, option=option, error_cls=error_cls)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise error_cls(f"{path}: {what} is not valid TOML ({error})") from error
