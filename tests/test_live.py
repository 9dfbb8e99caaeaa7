"""The live-data hub: sessions drawn from an older version of the data are asked to rerun,
once, and only when their run is over."""

from __future__ import annotations

import time

import pytest

from township_atlas.storage.files.store import Store
from township_atlas.ui import live


class _Flip:
    key = "flip"

    def __init__(self) -> None:
        self.value = "v1"

    def fingerprint(self) -> str:
        return self.value


@pytest.fixture
def asked(monkeypatch):
    calls: list[str] = []
    state = {"busy": set(), "gone": set()}

    def fake(sid: str) -> str:
        if sid in state["gone"]:
            return "gone"
        if sid in state["busy"]:
            return "busy"
        calls.append(sid)
        return "asked"

    monkeypatch.setattr(live, "_ask_rerun", fake)
    return calls, state


def test_only_sessions_drawn_from_an_older_version_are_asked_once(asked):
    calls, _ = asked
    hub, store = live.LiveHub(tick=3600), _Flip()
    hub.follow("a", store, "v1")
    hub.follow("b", store, "v1")
    assert hub.check() == [] and calls == []
    store.value = "v2"
    assert sorted(hub.check()) == ["a", "b"]
    assert hub.check() == []  # not asked twice before the rerun registers again
    hub.follow("a", store, "v2")
    assert hub.check() == [] and sorted(calls) == ["a", "b"]


def test_a_busy_session_is_asked_again_when_its_run_is_over(asked):
    _, state = asked
    hub, store = live.LiveHub(tick=3600), _Flip()
    hub.follow("a", store, "v1")
    store.value = "v2"
    state["busy"].add("a")
    assert hub.check() == [] and hub.check() == []
    state["busy"].clear()
    assert hub.check() == ["a"]


def test_closed_sessions_are_forgotten(asked):
    _, state = asked
    hub, store = live.LiveHub(tick=3600), _Flip()
    hub.follow("gone", store, "v1")
    store.value = "v2"
    state["gone"].add("gone")
    hub.check()
    assert hub._watches == {}


def test_the_watcher_thread_sees_a_file_written_by_another_program(asked, sample_dir):
    calls, _ = asked
    hub = live.LiveHub(tick=0.05)
    store = Store(sample_dir)
    hub.follow("s", store, store.fingerprint())
    time.sleep(0.2)
    assert calls == []
    path = sample_dir / "township.geojson"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    deadline = time.monotonic() + 2
    while not calls and time.monotonic() < deadline:
        time.sleep(0.02)
    assert calls == ["s"]


def test_a_failing_store_does_not_stop_the_watcher(asked):
    calls, _ = asked

    class Broken(_Flip):
        def fingerprint(self) -> str:
            raise OSError("disk gone")

    hub, good = live.LiveHub(tick=0.05), _Flip()
    hub.follow("bad", Broken(), "v1")
    time.sleep(0.2)
    assert hub._thread.is_alive()
    hub.forget("bad")
    hub.follow("good", good, "v1")
    good.value = "v2"
    deadline = time.monotonic() + 2
    while not calls and time.monotonic() < deadline:
        time.sleep(0.02)
    assert calls == ["good"]


def test_without_a_running_server_the_page_falls_back_to_polling():
    assert live._push_available() is False


def test_the_server_does_not_collect_garbage_after_every_run():
    """After a save every open page reruns; Streamlit's default full collection after each
    run doubled the time until the last of 30 pages showed the edit (bench/README.md)."""
    import tomllib
    from pathlib import Path

    from streamlit import config

    root = Path(__file__).resolve().parent.parent
    ours = tomllib.loads((root / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert ours["runner"]["postScriptGC"] is False
    # The pinned Streamlit still has the option (an unknown one would only be warned about).
    assert "runner.postScriptGC" in config.get_config_options()
