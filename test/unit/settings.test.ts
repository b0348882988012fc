import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LxcdeckError } from '../../src/core/errors.js';
import { DEFAULT_SETTINGS, defaultConfigDir, SettingsStore, type Settings } from '../../src/settings/settings.js';
import { BAD_COPIES_KEPT, keepBadCopy, listBadCopies } from '../../src/settings/badCopies.js';

let dir: string;
let file: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lxcdeck-settings-'));
  file = path.join(dir, 'config.json');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function writeConfig(text: string) {
  fs.writeFileSync(file, text);
}

function updateError(store: SettingsStore, partial: unknown): LxcdeckError {
  try {
    store.update(partial as Partial<Settings>);
  } catch (e) {
    expect(e).toBeInstanceOf(LxcdeckError);
    return e as LxcdeckError;
  }
  throw new Error(`update(${JSON.stringify(partial)}) did not throw`);
}

describe('SettingsStore', () => {
  it('starts from the defaults and writes nothing just by loading', () => {
    const store = new SettingsStore({ cwd: dir });
    expect(store.get()).toEqual({ theme: 'dark', refreshIntervalMs: 1000, keys: {}, rules: [], chartSpanSeconds: 60, paneShell: [], marks: {}, restoreLastWorkspace: true, lastWorkspace: null, lxcpaths: [] });
    expect(store.warnings).toEqual([]);
    expect(store.path).toBe(file);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('saves an update and a new store reads it back', () => {
    const store = new SettingsStore({ cwd: dir });
    const next = store.update({ theme: 'light', refreshIntervalMs: 2000, keys: { 'container.start': ['s', 'C-s'] }, chartSpanSeconds: 300 });
    expect(next.theme).toBe('light');
    expect(store.get()).toBe(next);
    const onDisk = JSON.parse(fs.readFileSync(file, 'utf8'));
    // command ids with dots stay one key (no dot-path expansion)
    expect(onDisk).toEqual({ theme: 'light', refreshIntervalMs: 2000, keys: { 'container.start': ['s', 'C-s'] }, chartSpanSeconds: 300 });
    const again = new SettingsStore({ cwd: dir });
    expect(again.get()).toEqual({ ...DEFAULT_SETTINGS, ...onDisk });
    expect(again.warnings).toEqual([]);
  });

  it('keeps fields it was not asked to change', () => {
    writeConfig(JSON.stringify({ paneShell: ['/bin/ash'], rules: [{ freeze: 'build' }] }));
    const store = new SettingsStore({ cwd: dir });
    store.update({ theme: 'light' });
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ paneShell: ['/bin/ash'], rules: [{ freeze: 'build' }], theme: 'light' });
  });

  it('rejects a bad update with one line and writes nothing, not even the good fields', () => {
    const original = JSON.stringify({ theme: 'dark', refreshIntervalMs: 500 }, null, 2);
    writeConfig(original);
    const store = new SettingsStore({ cwd: dir });
    const before = fs.statSync(file);
    const e = updateError(store, { theme: 'light', refreshIntervalMs: 50 });
    expect(e.message).toBe('refreshIntervalMs 50 is out of range: use 250–10000');
    expect(e.line).not.toMatch(/[\r\n]/);
    expect(e.code).toBe('invalid-argument');
    expect(fs.readFileSync(file, 'utf8')).toBe(original);
    expect(fs.statSync(file).ino).toBe(before.ino);
    expect(store.get().theme).toBe('dark');
    expect(store.get().refreshIntervalMs).toBe(500);
  });

  it.each<[string, unknown, RegExp]>([
    ['theme', '../../etc/passwd', /^theme "\.\.\/\.\.\/etc\/passwd" is not a theme name: use /],
    ['theme', 42, /^theme 42 is not a theme name/],
    ['refreshIntervalMs', '1000', /^refreshIntervalMs "1000" is not a number: use 250–10000$/],
    ['refreshIntervalMs', 500.5, /^refreshIntervalMs 500\.5 is not a whole number of milliseconds: use 250–10000$/],
    ['refreshIntervalMs', Number.NaN, /^refreshIntervalMs NaN is not a number/],
    ['keys', ['s'], /^keys \["s"\] is not an object: use /],
    ['keys', { 'container.start': 's' }, /^keys\.container\.start "s" is not a list of key names: use /],
    ['keys', { 'container.start': ['s', ''] }, /^keys\.container\.start "" is not a key name: /],
    ['rules', {}, /^rules \{\} is not a list: use \[\] for no rules$/],
    ['chartSpanSeconds', 120, /^chartSpanSeconds 120 is not allowed: use 60, 300, 900$/],
    ['paneShell', '/bin/sh', /^paneShell "\/bin\/sh" is not a command: use a list of words/],
    ['paneShell', ['sh', ''], /^paneShell \["sh",""\] is not a command/],
    ['lxcpaths', ['srv/lxc'], /^lxcpaths \["srv\/lxc"\] is not a list of directories: use absolute paths/],
    ['colour', 'red', /^unknown setting "colour": use one of theme, refreshIntervalMs, keys, rules, chartSpanSeconds, paneShell, marks, restoreLastWorkspace, lastWorkspace, lxcpaths$/],
  ])('%s = %j is rejected on one line', (key, value, message) => {
    const store = new SettingsStore({ cwd: dir });
    const e = updateError(store, { [key]: value });
    expect(e.message).toMatch(message);
    expect(e.message).not.toMatch(/[\r\n]/);
    expect(fs.existsSync(file)).toBe(false);
  });

  it('joins several problems on one line', () => {
    const e = updateError(new SettingsStore({ cwd: dir }), { refreshIntervalMs: 0, chartSpanSeconds: 1 });
    expect(e.message).toBe('refreshIntervalMs 0 is out of range: use 250–10000; chartSpanSeconds 1 is not allowed: use 60, 300, 900');
  });

  it('refreshIntervalMs bounds are inclusive: 250 and 10000 pass, 249 and 10001 do not', () => {
    const store = new SettingsStore({ cwd: dir });
    expect(store.update({ refreshIntervalMs: 250 }).refreshIntervalMs).toBe(250);
    expect(store.update({ refreshIntervalMs: 10_000 }).refreshIntervalMs).toBe(10_000);
    expect(updateError(store, { refreshIntervalMs: 249 }).message).toBe('refreshIntervalMs 249 is out of range: use 250–10000');
    expect(updateError(store, { refreshIntervalMs: 10_001 }).message).toBe('refreshIntervalMs 10001 is out of range: use 250–10000');
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).refreshIntervalMs).toBe(10_000);
  });

  it('a corrupt file gives defaults and a warning, is left alone by loading, and is kept as .bad on the next save', () => {
    const corrupt = '{ "theme": "light", refreshIntervalMs: 500 ';
    writeConfig(corrupt);
    const store = new SettingsStore({ cwd: dir });
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.warnings).toHaveLength(1);
    expect(store.warnings[0]).toMatch(new RegExp(`^settings file ${escape(file)} is not valid JSON \\(.+\\): using defaults; `));
    expect(store.warnings[0]).not.toMatch(/[\r\n]/);
    expect(fs.readFileSync(file, 'utf8')).toBe(corrupt);

    store.update({ theme: 'high-contrast' });
    const [copy, ...more] = listBadCopies(file);
    expect(more).toEqual([]);
    expect(copy).toMatch(new RegExp(`^${escape(file)}\\.bad-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3}Z$`));
    expect(fs.readFileSync(copy!, 'utf8')).toBe(corrupt);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ theme: 'high-contrast' });
    expect(store.warnings).toEqual([`the unreadable settings file was kept as ${copy}`]);
    expect(new SettingsStore({ cwd: dir }).warnings).toEqual([]);
  });

  it('a second corrupt file is kept beside the first, not over it, and only the newest few copies stay', () => {
    const kept: string[] = [];
    for (let i = 0; i < BAD_COPIES_KEPT + 2; i++) {
      writeConfig(`{ broken ${i}`);
      const store = new SettingsStore({ cwd: dir });
      store.update({ theme: 'light' });
      kept.push(`{ broken ${i}`);
    }
    const copies = listBadCopies(file);
    expect(copies).toHaveLength(BAD_COPIES_KEPT);
    // oldest first; the two oldest were pruned, every other corrupt file survives in order
    expect(copies.map((c) => fs.readFileSync(c, 'utf8'))).toEqual(kept.slice(2));
  });

  it('copies made within the same millisecond get names of their own', () => {
    writeConfig('{ one');
    const when = new Date('2026-12-01T08:00:00.000Z');
    const a = keepBadCopy(file, when);
    writeConfig('{ two');
    const b = keepBadCopy(file, when);
    expect(a).not.toBe(b);
    expect([fs.readFileSync(a, 'utf8'), fs.readFileSync(b, 'utf8')]).toEqual(['{ one', '{ two']);
  });

  it.each(['[1, 2]', 'null', '"text"', ''])('a file holding %j (not an object) gives defaults and a warning', (text) => {
    writeConfig(text);
    const store = new SettingsStore({ cwd: dir });
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.warnings).toHaveLength(1);
    expect(store.warnings[0]).toContain(`settings file ${file} is not`);
  });

  it('a hand-edited file with bad fields keeps the good ones and warns once per bad field', () => {
    writeConfig(JSON.stringify({ theme: 'light', refreshIntervalMs: 50, chartSpanSeconds: '300', keys: { 'x.y': ['a'] }, speed: 3 }));
    const store = new SettingsStore({ cwd: dir });
    expect(store.get()).toEqual({ ...DEFAULT_SETTINGS, theme: 'light', keys: { 'x.y': ['a'] } });
    expect(store.warnings).toEqual([
      `${file}: refreshIntervalMs 50 is out of range: use 250–10000; using the default 1000`,
      `${file}: chartSpanSeconds "300" is not allowed: use 60, 300, 900; using the default 60`,
      `${file}: unknown setting "speed" is ignored: remove it or use one of theme, refreshIntervalMs, keys, rules, chartSpanSeconds, paneShell, marks, restoreLastWorkspace, lastWorkspace, lxcpaths`,
    ]);
    for (const w of store.warnings) expect(w).not.toMatch(/[\r\n]/);
  });

  it('an unreadable settings path does not crash: defaults, a warning, and updates refused', () => {
    fs.mkdirSync(file); // EISDIR on read, even as root
    const store = new SettingsStore({ cwd: dir });
    expect(store.get()).toEqual(DEFAULT_SETTINGS);
    expect(store.warnings).toEqual([`cannot read settings file ${file} (EISDIR): check its permissions, or move it away to start from defaults; using defaults`]);
    const e = updateError(store, { theme: 'light' });
    expect(e.code).toBe('permission');
    expect(e.message).not.toMatch(/[\r\n]/);
  });

  it('writes atomically: a new file is renamed over the old one, no temp files are left', () => {
    const store = new SettingsStore({ cwd: dir });
    store.update({ theme: 'light' });
    const first = fs.statSync(file).ino;
    store.update({ theme: 'dark' });
    expect(fs.statSync(file).ino).not.toBe(first); // an in-place write would keep the inode
    expect(fs.readdirSync(dir)).toEqual(['config.json']);
  });

  it('stays atomic when $SNAP leaks into the environment (conf would write in place)', () => {
    const store = new SettingsStore({ cwd: dir });
    store.update({ theme: 'light' });
    const first = fs.statSync(file).ino;
    const saved = process.env.SNAP;
    process.env.SNAP = '/snap/code/1';
    try {
      store.update({ theme: 'dark' });
      expect(process.env.SNAP).toBe('/snap/code/1');
    } finally {
      if (saved === undefined) delete process.env.SNAP;
      else process.env.SNAP = saved;
    }
    expect(fs.statSync(file).ino).not.toBe(first);
  });

  it('notifies on change, not on no-op updates, and stops after dispose', () => {
    const store = new SettingsStore({ cwd: dir });
    const seen: string[] = [];
    const sub = store.onDidChange((s) => seen.push(s.theme));
    store.update({ theme: 'light' });
    store.update({ theme: 'light' });
    store.update({});
    sub.dispose();
    store.update({ theme: 'dark' });
    expect(seen).toEqual(['light']);
  });

  it('reload picks up an external edit', () => {
    const store = new SettingsStore({ cwd: dir });
    writeConfig(JSON.stringify({ refreshIntervalMs: 3000 }));
    expect(store.reload()).toEqual([]);
    expect(store.get().refreshIntervalMs).toBe(3000);
  });

  it('hands out frozen settings that callers cannot change behind its back', () => {
    const store = new SettingsStore({ cwd: dir });
    const keys = { 'container.stop': ['S'] };
    store.update({ keys });
    keys['container.stop'].push('x');
    expect(store.get().keys).toEqual({ 'container.stop': ['S'] });
    expect(Object.isFrozen(store.get())).toBe(true);
    expect(Object.isFrozen(store.get().keys['container.stop'])).toBe(true);
  });
});

describe('defaultConfigDir', () => {
  it('uses an absolute XDG_CONFIG_HOME, else ~/.config', () => {
    expect(defaultConfigDir({ XDG_CONFIG_HOME: '/x/cfg' }, '/home/u')).toBe('/x/cfg/lxcdeck');
    expect(defaultConfigDir({}, '/home/u')).toBe('/home/u/.config/lxcdeck');
    expect(defaultConfigDir({ XDG_CONFIG_HOME: 'relative' }, '/home/u')).toBe('/home/u/.config/lxcdeck');
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
