// "Draw a digit": a 280×280 pad whose strokes are turned into an MNIST-like 28×28 image the way
// MNIST was made: the ink's bounding box scaled to fit 20×20 (aspect kept), placed in 28×28 with
// its centre of mass at the centre, grey levels in [0, 1].
export class DrawPad {
  private readonly ctx: CanvasRenderingContext2D;
  private drawing = false;
  private last: [number, number] | undefined;
  private inked = false;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onChange: () => void,
  ) {
    this.ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    this.clear();
    const pos = (e: PointerEvent): [number, number] => {
      const r = canvas.getBoundingClientRect();
      return [((e.clientX - r.left) / r.width) * canvas.width, ((e.clientY - r.top) / r.height) * canvas.height];
    };
    canvas.addEventListener('pointerdown', (e) => {
      this.drawing = true;
      canvas.setPointerCapture(e.pointerId);
      this.last = pos(e);
      this.stroke(pos(e));
    });
    canvas.addEventListener('pointermove', (e) => {
      if (this.drawing) this.stroke(pos(e));
    });
    const end = () => {
      if (this.drawing) {
        this.drawing = false;
        this.last = undefined;
        this.onChange();
      }
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
  }

  get empty(): boolean {
    return !this.inked;
  }

  clear(): void {
    this.ctx.fillStyle = '#000';
    this.ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.inked = false;
    this.onChange();
  }

  /** Draws a polyline through `points` (canvas coordinates), as a user's stroke would. */
  drawPath(points: [number, number][]): void {
    this.last = points[0];
    for (const p of points) this.stroke(p);
    this.last = undefined;
    this.onChange();
  }

  private stroke(p: [number, number]): void {
    const { ctx } = this,
      from = this.last ?? p;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = this.canvas.width / 13;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(from[0], from[1]);
    ctx.lineTo(p[0], p[1]);
    ctx.stroke();
    this.last = p;
    this.inked = true;
    if (this.drawing) this.onChange();
  }

  /** The 784 pixels in [0, 1], MNIST-centred; undefined when nothing is drawn. */
  image(): Float32Array | undefined {
    const { width: W, height: H } = this.canvas;
    const src = this.ctx.getImageData(0, 0, W, H).data;
    let x0 = W,
      y0 = H,
      x1 = -1,
      y1 = -1;
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        if (src[(y * W + x) * 4] > 32) {
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          if (y > y1) y1 = y;
        }
      }
    if (x1 < 0) return undefined;
    const bw = x1 - x0 + 1,
      bh = y1 - y0 + 1,
      s = 20 / Math.max(bw, bh);
    const small = document.createElement('canvas');
    small.width = small.height = 28;
    const sctx = small.getContext('2d', { willReadFrequently: true })!;
    sctx.imageSmoothingQuality = 'high';
    sctx.drawImage(this.canvas, x0, y0, bw, bh, (28 - bw * s) / 2, (28 - bh * s) / 2, bw * s, bh * s);
    const px = sctx.getImageData(0, 0, 28, 28).data;
    const g = new Float32Array(784);
    let mass = 0,
      cx = 0,
      cy = 0;
    for (let i = 0; i < 784; i++) {
      g[i] = px[i * 4] / 255;
      mass += g[i];
      cx += g[i] * (i % 28);
      cy += g[i] * Math.floor(i / 28);
    }
    const dx = Math.round(13.5 - cx / mass),
      dy = Math.round(13.5 - cy / mass);
    const out = new Float32Array(784);
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) {
        const sx = x - dx,
          sy = y - dy;
        if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) out[y * 28 + x] = g[sy * 28 + sx];
      }
    return out;
  }
}
