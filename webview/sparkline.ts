/**
 * Sparklines of the overview, drawn by hand (not chart.js). One canvas per sparkline column covers
 * the visible rows: four canvases in all, whatever the row count. (A canvas per cell made every
 * one of them a composited layer: hundreds of layers to build and commit on each update.)
 */

/** Width/height of one sparkline in CSS pixels. */
export const SPARK_W = 64;
export const SPARK_H = 16;
/** Points shown per sparkline: the newest 64 samples (16 s at 4 Hz). */
export const SPARK_POINTS = 64;

/** A canvas holding one column of sparklines, one per visible row. */
export class SparkColumn {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D | null;
  private readonly dpr: number;
  private rowsShown = -1;
  private rowPx = 0;

  constructor(label: string) {
    this.dpr = Math.min(2, window.devicePixelRatio || 1);
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'spark-column';
    this.canvas.width = SPARK_W * this.dpr;
    this.canvas.height = 0;
    this.canvas.setAttribute('aria-hidden', 'true');
    this.canvas.dataset.label = label;
    this.ctx = this.canvas.getContext('2d');
  }

  /** Sizes the canvas for `rows` rows of `rowPx` and clears it (a resize only when they change). */
  begin(rows: number, rowPx: number): void {
    if (rows !== this.rowsShown || rowPx !== this.rowPx) {
      this.rowsShown = rows;
      this.rowPx = rowPx;
      this.canvas.height = Math.max(1, Math.round(rows * rowPx * this.dpr));
      this.canvas.style.height = `${rows * rowPx}px`;
    } else {
      this.ctx?.clearRect(0, 0, this.canvas.width, this.canvas.height);
    }
  }

  /** Draws row `row` from the first `n` values (oldest first); `floor` keeps noise from filling the box. */
  draw(row: number, values: Float32Array, n: number, color: string, floor = 0, alpha = 1): void {
    const ctx = this.ctx;
    if (!ctx || n < 2) return;
    const d = this.dpr;
    const w = SPARK_W * d;
    const hgt = SPARK_H * d;
    const top = Math.round((row * this.rowPx + (this.rowPx - SPARK_H) / 2) * d);
    let max = floor;
    for (let i = 0; i < n; i++) if (values[i] > max) max = values[i];
    if (max <= 0) max = 1;
    const step = w / (SPARK_POINTS - 1);
    const x0 = w - (n - 1) * step;
    const bottom = top + hgt;
    const yOf = (v: number) => bottom - d - (Math.max(0, v) / max) * (hgt - 2 * d);
    ctx.globalAlpha = alpha;
    ctx.beginPath();
    ctx.moveTo(x0, yOf(values[0]));
    for (let i = 1; i < n; i++) ctx.lineTo(x0 + i * step, yOf(values[i]));
    ctx.lineWidth = d;
    ctx.strokeStyle = color;
    ctx.stroke();
    ctx.lineTo(x0 + (n - 1) * step, bottom);
    ctx.lineTo(x0, bottom);
    ctx.closePath();
    ctx.globalAlpha = 0.18 * alpha;
    ctx.fillStyle = color;
    ctx.fill();
    ctx.globalAlpha = 1;
  }
}
