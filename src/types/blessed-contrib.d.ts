// Minimal typing of the blessed-contrib widgets lxcdeck uses.
declare module 'blessed-contrib' {
  import type { Widgets } from 'blessed';
  export interface LineSeries {
    title: string;
    x: string[];
    y: number[];
    style?: { line?: string | number | number[] };
  }
  export interface LineOptions extends Widgets.BoxOptions {
    showLegend?: boolean;
    legend?: { width?: number };
    minY?: number;
    maxY?: number;
    wholeNumbersOnly?: boolean;
    numYLabels?: number;
    xLabelPadding?: number;
    xPadding?: number;
    showNthLabel?: number;
    style?: { line?: string | number; text?: string | number; baseline?: string | number; border?: { fg?: string | number } };
  }
  export interface LineElement extends Widgets.BoxElement {
    setData(data: LineSeries[]): void;
  }
  const contrib: { line(options: LineOptions): LineElement };
  export default contrib;
}
