/**
 * Chart labels are drawn on canvas, out of the DOM's reach: these record, per canvas (by its
 * `data-chart` name, else its aria-label), the texts of its latest draw, so browser tests can read
 * a chart's tick labels. (A chart's aria-label is a summary of its data that changes with it.)
 */
import type { Page } from 'playwright-core';

/** Starts recording; it applies to pages loaded (or reloaded) from now on. */
export async function recordCanvasText(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __drawn: Record<string, string[]> };
    w.__drawn = {};
    const proto = CanvasRenderingContext2D.prototype;
    const { clearRect, fillText } = proto;
    proto.clearRect = function (...args: Parameters<typeof clearRect>) {
      // (No named helper function here: tsx would wrap it in a __name call the page lacks.)
      w.__drawn[this.canvas.dataset.chart ?? this.canvas.getAttribute('aria-label') ?? ''] = [];
      return clearRect.apply(this, args);
    };
    proto.fillText = function (...args: Parameters<typeof fillText>) {
      (w.__drawn[this.canvas.dataset.chart ?? this.canvas.getAttribute('aria-label') ?? ''] ??= []).push(
        String(args[0]),
      );
      return fillText.apply(this, args);
    };
  });
}

/** Waits until the latest draw of canvas `label` has at least `min` texts matching `pattern`; returns them. */
export async function waitForCanvasTexts(
  page: Page,
  label: string,
  pattern: RegExp,
  min: number,
  timeoutMs: number,
): Promise<string[]> {
  const handle = await page.waitForFunction(
    ({ label, source, flags, min }) => {
      const texts = (window as unknown as { __drawn: Record<string, string[]> }).__drawn[label] ?? [];
      const re = new RegExp(source, flags);
      const found = texts.filter((t) => re.test(t));
      return found.length >= min ? found : null;
    },
    { label, source: pattern.source, flags: pattern.flags, min },
    { timeout: timeoutMs, polling: 100 },
  );
  return (await handle.jsonValue()) as string[];
}
