// The test pattern's stamp (kiosk/call/pattern.py) painted into and read back out of a page's
// video, so Python and Chromium read each other's frames: with B = floor(width / 40), the
// top-left 32B x 3B pixels are 96 blocks of B x B, left to right, top row first, white for a
// 1 bit and black for a 0, most significant bit first; 12 bytes:
//   0xA5 | frame counter (4, big-endian) | wall clock ms (6, big-endian) | (sum of 0-10) & 0xFF ^ 0x5A
// A reader samples the centre of each block (luma >= 128 is 1). Loaded into pages by
// tests/bench/call_harness.py; `window.benchStamp` is its API.
(() => {
  if (window.benchStamp) return;
  const MAGIC = 0xa5;
  const COLS = 32;
  const ROWS = 3;
  // 75 % colour bars (pattern.py's BT.601 values, as RGB), moved 4 px a frame like the kiosk's
  const BARS = ["#bfbfbf", "#bfbf00", "#00bfbf", "#00bf00", "#bf00bf", "#bf0000", "#0000bf", "#000000"];

  function stampBytes(counter, wallMs) {
    const bytes = [MAGIC];
    for (let shift = 24; shift >= 0; shift -= 8) bytes.push((counter >>> shift) & 0xff);
    const high = Math.floor(wallMs / 2 ** 32);
    const low = wallMs - high * 2 ** 32;
    bytes.push((high >>> 8) & 0xff, high & 0xff);
    for (let shift = 24; shift >= 0; shift -= 8) bytes.push((low >>> shift) & 0xff);
    const sum = bytes.reduce((a, b) => a + b, 0);
    bytes.push((sum & 0xff) ^ 0x5a);
    return bytes;
  }

  function parseStamp(bytes) {
    if (bytes.length !== 12 || bytes[0] !== MAGIC) return null;
    let sum = 0;
    for (let i = 0; i < 11; i++) sum += bytes[i];
    if (((sum & 0xff) ^ 0x5a) !== bytes[11]) return null;
    const counter = ((bytes[1] << 24) >>> 0) + (bytes[2] << 16) + (bytes[3] << 8) + bytes[4];
    let wallMs = 0;
    for (let i = 5; i < 11; i++) wallMs = wallMs * 256 + bytes[i];
    return { counter, wallMs };
  }

  function paint(g, width, height, counter, wallMs) {
    const barW = Math.floor(width / BARS.length);
    const shift = (counter * 4) % width;
    for (let i = 0; i < BARS.length; i++) {
      g.fillStyle = BARS[i];
      for (const offset of [0, width]) g.fillRect(i * barW - shift + offset, 0, barW, height);
    }
    const block = Math.floor(width / 40);
    g.fillStyle = "#000000";
    g.fillRect(0, 0, width, ROWS * block);
    g.fillStyle = "#ffffff";
    const bytes = stampBytes(counter, wallMs);
    for (let bit = 0; bit < COLS * ROWS; bit++) {
      if ((bytes[bit >> 3] >> (7 - (bit & 7))) & 1) {
        g.fillRect((bit % COLS) * block, Math.floor(bit / COLS) * block, block, block);
      }
    }
    g.fillStyle = "#000000";
    g.fillRect(block, ROWS * block + block / 2, 12 * block, 2 * block);
    g.fillStyle = "#ffffff";
    g.font = `${Math.floor(1.5 * block)}px monospace`;
    g.fillText(String(counter).padStart(8, " "), block * 1.5, ROWS * block + 2 * block);
  }

  // A camera of the test pattern: a canvas track painted `fps` times a second, stamped with
  // the wall clock at each paint.
  function painter({ width = 640, height = 480, fps = 15 } = {}) {
    const canvas = document.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const g = canvas.getContext("2d", { alpha: false });
    const stream = canvas.captureStream(0);
    const track = stream.getVideoTracks()[0];
    let counter = 0;
    const draw = () => {
      paint(g, width, height, counter, Date.now());
      counter += 1;
      if (track.readyState === "live") track.requestFrame();
    };
    draw();
    const timer = setInterval(draw, 1000 / fps);
    track.addEventListener("ended", () => clearInterval(timer));
    const stop = track.stop.bind(track);
    track.stop = () => {
      clearInterval(timer);
      stop();
    };
    return { track, painted: () => counter };
  }

  // Reads the stamp of every frame `video` presents (requestVideoFrameCallback). The age of a
  // frame is the wall clock when it was handed to the compositor (metadata.presentationTime)
  // minus its stamp.
  function reader(video) {
    // `times`: when each new frame (a new stamp, or an unreadable one) was presented, wall ms;
    // `agedAt[i]`: when the frame of `ages[i]` was
    const state = { ages: [], agedAt: [], times: [], unreadable: 0, frames: 0, running: true,
                    lastCounter: -1, repeats: 0 };
    const canvas = document.createElement("canvas");
    const g = canvas.getContext("2d", { willReadFrequently: true });
    const onFrame = (now, meta) => {
      if (!state.running) return;
      state.frames += 1;
      const presented = performance.timeOrigin + meta.presentationTime;
      const width = meta.width || video.videoWidth;
      const block = Math.floor(width / 40);
      const stamp = block >= 4 ? readFrom(block) : null;
      if (stamp === null) {
        state.unreadable += 1;
        state.times.push(presented);
      } else if (stamp.counter === state.lastCounter) {
        // A callback that runs late may draw a frame presented after the one its metadata
        // describes; this callback's metadata is that frame's: its age is this one.
        state.repeats += 1;
        if (state.ages.length) state.ages[state.ages.length - 1] = presented - stamp.wallMs;
      } else {
        state.lastCounter = stamp.counter;
        state.ages.push(presented - stamp.wallMs);
        state.agedAt.push(presented);
        state.times.push(presented);
      }
      video.requestVideoFrameCallback(onFrame);
    };
    const readFrom = (block) => {
      const w = COLS * block;
      const h = ROWS * block;
      if (canvas.width !== w || canvas.height !== h) {
        canvas.width = w;
        canvas.height = h;
      }
      g.drawImage(video, 0, 0, w, h, 0, 0, w, h);
      const pixels = g.getImageData(0, 0, w, h).data;
      const half = block >> 1;
      const bytes = new Array(12).fill(0);
      for (let bit = 0; bit < COLS * ROWS; bit++) {
        const x = (bit % COLS) * block + half;
        const y = Math.floor(bit / COLS) * block + half;
        let luma = 0;
        for (const [dx, dy] of [[-1, -1], [0, -1], [-1, 0], [0, 0]]) {
          const i = ((y + dy) * w + (x + dx)) * 4;
          luma += 0.299 * pixels[i] + 0.587 * pixels[i + 1] + 0.114 * pixels[i + 2];
        }
        if (luma >= 4 * 128) bytes[bit >> 3] |= 1 << (7 - (bit & 7));
      }
      return parseStamp(bytes);
    };
    video.requestVideoFrameCallback(onFrame);
    return {
      state,
      take() {
        const { ages, agedAt, times } = state;
        state.ages = [];
        state.agedAt = [];
        state.times = [];
        return { ages, agedAt, times, unreadable: state.unreadable, frames: state.frames,
                 repeats: state.repeats };
      },
      stop() {
        state.running = false;
      },
    };
  }

  window.benchStamp = { stampBytes, parseStamp, painter, reader };
})();
