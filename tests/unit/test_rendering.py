"""Who draws the screen: the GPU only where the kernel offers one (kiosk/ui/rendering.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.ui.rendering import Renderer, choose_renderer

NODE = [Path("/dev/dri/renderD128")]


def test_auto_draws_on_the_gpu_only_where_there_is_a_render_node() -> None:
    assert choose_renderer("auto", render_nodes=NODE, env={}) is Renderer.GPU
    assert choose_renderer("auto", render_nodes=[], env={}) is Renderer.SOFTWARE


def test_mesa_told_to_draw_in_software_means_software() -> None:
    env = {"LIBGL_ALWAYS_SOFTWARE": "1"}
    assert choose_renderer("auto", render_nodes=NODE, env=env) is Renderer.SOFTWARE


@pytest.mark.parametrize("setting", [Renderer.GPU, Renderer.SOFTWARE])
def test_a_technicians_choice_stands(setting: Renderer) -> None:
    assert choose_renderer(setting.value, render_nodes=[], env={}) is setting
    assert choose_renderer(setting.value, render_nodes=NODE, env={}) is setting


def test_an_unknown_setting_is_refused() -> None:
    with pytest.raises(ValueError):
        choose_renderer("vulkan", render_nodes=[], env={})
