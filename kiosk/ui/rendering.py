"""Who draws the screen: the GPU through OpenGL, or the CPU through Qt Quick's software renderer.

A terminal without a usable GPU still gets OpenGL from Mesa's software
rasterizer (llvmpipe), and Qt Quick's OpenGL renderer then redraws the whole
window for every video frame and converts YUV to RGB for every pixel in a
shader run on the CPU: about 25 CPU-seconds a minute of a call for a 1280×800
window (docs/benchmarks.md, P2), more than the whole call costs Chromium.
Qt Quick's software renderer repaints only what changed, and the video is then
converted once, at the size it is shown, by libswscale (`FramePicture`).

`auto` draws on the GPU only where the kernel offers a render node
(`/dev/dri/renderD*`) and Mesa is not told to draw in software. The choice is
made once, before the first window, for the whole process.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping
from enum import StrEnum
from pathlib import Path

log = logging.getLogger(__name__)

DRI_DIR = Path("/dev/dri")


class Renderer(StrEnum):
    AUTO = "auto"
    GPU = "gpu"
    SOFTWARE = "software"


def choose_renderer(
    setting: Renderer | str,
    *,
    render_nodes: Iterable[Path] | None = None,
    env: Mapping[str, str] = os.environ,
) -> Renderer:
    """The renderer a setting means on this machine (never AUTO)."""
    wanted = Renderer(setting)
    if wanted is not Renderer.AUTO:
        return wanted
    if env.get("LIBGL_ALWAYS_SOFTWARE", "").lower() in ("1", "true", "yes"):
        return Renderer.SOFTWARE
    nodes = list(DRI_DIR.glob("renderD*") if render_nodes is None else render_nodes)
    return Renderer.GPU if nodes else Renderer.SOFTWARE


_applied: Renderer | None = None


def apply_renderer(renderer: Renderer) -> Renderer:
    """Tell Qt Quick, before the first window; returns what the process draws with.

    Qt Quick picks its scene graph backend once per process, with the first
    window: a later, different choice cannot take effect and is only logged.
    `QT_QUICK_BACKEND` set by hand wins over the configuration.
    """
    global _applied
    from PySide6.QtQuick import QQuickWindow, QSGRendererInterface

    if os.environ.get("QT_QUICK_BACKEND"):
        api = os.environ["QT_QUICK_BACKEND"]
        renderer = Renderer.SOFTWARE if api == "software" else Renderer.GPU
    elif _applied is None:
        api_kind = QSGRendererInterface.GraphicsApi
        QQuickWindow.setGraphicsApi(
            api_kind.Software if renderer is Renderer.SOFTWARE else api_kind.OpenGL
        )
    if _applied is not None and _applied is not renderer:
        log.warning("the screen is already drawn by %s; %s takes effect at the next start",
                    _applied, renderer)
        return _applied
    if _applied is None:
        log.info("the screen is drawn by %s", renderer)
    _applied = renderer
    return renderer


def current_renderer() -> Renderer | None:
    """What this process draws with, once `apply_renderer` has run."""
    return _applied
