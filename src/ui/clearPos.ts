import widgets from './blessedParts.js';

interface ElementProto {
  clearPos(this: { lpos?: unknown }, get?: boolean, override?: boolean): void;
  __lxcdeckClearPos?: boolean;
}

/**
 * blessed blanks an element's place on the screen buffer each time its size
 * changes (so a moved box leaves nothing behind), drawn or not. Before its
 * first render an element has left nothing to blank: the first layout, which
 * sizes every box of the main view, spent ~3 ms of the first frame comparing
 * blank cells. An element with a last drawn place (lpos) clears as before.
 */
export function clearOnlyWhatWasDrawn(): void {
  const proto = Object.getPrototypeOf((widgets.box as unknown as { prototype: object }).prototype) as ElementProto;
  if (proto.__lxcdeckClearPos) return;
  proto.__lxcdeckClearPos = true;
  const clearPos = proto.clearPos;
  proto.clearPos = function clearIfDrawn(get, override) {
    if (this.lpos === undefined) return;
    clearPos.call(this, get, override);
  };
}
