// The live loss curve: every step's minibatch loss (faint), its running mean (bold), and the
// validation loss when measured (dots), on a canvas scaled for the screen's pixel ratio.
export class LossChart {
  private readonly ctx: CanvasRenderingContext2D;
  private readonly train: number[] = [];
  private readonly smooth: number[] = [];
  private readonly val: [number, number][] = [];
  private ema = NaN;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.ctx = canvas.getContext('2d')!;
  }

  reset(): void {
    this.train.length = 0;
    this.smooth.length = 0;
    this.val.length = 0;
    this.ema = NaN;
    this.draw();
  }

  push(losses: number[]): void {
    for (const l of losses) {
      if (!Number.isFinite(l)) continue;
      this.ema = Number.isNaN(this.ema) ? l : 0.95 * this.ema + 0.05 * l;
      this.train.push(l);
      this.smooth.push(this.ema);
    }
  }

  pushValidation(step: number, loss: number): void {
    this.val.push([step, loss]);
  }

  get smoothed(): number {
    return this.ema;
  }

  draw(): void {
    const { canvas, ctx } = this,
      dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth,
      h = canvas.clientHeight;
    if (canvas.width !== Math.round(w * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const pad = { l: 40, r: 12, t: 12, b: 26 };
    const n = Math.max(this.train.length, 10);
    // Scale to the data: the first losses set the top, the lowest running mean (less a margin) the bottom.
    const hi = Math.ceil(4 * Math.max(2.5, ...this.smooth.slice(0, 20))) / 4;
    const lo = Math.max(0, Math.floor(4 * (Math.min(hi, ...this.smooth) - 0.25)) / 4);
    const grid = hi - lo > 1.5 ? 0.5 : 0.25;
    const x = (i: number) => pad.l + (i / n) * (w - pad.l - pad.r);
    const y = (v: number) => pad.t + (1 - (Math.max(lo, Math.min(v, hi)) - lo) / (hi - lo)) * (h - pad.t - pad.b);
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#8a93a6';
    ctx.strokeStyle = '#e6e9f0';
    ctx.lineWidth = 1;
    for (let v = lo; v <= hi + 1e-9; v += grid) {
      ctx.beginPath();
      ctx.moveTo(pad.l, y(v));
      ctx.lineTo(w - pad.r, y(v));
      ctx.stroke();
      ctx.fillText(v.toFixed(2), 4, y(v) + 4);
    }
    ctx.fillText('0', pad.l, h - 8);
    const right = `step ${n.toLocaleString()}`;
    ctx.fillText(right, w - pad.r - ctx.measureText(right).width, h - 8);
    const line = (vals: number[], color: string, width: number) => {
      ctx.strokeStyle = color;
      ctx.lineWidth = width;
      ctx.beginPath();
      const stride = Math.max(1, Math.floor(vals.length / (w * 2)));
      for (let i = 0; i < vals.length; i += stride) (i === 0 ? ctx.moveTo : ctx.lineTo).call(ctx, x(i), y(vals[i]));
      ctx.stroke();
    };
    line(this.train, 'rgba(99, 102, 241, 0.25)', 1);
    line(this.smooth, '#4f46e5', 2.5);
    ctx.fillStyle = '#f59e0b';
    for (const [s, v] of this.val) {
      ctx.beginPath();
      ctx.arc(x(s), y(v), 3.5, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}
