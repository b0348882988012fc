import { createRequire } from 'node:module';
import type { LineElement, LineOptions } from 'blessed-contrib';

/**
 * blessed-contrib's line chart, loaded on its own: the package's index pulls
 * in every widget (maps, tables, lodash...), which costs a quarter second at
 * startup. The detail view asks for it only once it is shown.
 */
type LineFactory = (options: LineOptions) => LineElement;

let factory: LineFactory | null = null;

export function preload(): void {
  if (!factory) factory = createRequire(import.meta.url)('blessed-contrib/lib/widget/charts/line.js') as LineFactory;
}

export function lineChart(options: LineOptions): LineElement {
  preload();
  return (factory as LineFactory)(options);
}
