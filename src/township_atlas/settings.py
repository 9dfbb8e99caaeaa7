"""Settings: one declarative table of (name, default, help), read from the environment.

Every setting is documented in the README (a test checks it). Values come from
environment variables named ``TOWNSHIP_ATLAS_<NAME>``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from township_atlas.errors import SettingError

ENV_PREFIX = "TOWNSHIP_ATLAS_"


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help_zh: str
    help_en: str

    @property
    def env_var(self) -> str:
        return ENV_PREFIX + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "data_dir",
        "geodata",
        "数据文件夹路径(相对路径以启动目录为准)。",
        "Path of the data folder (relative paths are from the working directory).",
    ),
    Setting("default_lang", "zh", "默认界面语言:zh 或 en。", "Default language: zh or en."),
    Setting(
        "tianditu_token",
        "",
        "天地图开发者密钥(浏览器端);为空时不提供天地图底图。",
        "Tianditu API key (browser type); without it the Tianditu basemaps are hidden.",
    ),
)
_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str:
    """The value of setting ``name``: the environment variable, else the default."""
    setting = _BY_NAME[name]
    return os.environ.get(setting.env_var, setting.default)


def data_dir() -> Path:
    """The data folder as an absolute path."""
    return Path(get("data_dir")).expanduser().resolve()


def default_lang() -> str:
    lang = get("default_lang")
    if lang not in ("zh", "en"):
        raise SettingError(
            f"{_BY_NAME['default_lang'].env_var} 只能是 zh 或 en,现为“{lang}”。",
            f"{_BY_NAME['default_lang'].env_var} must be zh or en, not '{lang}'.",
        )
    return lang
