from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.call.settings import CallSettings
from kiosk.cli import main
from kiosk.config import ConfigError, KioskConfig, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_missing_optional_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "none.toml")
    assert config.language == "zh_CN"
    assert config.idle_seconds == 90


def test_a_good_file_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[kiosk]\nhub_url = "https://hub.example.org/"\nlanguage = "en"\nidle_seconds = 120\n'
        f'data_dir = "{tmp_path}"\nfullscreen = false\n',
    )
    config = load_config(path)
    assert config == KioskConfig(
        hub_url="https://hub.example.org",
        language="en",
        idle_seconds=120,
        data_dir=tmp_path,
        fullscreen=False,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[kiosk]\nidle_seconds = "abc"', "kiosk.idle_seconds: expected a whole number of seconds"),
        ("[kiosk]\nidle_seconds = 5", "from 15 to 3600, got 5"),
        ("[kiosk]\nfullscreen = 1", "kiosk.fullscreen: expected true or false"),
        ('[kiosk]\nlanguage = "fr"', 'kiosk.language: expected one of "zh_CN", "en"'),
        ('[kiosk]\nhub_url = "ftp://x"', "kiosk.hub_url: expected an http:// or https://"),
        ('[kiosk]\ntimezone = "Mars/Olympus"', "kiosk.timezone: expected a time zone name"),
        ("[kiosk]\ncolour = 1", "kiosk.colour: unknown key, expected one of hub_url"),
        ("[other]\nx = 1", "other: unknown section"),
        ('data_dir = "/tmp/k"\n[kiosk]\nlanguage = "en"',
         "data_dir: a key outside any section, expected it under [kiosk]"),
        ("relay_only = true", "relay_only: a key outside any section, expected it under [call]"),
        ("[kiosk\n", "not valid TOML"),
        ('[call]\nturn_transport = "sctp"', 'call.turn_transport: expected one of "auto", "udp"'),
        ("[call]\nno_answer_timeout_s = 5", "call.no_answer_timeout_s: expected a whole number"),
        ("[call]\ncamera = 3", "call.camera: expected a device name"),
        ('[call]\ncamera = ""', "call.camera: expected a device name"),
        ("[call]\nrelay_only = \"yes\"", "call.relay_only: expected true or false"),
        ("[call]\nvideo_floor_kbps = 900", "call.video_floor_kbps: expected at most 180 (the"),
        ("[call]\nfps = 30", "call.fps: unknown key, expected one of camera"),
        ("call = 3", "[call]: expected a table"),
        (
            '[call]\nvideo_encoder = "h265"',
            # the message lists this FFmpeg's encoders, which differ between builds
            'call.video_encoder: expected "auto", "vp8" or an H.264 encoder of this FFmpeg '
            '("',
        ),
        # a decoder, a format's name and an RGB-only encoder: none can send the camera's frames
        ('[call]\nvideo_encoder = "h264_cuvid"', "call.video_encoder: expected \"auto\""),
        ('[call]\nvideo_encoder = "h264"', "call.video_encoder: expected \"auto\""),
        ('[call]\nvideo_encoder = "libx264rgb"', "call.video_encoder: expected \"auto\""),
        ("[call]\nvideo_encoder = 264", "call.video_encoder: expected \"auto\""),
        (
            '[kiosk]\nrenderer = "opengl"',
            'kiosk.renderer: expected one of "auto", "gpu", "software"',
        ),
        (
            "[kiosk]\nidle_seconds = 30\nidle_warning_seconds = 40",
            "kiosk.idle_warning_seconds: expected fewer seconds than kiosk.idle_seconds (30)",
        ),
    ],
)
def test_each_mistake_names_the_file_and_the_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert expected in message
    assert "\n" not in message


def test_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_bytes(b'[kiosk]\nlanguage = "\xff"\n')
    with pytest.raises(ConfigError, match="expected a UTF-8 text file"):
        load_config(path)


def test_kiosk_run_stops_with_one_line_on_a_bad_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "[kiosk]\nidle_seconds = -1\n")
    assert main(["run", "--config", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"kiosk: {path}: kiosk.idle_seconds: expected")


def test_an_explicit_config_that_is_missing_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["run", "--config", str(tmp_path / "nope.toml")]) == 2
    assert "nope.toml: file not found" in capsys.readouterr().err


def test_the_call_table_sets_the_call_settings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[kiosk]\nlanguage = "en"\n[call]\ncamera = "/dev/video0"\nmicrophone = "alsa:hw:1,0"\n'
        'relay_only = true\nturn_transport = "tls"\nno_answer_timeout_s = 60\n'
        "video_floor_kbps = 64\nstill_width = 1280\nstill_height = 720\n",
    )
    call = load_config(path).call
    assert (call.camera, call.microphone, call.relay_only) == ("/dev/video0", "alsa:hw:1,0", True)
    assert (call.turn_transport, call.no_answer_timeout_s) == ("tls", 60)
    assert call.policy.floor_bps == 64_000
    assert (call.still_width, call.still_height) == (1280, 720)
    assert load_config(tmp_path / "none.toml").call.camera == "test-pattern"
    assert load_config(tmp_path / "none.toml").call.video_encoder == "auto"


@pytest.mark.parametrize("value", ["auto", "vp8", "h264_v4l2m2m", "libx264"])
def test_the_video_encoder_can_be_pinned(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, f'[call]\nvideo_encoder = "{value}"\n')
    assert load_config(path).call.video_encoder == value



def test_a_wrong_video_encoder_is_told_what_this_ffmpeg_has(tmp_path: Path) -> None:
    path = write(tmp_path, '[call]\nvideo_encoder = "h265"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert '"libx264"' in str(caught.value) and str(caught.value).endswith("got 'h265'")
    assert "libx264rgb" not in str(caught.value) and "cuvid" not in str(caught.value)


def test_call_settings_refuse_what_is_no_video_encoder() -> None:
    with pytest.raises(ValueError, match="video_encoder: expected"):
        CallSettings(video_encoder="vp9")
    with pytest.raises(ValueError, match="video_encoder: expected"):
        CallSettings(video_encoder="h264 --evil")
    assert CallSettings(video_encoder="h264_vaapi").video_encoder == "h264_vaapi"


def test_the_example_file_of_the_packaging_is_valid() -> None:
    example = Path(__file__).resolve().parents[2] / "packaging" / "kiosk.toml.example"
    config = load_config(example, required=True)
    assert config.call.no_answer_timeout_s == 90
