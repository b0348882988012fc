import type Blessed from 'blessed';
import Box from 'blessed/lib/widgets/box.js';
import Screen from 'blessed/lib/widgets/screen.js';
import helpers from 'blessed/lib/helpers.js';
import Tput from 'blessed/lib/tput.js';

/**
 * The parts of blessed the workstation uses: the screen, the box, escape and
 * Tput (screen.ts patches it). blessed's index requires all of its 34
 * widgets (images, a PNG decoder, a terminal, video, ...), ~8 ms of the first
 * frame; these modules require only what they build on. The same modules as
 * through the index: a later require('blessed') (unicode.js's tab width does
 * one) shares them.
 */
const widgets = {
  box: Box as typeof Blessed.box,
  screen: Screen as typeof Blessed.screen,
  escape: (helpers as { escape: typeof Blessed.escape }).escape,
  Tput: Tput as unknown,
};
export default widgets;
