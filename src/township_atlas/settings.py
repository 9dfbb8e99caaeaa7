"""Settings: one declarative table of (name, default, help), read from the environment.

Every setting is documented in the README (a test checks it). Values come from
environment variables named ``TOWNSHIP_ATLAS_<NAME>``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from township_atlas.authz import parse_role
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
    Setting(
        "accounts_file",
        "accounts/accounts.json",
        "本地账户文件(密码只存加盐慢哈希);不要放进 git。",
        "The local accounts file (passwords only as salted slow hashes); keep it out of git.",
    ),
    Setting(
        "anonymous_viewing",
        "true",
        "是否允许不登录浏览(true/false);false 时一切都要先登录。",
        "Whether people may look without logging in (true/false); false requires a login.",
    ),
    Setting(
        "upload_worker_seconds",
        "60",
        "导入时读取和检查一个上传文件的时间上限(秒);它在单独的进程中运行,超时即被终止。",
        "Seconds an upload may take to be read and checked; it runs in a separate process "
        "that is killed at the limit.",
    ),
    Setting(
        "upload_worker_memory_mb",
        "1024",
        "读取一个上传文件的进程最多可用的内存(MB,不含已加载的程序库);超过即停止。",
        "Memory (MB, on top of the loaded libraries) the process reading an upload may use; "
        "it is stopped above it.",
    ),
    Setting(
        "session_idle_minutes",
        "60",
        "登录后无操作多少分钟自动退出。",
        "Minutes without activity after which a login expires.",
    ),
    Setting(
        "login_max_failures",
        "5",
        "同一客户端(IP)对同一用户名连续登录失败多少次后,锁定该客户端对该用户名的登录"
        "(之前每次失败后等待时间加倍);其他客户端不受影响。",
        "Failed logins in a row from one client (IP) at one user name before that client "
        "is locked out of that name (each failure doubles its wait); other clients are not.",
    ),
    Setting(
        "login_lock_minutes",
        "15",
        "锁定持续的分钟数。",
        "Minutes a lock lasts (per client and name, or per client).",
    ),
    Setting(
        "login_account_max_delay_seconds",
        "8",
        "同一用户名(不论来自哪个客户端)每次失败后的等待加倍,最长为此秒数;从不锁定。",
        "Wait after failed logins at one user name from any client, doubling up to this "
        "many seconds; never a lock.",
    ),
    Setting(
        "login_client_max_failures",
        "20",
        "同一客户端(IP)对任意用户名共失败多少次后锁定该客户端。",
        "Failed logins from one client (IP), at any user names, before that client is locked.",
    ),
    Setting(
        "oidc_role_claim",
        "role",
        "单点登录时从哪个声明(claim)读取角色:viewer、planner 或 admin。",
        "The single sign-on claim that carries the role: viewer, planner or admin.",
    ),
    Setting(
        "oidc_user_claim",
        "sub",
        "单点登录时用哪一个声明识别用户(oidc_roles 按它对应角色),默认 sub(身份提供方的固定编号);"
        "用 email 时,只有身份提供方声明 email_verified 为真才接受。",
        "The one single sign-on claim that names the user (oidc_roles maps its values), by "
        "default sub (the provider's fixed id); email is accepted only when the provider "
        "says email_verified is true.",
    ),
    Setting(
        "oidc_roles",
        "",
        "单点登录用户(oidc_user_claim 的值)到角色的对应,如 248289761001=planner;优先于角色声明。",
        "Single sign-on users (values of oidc_user_claim) to roles, e.g. "
        "248289761001=planner; wins over the role claim.",
    ),
    Setting(
        "live_refresh_seconds",
        "1",
        "数据变化后各页自动刷新:服务器 0.1 秒内推送,浏览器每隔此值×5 秒保底核对"
        "(无法推送时每隔此值);0 为关闭。",
        "Pages redraw when the data changed: pushed by the server within 0.1 s; the "
        "browser checks every 5x this many seconds as a safety net (every this many when "
        "the server cannot push); 0 turns it off.",
    ),
)
SETTINGS += (
    Setting(
        "npm_registry",
        "https://registry.npmjs.org",
        "一次性下载地图绘图工具(Leaflet.draw)所用的 npm 源,如国内镜像 https://registry.npmmirror.com;"
        "下载内容按固定的校验值核对。",
        "The npm registry the map drawing tools (Leaflet.draw) are fetched from once, e.g. a "
        "mirror; the download is checked against a pinned hash.",
    ),
)
# Storage backends (see backend.py): a data folder, or a county's PostGIS database.
SETTINGS += (
    Setting(
        "storage",
        "files",
        "数据存储方式:files(数据文件夹,默认)或 postgis(县级 PostGIS 数据库,可多乡镇、多副本)。",
        "Where the data is kept: files (the data folder, default) or postgis (a county's "
        "PostGIS database: many townships, many app replicas).",
    ),
    Setting(
        "database_url",
        "",
        "PostGIS 数据库地址,如 postgresql+psycopg://atlas@127.0.0.1:5432/atlas"
        "(密码建议放在 ~/.pgpass 中)。",
        "The PostGIS database, e.g. postgresql+psycopg://atlas@127.0.0.1:5432/atlas "
        "(keep the password in ~/.pgpass).",
    ),
    Setting(
        "township",
        "",
        "PostGIS 存储时默认打开的乡镇代码;为空时打开数据库中代码最小的乡镇。",
        "With PostGIS storage, the code of the township opened by default; empty opens "
        "the database's first township by code.",
    ),
    Setting(
        "tiling_snap_metres",
        "5",
        "导入村界时“对齐”的默认宽度(米):窄于此值的缝隙、重叠和出界碎片可一键对齐,更宽的只报告。",
        "Default width (metres) below which gaps, overlaps and slivers outside the township "
        "are snapped when villages are imported; wider ones are only reported.",
    ),
)
# Photos of sites and organisations (transfer.photos, transfer.photo_add).
SETTINGS += (
    Setting(
        "photo_max_per_feature",
        "12",
        "每个点位或党组织最多可存的照片张数。",
        "Photos a site or Party organisation may hold at most.",
    ),
    Setting(
        "photo_max_file_mb",
        "20",
        "每张上传照片的大小上限(MB,处理前的原文件)。",
        "Size limit (MB) of one uploaded photo, as uploaded.",
    ),
    Setting(
        "photo_max_township_mb",
        "2048",
        "全乡镇照片(存储后的图片和缩略图)合计的大小上限(MB)。",
        "Size limit (MB) of all the township's stored photos and thumbnails together.",
    ),
    Setting(
        "photo_distance_m",
        "300",
        "照片的拍摄位置(GPS)离点位超过此距离(米)时,询问“是这个地方吗?”。",
        "Metres between where a photo says it was taken (GPS) and the feature beyond which "
        'the page asks "is this the right place?".',
    ),
    Setting(
        "export_photo_max_mb",
        "300",
        "网页上导出整个数据集时最多包含的照片合计大小(MB,0 到 4096;0 为不含照片):zip 在服务器"
        "内存中生成并保留到下载结束;照片更多时 zip 不含照片,页面说明如何取得全部照片。",
        "The most photo volume (MB, 0 to 4096; 0: none) the page's whole-dataset export "
        "includes: that zip is built in the server's memory and kept there for the download; "
        "above it the zip leaves the pictures out and the page says how to get them all.",
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


def _invalid(name: str, value: str, expected_zh: str, expected_en: str) -> SettingError:
    env_var = _BY_NAME[name].env_var
    return SettingError(
        f"{env_var} 应为{expected_zh},现为“{value}”。",
        f"{env_var} must be {expected_en}, not '{value}'.",
    )


def _positive_int(name: str) -> int:
    value = get(name).strip()
    if not value.isdigit() or int(value) < 1:
        raise _invalid(name, value, "正整数", "a positive whole number")
    return int(value)


def accounts_file() -> Path:
    """The local accounts file as an absolute path."""
    return Path(get("accounts_file")).expanduser().resolve()


def anonymous_viewing() -> bool:
    """Whether people may look at the data without logging in."""
    value = get("anonymous_viewing").strip().lower()
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise _invalid("anonymous_viewing", value, " true 或 false", "true or false")


def session_idle_minutes() -> int:
    """Minutes of inactivity after which a login expires."""
    return _positive_int("session_idle_minutes")


def login_max_failures() -> int:
    """Failed logins in a row from one client at one user name before that pair is locked."""
    return _positive_int("login_max_failures")


def login_lock_minutes() -> int:
    """Minutes a locked user name stays locked."""
    return _positive_int("login_lock_minutes")


def login_account_max_delay_seconds() -> int:
    """Longest wait between failed logins at one user name, from all clients together."""
    return _positive_int("login_account_max_delay_seconds")


def login_client_max_failures() -> int:
    """Failed logins from one client, at any names, that lock that client."""
    return _positive_int("login_client_max_failures")


def oidc_role_claim() -> str:
    """The name of the identity-token claim that carries the role."""
    return get("oidc_role_claim").strip()


def oidc_user_claim() -> str:
    """The one identity-token claim that names a single sign-on user."""
    value = get("oidc_user_claim").strip()
    if not value:
        raise _invalid("oidc_user_claim", value, "一个声明名,如 sub", "a claim name, e.g. sub")
    return value


def oidc_roles() -> dict[str, str]:
    """Single sign-on user names (lower case) mapped to role names, from ``name=role,...``."""
    mapping: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in get("oidc_roles").split(","))):
        name, sep, role = item.partition("=")
        if not sep or not name.strip() or parse_role(role) is None:
            raise _invalid(
                "oidc_roles",
                item,
                "“用户名=角色”,角色为 viewer、planner 或 admin",
                "'name=role' with role viewer, planner or admin",
            )
        mapping[name.strip().lower()] = parse_role(role) or "viewer"
    return mapping


def upload_worker_seconds() -> int:
    """Wall-time limit of the process that reads an upload."""
    return _positive_int("upload_worker_seconds")


def upload_worker_memory_mb() -> int:
    """Memory limit (MB) of the process that reads an upload."""
    return _positive_int("upload_worker_memory_mb")


def tiling_snap_metres() -> float:
    """Default snapping tolerance (m) for village boundaries (gaps, overlaps, spill)."""
    value = get("tiling_snap_metres").strip()
    try:
        metres = float(value)
    except ValueError:
        metres = -1.0
    if not 0 < metres <= 100:
        raise _invalid(
            "tiling_snap_metres", value, "0 到 100 之间的米数", "metres between 0 and 100"
        )
    return metres


def photo_max_per_feature() -> int:
    """Photos a site or organisation may hold at most."""
    return _positive_int("photo_max_per_feature")


def photo_max_file_mb() -> int:
    """Size limit (MB) of one uploaded photo."""
    return _positive_int("photo_max_file_mb")


def photo_max_township_mb() -> int:
    """Size limit (MB) of all the township's stored photos together."""
    return _positive_int("photo_max_township_mb")


def photo_distance_m() -> int:
    """Metres from the feature beyond which a photo's GPS position asks for a check."""
    return _positive_int("photo_distance_m")


EXPORT_PHOTO_MAX_MB = 4096  # the zip is held in the server's memory: more is never sensible


def export_photo_max_mb() -> int:
    """Photo volume (MB) the page's whole-dataset export includes at most (0: none)."""
    value = get("export_photo_max_mb").strip()
    if not value.isdigit() or int(value) > EXPORT_PHOTO_MAX_MB:
        raise _invalid(
            "export_photo_max_mb",
            value,
            f"0 到 {EXPORT_PHOTO_MAX_MB} 之间的整数(MB)",
            f"a whole number of MB from 0 to {EXPORT_PHOTO_MAX_MB}",
        )
    return int(value)
