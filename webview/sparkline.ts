/**
 * Sparklines: tiny canvases drawn by hand (not chart.js: hundreds of rows × several sparklines
 * would be hundreds of chart instances). The canvas is created once and redrawn in place.
 */

/** Width/height of a sparkline in CSS pixels. */
export const SPARK_W = 64;
export const SPARK_H = 16;
/** Points shown per sparkline: the newest 64 samples (16 s at 4 Hz). */
export const SPARK_POINTS = 64;

/** One sparkline canvas. */
export class Sparkline {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D | null;
  private readonly dpr: number;

  constructor(label: string) {
    this.dpr = Math.min(2, window.devicePixelRatio || 1);
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'spark';
    this.canvas.width = SPARK_W * this.dpr;
    this.canvas.height = SPARK_H * this.dpr;
    this.canvas.setAttribute('role', 'img');
    this.canvas.setAttribute('aria-label', label);
    this.ctx = this.canvas.getContext('2d');
  }

  /** Redraws from the first `n` values (oldest first); `floor` keeps tiny noise from filling the box. */
  draw(values: Float32Array, n: number, color: string, floor = 0): void {
    const ctx = this.ctx;
    if (!ctx) return;
    const w = this.canvas.width;
    const hgt = this.canvas.height;
    ctx.clearRect(0, 0, w, hgt);
    if (n < 2) return;
    let max = floor;
    for (let i = 0; i < n; i++) if (values[i] > max) max = values[i];
    if (max <= 0) max = 1;
    const step = w / (SPARK_POINTS - 1);
    const x0 = w - (n - 1) * step;
    const pad = this.dpr;
    const yOf = (v: number) => hgt - pad - (Math.max(0, v) / max) * (hgt - 2 * pad);
    ctx.beginPath();
    ctx.moveTo(x0, yOf(values[0]));
    for (let i = 1; i < n; i++) ctx.lineTo(x0 + i * step, yOf(values[i]));
    ctx.lineWidth = this.dpr;
    ctx.strokeStyle = color;
    ctx.stroke();
    ctx.lineTo(x0 + (n - 1) * step, hgt);
    ctx.lineTo(x0, hgt);
    ctx.closePath();
    ctx.globalAlpha = 0.18;
    ctx.fillStyle = color;
    ctx.fill();
    ctx.globalAlpha = 1;
  }
}
